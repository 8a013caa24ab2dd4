"""Cached results kept in the data folder, so a restart does not compute them again.

Each file is named by a digest of its key and of the code that made it (every source and
knowledge file's name, size and modification time), so a new version of mitra never reads an
old result. Files are owner-only (0600) in an owner-only folder (0700), written whole (to a
temporary name, then renamed) so a reader never sees half a file. A file that cannot be read,
or that fails its caller's check, is only a miss: the result is computed again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["code_version", "forget", "load_text", "store_text"]

#: Files kept per kind; the oldest beyond this are removed when one is stored.
KEEP = 32


@cache
def code_version() -> str:
    """A digest of mitra's own files (names, sizes, modification times): changes with the code."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".toml", ".json", ".html"} and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _folder(kind: str) -> Path | None:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        folder = Path(settings.DATA_DIR) / "cache" / kind
    except (ImproperlyConfigured, AttributeError):  # no data folder: nothing is kept
        return None
    try:
        for part in (folder.parent.parent, folder.parent, folder):
            part.mkdir(mode=0o700, exist_ok=True)
            if part.stat().st_mode & 0o777 != 0o700:
                part.chmod(0o700)
    except OSError:
        return None
    return folder


def _path(kind: str, key: str) -> Path | None:
    folder = _folder(kind)
    if folder is None:
        return None
    name = hashlib.sha256(f"{code_version()}\0{key}".encode()).hexdigest()[:40]
    return folder / f"{name}.cache"


def load_text(kind: str, key: str) -> str | None:
    """The text stored under `kind` and `key` by this version of mitra, or None."""
    path = _path(kind, key)
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store_text(kind: str, key: str, text: str) -> None:
    """Keep `text` under `kind` and `key` (best effort: a full disk only costs speed later)."""
    path = _path(kind, key)
    if path is None:
        return
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except OSError:
        log.warning("could not keep a cached %s in %s", kind, path.parent, exc_info=True)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.cache"), key=lambda p: p.stat().st_mtime_ns)
    for old in files[:-KEEP]:
        old.unlink(missing_ok=True)


def forget(kind: str) -> None:
    """Remove every file kept under `kind`."""
    folder = _folder(kind)
    if folder is not None:
        for path in folder.glob("*.cache"):
            path.unlink(missing_ok=True)
