"""The reads' mixed journal, for the report's tests."""

from tests.reads.conftest import mixed_journal

__all__ = ["mixed_journal"]
