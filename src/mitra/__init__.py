"""mitra: a private, evidence-based journal and safety monitor for anxiety care plans."""

import os

__version__ = "0.1.0"

# mitra's model fits are small (thousands of rows, a handful of columns): OpenBLAS's worker
# threads cost more to wake and join than they save, and on a busy two-core machine they wait
# for each other. One thread halved the CPU time of the insights after a write. Set before
# NumPy is first imported (every entry point imports this package first); a person who sets
# the variable keeps their own choice.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
