"""Synthetic persons with known ground truth, for the demo, tests and benchmarks."""

from mitra.simulation.basic import SyntheticJournal, synthetic_journal

__all__ = ["SyntheticJournal", "synthetic_journal"]
