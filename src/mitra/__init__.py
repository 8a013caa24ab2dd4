"""mitra: a private, evidence-based journal and safety monitor for anxiety care plans."""

__version__ = "0.1.0"
