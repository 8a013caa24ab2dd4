"""The clinician's report: the report read as worded sections, charts, and a PDF typeset by Typst.

`sections(read)` words every figure once (units included); the PDF's Typst template and the
Report page's preview both render that same document, so they cannot disagree. Charts are the
web's own chart specs (`mitra.reports.charts`), rendered to SVG and embedded in the PDF.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

from mitra import wording
from mitra.instruments import Change
from mitra.reads.report import CrisisAnswer, InstrumentSection, PlanSection, ReportRead
from mitra.reads.taper import TaperTrend
from mitra.timeline import zone_country

from .charts import Chart, questionnaire_history_chart, weekly_dose_chart

__all__ = [
    "LETTER_COUNTRIES",
    "PAPERS",
    "TAPER_CHOICES",
    "charts",
    "paper_for_zone",
    "pdf",
    "questionnaire_charts",
    "sections",
    "taper_choices",
    "taper_now",
]

#: How each taper choice is said, with its day.
TAPER_CHOICES = {
    "hold": "Step held",
    "resume": "Taper resumed",
    "back": "Back one step (held there)",
}

#: Paper sizes the PDF is laid out for (Typst's names), A4 first.
PAPERS = ("a4", "us-letter")
#: The countries whose paper is US Letter, as Unicode CLDR's supplemental data lists them
#: (measurementData, paperSize): every other country's is A4.
LETTER_COUNTRIES = frozenset({"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR",
                              "SV", "US", "VE"})  # fmt: skip


def paper_for_zone(time_zone: str) -> str:
    """The paper a report is printed on where `time_zone` is (its country by tzdata's table):
    US Letter in the countries that use it, A4 elsewhere and for a zone of no country (UTC)."""
    return "us-letter" if zone_country(time_zone) in LETTER_COUNTRIES else "a4"


def _day(d: date) -> str:
    return wording.day(d)


def _moment(at: datetime) -> str:
    return wording.moment(at)


def _num(value: float | None, digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and float(text[1:].replace(",", "")) == 0.0:
        text = text[1:]  # never "-0.0": a value that rounds to zero has no sign
    return text.replace("-", "−")  # a true minus sign reads better in print


def _signed(value: float | None, digits: int = 1) -> str:
    text = _num(value, digits)
    if text == "–" or text.startswith("−") or float(text.replace(",", "")) == 0.0:
        return text
    return "+" + text


def _change_text(c: Change, since: date) -> str:
    head = (
        f"From {c.before} to {c.after} ({_signed(c.difference, 0)} "
        f"{'point' if abs(c.difference) == 1 else 'points'} since {_day(since)}): {c.summary}."
    )
    parts = []
    if c.mcid is not None:
        met = "met" if c.meets_mcid else "not met"
        parts.append(f"minimal important change ({c.mcid} points) {met}")
    if c.reliable_change is not None:
        met = "met" if c.meets_reliable_change else "not met"
        parts.append(f"reliable change ({c.reliable_change} points) {met}")
    tail = "; ".join(parts)
    notes = " ".join(c.notes)
    return " ".join(x for x in (head, tail.capitalize() + "." if tail else "", notes) if x)


def _questionnaire(s: InstrumentSection) -> dict[str, Any]:
    latest = (
        f"Latest total {s.latest.total} of {s.maximum}"
        + (f", {s.latest.band}" if s.latest.band else "")
        + f" ({_moment(s.latest.at)})."
        if s.latest
        else "No response in this period."
    )
    first = s.responses[0].at.date() if s.responses else None
    return {
        "code": s.code,
        "name": s.name,
        "latest": latest,
        # Said only when there are some: "No response in this period." already says none.
        "count": (
            f"{wording.plural(len(s.responses), 'response')} in the period." if s.responses else ""
        ),
        "change": _change_text(s.change, first) if s.change and first else "",
        "sources": [c.citation for c in s.change_sources],
        "bands": ", ".join(f"{b.label} {b.min}–{b.max}" for b in s.bands),
        "chart": f"{s.code}" if len(s.responses) > 1 else "",
    }


def crisis_text(c: CrisisAnswer) -> dict[str, Any]:
    """A crisis answer as its reader, a clinician, needs it: in the third person, the item and
    the answer, when, and what the flag means, with its sources."""
    answered = (
        f"the person answered item {c.item}, \u201c{c.item_text}\u201d, with "
        f"\u201c{c.answer_label}\u201d ({c.answer} of {c.answer_maximum})"
        if c.item is not None
        else "the person's answers raised the crisis flag"
    )
    return {
        "text": " ".join(
            (
                f"{c.instrument} on {_moment(c.at)}: {answered}; total {c.total} of {c.maximum}.",
                *c.findings,
            )
        ),
        "sources": [s.citation for s in c.sources],
    }


def _table(columns: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return {"columns": columns, "rows": rows}


def _kratom(read: ReportRead) -> dict[str, Any]:
    k = read.kratom
    weeks = _table(
        [
            "Week starting",
            "Mitragynine, mg/day (range)",
            "Leaf, g/day",
            "Doses",
            "Doses without an estimate",
        ],
        [
            [
                _day(w.week_start),
                f"{_num(w.mg_per_day)} ({_num(w.mg_per_day_low)}–{_num(w.mg_per_day_high)})",
                _num(w.grams_leaf_per_day, 1),
                str(w.doses),
                str(w.doses_without_content),
            ]
            for w in k.weeks
        ],
    )
    products = _table(
        ["Product", "Form", "Unit", "Mitragynine, mg/g", "7-OH, mg/g", "Doses"],
        [
            [
                p.product.name + (f" ({p.product.vendor})" if p.product.vendor else ""),
                p.product.form_label,
                p.product.unit_label
                + (
                    f", {_num(p.product.grams_per_unit, 2)} g each"
                    if p.product.grams_per_unit and p.product.unit != "g"
                    else ""
                ),
                # Lab figures as they were entered (to 0.01 mg/g): 15 and 150, not 15.0 and 150.00.
                f"{p.product.mitragynine_mg_per_g:,g}"
                if p.product.mitragynine_mg_per_g is not None
                else "not lab-tested",
                f"{p.product.hydroxy_mg_per_g:,g}"
                if p.product.hydroxy_mg_per_g is not None
                else "not lab-tested",
                str(p.doses),
            ]
            for p in k.products
        ],
    )
    s = k.seven_oh
    if s.doses:
        seven_oh = (
            f"Concentrated 7-OH products: {s.doses} dose{'s' if s.doses != 1 else ''} on "
            f"{s.days} day{'s' if s.days != 1 else ''} ({', '.join(s.products)}); "
            # There is no literature figure per gram of a 7-OH product: its mg come from the
            # products' lab figures, and a dose without one is not counted.
            + (
                f"{wording.mg(s.mg_7oh)} of 7-OH in all by the products' lab figures"
                if s.doses_without_estimate < s.doses
                else "their 7-OH is not known: none of them has a lab figure"
            )
            + (
                f"; {s.doses_without_estimate} "
                f"dose{'s' if s.doses_without_estimate != 1 else ''} without a lab figure "
                "not counted"
                if 0 < s.doses_without_estimate < s.doses
                else ""
            )
            + "."
        )
    else:
        seven_oh = "No concentrated 7-OH product was logged in this period."
    trend = k.trend
    interval = trend.interval
    verdict = trend.sentence
    estimate = (
        f"Trend: {_signed(trend.estimate, 0)} {trend.unit} (95% interval "
        f"{_signed(interval[0], 0)} to {_signed(interval[1], 0)}; {trend.n} weeks)."
        if trend.status == "shown" and interval is not None
        else ""
    )
    return {
        "summary": (
            f"{k.doses} dose{'s' if k.doses != 1 else ''} logged in the period"
            + (
                f"; {k.doses_without_content} without a mitragynine estimate (not in the figures)."
                if k.doses_without_content
                else "."
            )
        ),
        "trend": verdict,
        "estimate": estimate,
        "weeks": weeks,
        "weeks_note": (
            "Mean per day over each complete week, Monday to Sunday. Estimated mg of mitragynine "
            "come from "
            "the product's lab figure, else a typical content from the literature (the range "
            "spans the literature's low and high content). Grams of leaf count leaf products only."
        ),
        "chart": "dose" if trend.data.get("weekly") else "",
        "products": products,
        "seven_oh": seven_oh,
        "sows": _questionnaire(k.sows),
    }


def sections(read: ReportRead) -> dict[str, Any]:
    """The report as worded sections and tables of text, units included (PDF and page alike)."""
    med = read.medicines
    return {
        "title": "Summary for a clinician",
        "name": read.name or "Name not shown",
        "period": f"{_day(read.first)} to {_day(read.last)} ({wording.plural(read.days, 'day')})",
        "made": f"Made {_moment(read.made_at)} ({read.made_at.tzname()})",
        "disclaimer": read.disclaimer,
        "crisis": [crisis_text(c) for c in read.crisis],
        "questionnaires": [_questionnaire(s) for s in read.questionnaires],
        "kratom": _kratom(read),
        "substances": _table(
            ["Substance or medicine", "As the person takes it", "Recognised as", "Worst severity"],
            [
                [
                    s.name + ("" if s.active else " (stopped)"),
                    s.dose_text or "–",
                    s.knowledge_name or "not recognised",
                    (s.highest_severity or "none known").capitalize(),
                ]
                for s in med.substances
            ],
        ),
        "interactions": [
            {
                "severity": i.severity.capitalize(),
                "title": i.title,
                # As the alert names them: the person's own names ("kratom and sertraline").
                "between": " and ".join(i.between_yours or i.between_names),
                "advice": i.advice,
                "sources": [c.citation for c in i.sources],
            }
            for i in med.interactions
        ],
        "alerts": [
            {
                "severity": a.severity_label,
                "title": a.title,
                "when": _moment(a.at),
                "text": a.text,
                "sources": [c.citation for c in a.sources],
            }
            for a in read.alerts
        ],
        "plan": _plan(read.plan),
        "insights": [
            {
                "title": c.title,
                "sentence": c.sentence,
                "estimate": (
                    f"{sign(c.estimate, p)} {c.unit} (95% interval {sign(c.interval[0], p)} "
                    f"to {sign(c.interval[1], p)}), n = {c.n}"
                    if c.interval is not None
                    else f"n = {c.n}"
                ),
            }
            for c in read.insights
            for sign in [_num if c.level else _signed]  # a level (a mean) has no sign
            # As the card's sentence: a figure that is not zero never reads "0.0".
            for p in [wording.places(1, c.estimate, *(c.interval or ()))]
        ],
        "insights_note": read.insights_note,
    }


def questionnaire_charts(sections: Iterable[InstrumentSection]) -> dict[str, Chart]:
    """Each questionnaire's history chart by its code, where it has two responses or more."""
    return {
        s.code: questionnaire_history_chart(
            s.code,
            [p.at.date() for p in s.responses],
            [p.total for p in s.responses],
            [(b.label, b.min, b.max) for b in s.bands],
            s.maximum,
        )
        for s in sections
        if len(s.responses) > 1
    }


def charts(read: ReportRead) -> dict[str, Chart]:
    """The report's charts by key (an instrument's code, "dose"), from the web's chart specs."""
    found = questionnaire_charts((*read.questionnaires, read.kratom.sows))
    trend = read.kratom.trend
    if trend.data.get("weekly"):
        found["dose"] = weekly_dose_chart(trend.data["weekly"], trend.data.get("trend"))
    return found


@cache
def _template() -> str:
    return (resources.files("mitra.reports") / "templates" / "clinician.typ").read_text("utf-8")


def typst_source() -> str:
    """The Typst template of the report (it reads its data from `sys.inputs`)."""
    return _template()


def pdf(read: ReportRead, *, paper: str = "a4", with_charts: bool = True) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) with embedded fonts, on `paper` (see PAPERS)."""
    import typst

    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    drawn = charts(read) if with_charts else {}
    given = {
        "report": sections(read),
        "charts": {k: {"svg": c.svg, "alt": f"{c.title}. {c.summary}"} for k, c in drawn.items()},
    }
    # Typst's own bundled fonts only (Libertinus Serif, New Computer Modern, DejaVu Sans Mono):
    # the same PDF on every machine, nothing read from the system or fetched. They have no
    # emoji, no Chinese, Japanese or Korean script and no control codes, and a tagged PDF may
    # not hold text it cannot show: such text (a name, a product's, a note's, as the journal
    # holds it from before its inputs refused control codes, or from an import) is printed as
    # □, and said so. This is the one way the journal's words reach Typst: scripts beyond the
    # fonts' blocks and control codes go before the first try; a gap Typst still names is
    # stood in for one character at a time; past a few, every character beyond ASCII is.
    shown = {key: _shown(value) for key, value in given.items()}
    inputs = {key: json.dumps(value, ensure_ascii=False) for key, value in shown.items()}
    inputs["paper"] = paper
    if shown != given:
        inputs = _with_stand_in_note(inputs)
    for attempt in range(_MOST_STAND_INS + 1):
        try:
            result = typst.compile(
                _template().encode("utf-8"),
                sys_inputs=inputs,
                ignore_system_fonts=True,
                pdf_standards=["ua-1"],
                timestamp=read.made_at.astimezone(UTC).replace(microsecond=0),
            )
        except typst.TypstError as exc:
            unshown = _UNSHOWN.search(str(exc))
            if unshown is None or attempt == _MOST_STAND_INS:
                raise
            last = attempt == _MOST_STAND_INS - 1
            named = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), unshown[1] or unshown[2])
            inputs = _stand_in(inputs, "" if last else named)
            continue
        if not isinstance(result, bytes):  # a multi-page image export would be a list
            raise TypeError("typst returned no PDF")
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")


#: Printed for a character the report's fonts cannot show.
STAND_IN = "\u25a1"
STAND_IN_NOTE = (
    f"Characters the report's fonts cannot show (emoji; Chinese, Japanese or Korean script; "
    f"control codes) are printed as {STAND_IN}."
)
_MOST_STAND_INS = 8
# Typst's words for text no font it has can show, or that PDF/UA forbids outright (U+FEFF).
# It names a character without a glyph of its own as an escape: "\u{378}".
_UNSHOWN = re.compile(
    r'the text (?:`"(.+?)"` could not be displayed|contains the disallowed codepoint `"(.+?)"`)'
)
_ESCAPED = re.compile(r"\\u\{([0-9a-f]{1,6})\}")
# Every character outside the blocks Typst's bundled fonts hold (Latin, Greek, Cyrillic,
# Hebrew, Arabic, punctuation, currency, letter-like signs, arrows, maths, box drawing and
# shapes): emoji, Thai, CJK, Hangul, Ethiopic and the rest, with their combining marks; and the
# control codes (C0, DEL, C1) but a line break and a tab, which no font shows.
_BEYOND_FONTS = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u052f\u0590-\u06ff\u1e00-\u1fff\u2000-\u20cf\u2100-\u23ff"
    "\u2500-\u25ff\ufffd]"
)
_NOT_ASCII = re.compile(f"[^\\x00-\\x7f{STAND_IN}]")


def _shown(value: Any) -> Any:
    """`value` (the report's sections, a chart's drawing) with every text in it as the fonts can
    show it: a CR LF line break as LF, any other character beyond them as □."""
    if isinstance(value, str):
        return _BEYOND_FONTS.sub(STAND_IN, value.replace("\r\n", "\n"))
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_shown(item) for item in value)
    return value


def _stand_in(inputs: dict[str, str], text: str) -> dict[str, str]:
    """`inputs` with the text Typst could not show printed as □, and the report saying so; the
    charts' drawings too (their labels are the report's words). Typst names one character at a
    time; without `text`, or when nothing of it can be stood in for, every character beyond
    ASCII is (the last resort: ASCII and □ are always shown)."""
    chars = {ch for ch in text if ord(ch) > 0x7F and ch != STAND_IN}
    changed = inputs
    if chars:
        pattern = re.compile("|".join(re.escape(ch) for ch in sorted(chars)))
        changed = {key: pattern.sub(STAND_IN, value) for key, value in inputs.items()}
    if changed == inputs:
        changed = {key: _NOT_ASCII.sub(STAND_IN, value) for key, value in inputs.items()}
    return _with_stand_in_note(changed)


def _with_stand_in_note(inputs: dict[str, str]) -> dict[str, str]:
    """The report's `made` line says that some characters are printed as □ (once)."""
    report = json.loads(inputs["report"])
    if STAND_IN_NOTE not in report["made"]:
        report["made"] = f"{report['made']}. {STAND_IN_NOTE}"
    return {**inputs, "report": json.dumps(report, ensure_ascii=False)}


