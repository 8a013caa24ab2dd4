"""Warm a starting server in the background, so the first page a person opens does not wait."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

__all__ = ["warm_pages"]


def warm_pages() -> None:
    """Start the chart renderer, cache the reads, and draw Today's page once (one thread).

    In the order the first page needs them: its modules, the renderer (about a second to
    start), Today's figures and charts, its templates (compiled on first use, the forms'
    widgets among them); then the Insights report, read back from the data folder when the
    journal has not changed since it was kept. A failure here only costs a page its speed.
    """
    from django.db import connection
    from django.template.loader import render_to_string

    from mitra.journal.services import get_person
    from mitra.reads.warm import warm_reads
    from mitra.reports.charts import warm_up

    from .views import _today_context

    try:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018  imports every page's module
        warm_up()
        person = get_person()
        if person is not None:
            render_to_string("web/today.html", _today_context(None, person))  # type: ignore[arg-type]
    except Exception:  # the first page computes it again, and reports the error there
        log.exception("warming the Today page failed")
    finally:
        connection.close()  # this thread's own connection
    warm_reads()
    # What start-up made (modules, templates, the renderer's specs) lives as long as the
    # server: frozen, the collector no longer walks it on every full collection, which over
    # a large heap cost a page tens of milliseconds at random.
    gc.freeze()
