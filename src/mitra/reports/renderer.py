"""The chart renderer (vl-convert), started ahead of the first chart a process draws."""

from __future__ import annotations

import threading

__all__ = ["start_renderer", "warm_renderer"]


def warm_renderer() -> None:
    """Draw a one-point chart: the renderer's first drawing in a process starts its JavaScript
    engine and reads its fonts (about 0.6 s); later drawings take milliseconds."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 0}]}, "encoding": {}})


def start_renderer() -> threading.Thread:
    """Warm the renderer in a background thread and return it.

    vl-convert releases the GIL while it works, so its start overlaps the imports and the read
    that come before the first chart (`mitra report --pdf` in a fresh process). Importing only
    vl_convert here, not Altair, keeps the thread off the GIL the main thread needs.
    """
    thread = threading.Thread(target=warm_renderer, name="chart-renderer", daemon=True)
    thread.start()
    return thread
