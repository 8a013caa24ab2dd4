"""Loaded before Django reads its settings (`-p tests.private_data_dir` in pytest's options):
every test process gets a data folder of its own, made private (0700) and removed at exit.

The settings read MITRA_DATA_DIR once, when Django starts, which is before any fixture runs;
without this, a test run would write its secret key and cached results into the data folder of
whoever runs the tests, and two runs at once would share one folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_folder = tempfile.mkdtemp(prefix="mitra-tests-")
os.environ["MITRA_DATA_DIR"] = _folder
atexit.register(shutil.rmtree, _folder, ignore_errors=True)
