"""Warm the read caches when the server starts, so the first pages a person opens are cached."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

__all__ = ["warm_knowledge", "warm_reads"]


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


def warm_knowledge() -> None:
    """Compute, once per process, what reads and writes take from the knowledge base alone
    (never from a journal): the safety policy and rule parameters that a write's alert refresh
    reads, the substances, the GAD-7, and the exposure model's fit."""
    from mitra.instruments.catalogue import instrument
    from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
    from mitra.knowledge.substances import load_substances
    from mitra.pharmacology.exposure import exposure_model
    from mitra.safety import load_policy, load_rule_parameters

    load_pharmacokinetics()
    exposure_model()
    load_policy()
    load_rule_parameters()
    load_substances()
    instrument("gad7")
