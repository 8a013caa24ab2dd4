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
import sys
import tempfile

_folder = tempfile.mkdtemp(prefix="mitra-tests-")
os.environ["MITRA_DATA_DIR"] = _folder
atexit.register(shutil.rmtree, _folder, ignore_errors=True)

# pytest rewrites each test module's asserts on import and keeps the result beside it
# (__pycache__/*-pytest-*.pyc), unless Python is told not to write bytecode, as it is where
# PYTHONDONTWRITEBYTECODE is set: then every test process rewrote all test modules again, half
# the time it takes to collect the suite. Test processes keep it; commands they start do not.
sys.dont_write_bytecode = False