def taper_now(taper: TaperTrend) -> str:
    """Where the taper stands: its step, whether it is held, days within and over."""
    if not (taper.active and taper.days):
        return ""
    return (
        taper.step_words.capitalize()
        + (", held" if taper.held else "")
        + f"; within the allowance on {wording.plural(taper.days_within, 'past day')}, "
        f"over it on {wording.plural(taper.days_over, 'day')}."
    )


def taper_choices(taper: TaperTrend) -> list[str]:
    """The holds, resumes and steps back chosen, each with its day."""
    return [f"{TAPER_CHOICES.get(c.action, c.action)} on {_day(c.day)}" for c in taper.choices]


def _plan(plan: PlanSection) -> str:
    """The taper as lived and the weekly goals, as the person's Taper and Plan pages say them."""
    taper, parts = plan.taper, []
    if taper.active and taper.schedule is not None:
        s = taper.schedule
        parts.append(
            f"Taper ({s.pace_label}) from {s.start_amount:g} to {s.target_amount:g} {s.unit} "
            f"a day, begun {_day(s.starts)}, reaching the target on {_day(s.reaches_target)}."
        )
        if now := taper_now(taper):
            parts.append(now)
        if choices := taper_choices(taper):
            parts.append("; ".join(choices) + ".")
    else:
        parts.append("No taper under way.")
    weeks = [w for w in plan.adherence if w.goals]
    if weeks:
        parts.append(
            "Weekly practice goals: "
            + "; ".join(
                f"week of {_day(w.week_start)}, "
                + (f"{w.percent}% on average, " if w.percent is not None else "")
                + f"{w.goals_met} of {wording.plural(w.goals, 'goal')} met in full"
                for w in weeks
            )
            + "."
        )
    else:
        parts.append("No weekly practice goals set.")
    return " ".join(parts)
