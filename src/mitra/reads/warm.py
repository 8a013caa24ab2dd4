"""Warm the read caches when the server starts, so the first pages a person opens are cached."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

__all__ = ["warm_reads"]


def warm_reads() -> None:
    """Compute Today's figures and the Insights report once (run in a background thread).

    The results go into the version-keyed read cache (`mitra.reads.cache`), so they are served
    only while the journal is unchanged; a failure here only costs the first page its speed.
    """
    from django.db import connection
    from django.urls import get_resolver

    from mitra.journal.services import get_person

    from . import insights, today

    try:
        get_resolver().url_patterns  # noqa: B018  imports every page's module (scipy among them)
        person = get_person()
        if person is not None:
            today.today(person)
            insights.insights(person)
    except Exception:  # a page will compute it again, and report the error there
        log.exception("warming the reads failed")
    finally:
        connection.close()  # this thread's own connection
