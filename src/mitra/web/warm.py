"""Warm a starting server, so the first page a person opens does not wait."""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger(__name__)

__all__ = ["warm_after_first_page", "warm_api", "warm_pages", "warm_today"]

_today_warm = threading.Event()


def warm_today() -> None:
    """Import Today's modules, compute its figures and compile its templates (its charts are
    drawn without the renderer, which `warm_pages` starts for the other pages). `mitra serve`
    runs this before it listens: about half a second, after which the first page costs what
    any page costs. A failure here only costs the first page its speed.
    """
    from django.db import connection
    from django.template.loader import render_to_string

    from mitra.journal.services import get_person
    from mitra.reports.charts import draw_later_until_warm

    if _today_warm.is_set():
        return
    draw_later_until_warm()
    try:
        from .views import _today_context

        person = get_person()
        if person is not None:
            render_to_string("web/today.html", _today_context(None, person))  # type: ignore[arg-type]
    except Exception:  # the first page computes it again, and reports the error there
        log.exception("warming the Today page failed")
    finally:
        _today_warm.set()
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # this thread's own connection


def warm_api() -> None:
    """Import the API's modules and read what a write's alert refresh reads (the safety rules'
    policy and parameters, the substances and the questionnaires), so a worker's first write
    costs what any write costs: a clinic's workers take writes through the API from the start.
    A failure here only costs the first write its speed.
    """
    from django.urls import resolve

    try:
        from mitra.journal import alerts  # noqa: F401 - the safety rules, imported once
        from mitra.reads.warm import warm_knowledge

        resolve("/api/v1/responses")  # the API's routes and schemas
        warm_knowledge()
    except Exception:  # the first write does it again, and reports the error there
        log.exception("warming the API failed")


def warm_pages() -> None:
    """Start the chart renderer, draw Today's charts, then import and cache the other pages.

    In the order pages need them (after `warm_today`, run here if it has not been): the renderer
    (about a second to start) and Today's charts; then the other pages' modules (the API's and
    the statistics' take a second) and the Insights report, read back from the data folder
    when the journal has not changed since it was kept. A failure here only costs a page its
    speed.
    """
    from importlib import import_module

    from django.db import connection
    from django.template.loader import render_to_string

    from mitra.journal.services import get_person
    from mitra.reads.warm import warm_reads
    from mitra.reports.charts import warm_up

    warm_today()
    try:
        warm_up()  # the other pages' charts (Today's are drawn without the renderer)
        from .views import _today_context

        person = get_person()
        if person is not None:
            render_to_string("web/today.html", _today_context(None, person))  # type: ignore[arg-type]
        from .urls import LATER_MODULES

        for name in LATER_MODULES:
            import_module(f"{__package__}.{name}")
        import_module("mitra.api.urls")
    except Exception:  # a page does it again, and reports the error there
        log.exception("warming the chart renderer or the pages failed")
    finally:
        connection.close()  # this thread's own connection
    warm_reads()
    # What start-up made (modules, templates, the renderer's specs) lives as long as the
    # server: frozen, the collector no longer walks it on every full collection, which over
    # a large heap cost a page tens of milliseconds at random.
    gc.freeze()


def warm_after_first_page(wait_s: float = 2.0) -> threading.Thread:
    """Run `warm_pages` in a background thread once the first page has been served, or after
    `wait_s` seconds without one.

    The renderer's start and the other pages' imports hold the interpreter for a second or
    more: begun as the server starts listening, they made the first page wait for them.
    """
    from django.core.signals import request_finished

    served = threading.Event()

    def first_page_served(**kwargs: object) -> None:
        served.set()

    request_finished.connect(first_page_served, weak=False, dispatch_uid=__name__)

    def run() -> None:
        served.wait(wait_s)
        request_finished.disconnect(dispatch_uid=__name__)
        warm_pages()

    thread = threading.Thread(target=run, name="warm-pages", daemon=True)
    thread.start()
    return thread
