"""The clinician's report: one typed result over a period, for the PDF, the Report page,
`mitra report --json` and `GET /api/v1/report` alike.

Built from `journal.timeline()` over the period's local days and the engines (insights,
instruments), plus the reads of products, substances and alerts. Faces only render it: the PDF
(`mitra.reports.clinician`) and the page show the same figures from this one result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from mitra.insights import analyse
from mitra.instruments import Change, change, instrument
from mitra.journal import clock, queries, timeline
from mitra.journal.schemas import EARLIEST, control_problem
from mitra.safety.interactions import Citation

from .alerts import AlertView
from .alerts import alerts as open_alerts
from .insights import InsightView, _view
from .interactions import InteractionView
from .plan import ADHERENCE_WEEKS, WeekAdherence, weekly_adherence
from .products import ProductView
from .products import products as product_list
from .questionnaires import BandView, ResponseView, cite, response_view
from .substances import SubstanceView
from .substances import substances as substance_list
from .taper import TaperTrend, taper_trend

if TYPE_CHECKING:
    from mitra.journal.models import Person
    from mitra.timeline import DayClock

__all__ = [
    "DISCLAIMER",
    "EARLIEST_DAY",
    "MAX_DAYS",
    "NAME_MAX",
    "CrisisAnswer",
    "InstrumentSection",
    "KratomSection",
    "MedicinesSection",
    "PlanSection",
    "ReportPeriodInvalid",
    "ReportRead",
    "ScorePoint",
    "SevenOhUse",
    "UsedProduct",
    "WeeklyDose",
    "report",
    "report_period",
]

#: The longest period a report covers (two years): longer reports stop being readable in minutes.
MAX_DAYS = 731
#: The longest name the report shows (characters), on every face.
NAME_MAX = 100
#: The period when none is asked for.
DEFAULT_DAYS = 90
#: The earliest day a report covers: the day of the earliest time an entry may have.
EARLIEST_DAY = EARLIEST.date()
DISCLAIMER = "Self-reported data; not a diagnosis."
#: Instruments the report shows, with their own section each (SOWS sits with kratom).
SCORED = ("GAD-7", "PHQ-9")
WITHDRAWAL = "SOWS"
#: Cards shown in their own sections, not again among the insights that stand out.
_OWN_SECTION = {"gad7.history", "kratom.dose_trend"}


class ReportPeriodInvalid(ValueError):
    """A report that cannot be made as asked, with the field it concerns ("days", "from", "to",
    or "name": longer than NAME_MAX, or holding a control character)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ScorePoint:
    """One response in the period: its local date and time, total and band label."""

    at: datetime
    total: int
    band: str


@dataclass(frozen=True)
class InstrumentSection:
    """One questionnaire over the period: its bands, the responses, the latest, and the change
    from the period's first response to its latest against the MCID and reliable change."""

    code: str
    name: str
    maximum: int
    bands: tuple[BandView, ...]
    responses: tuple[ScorePoint, ...]
    latest: ScorePoint | None
    change: Change | None
    change_sources: tuple[Citation, ...]


@dataclass(frozen=True)
class CrisisAnswer:
    """A response in the period that raised the crisis flag (e.g. PHQ-9 item 9 above 0), as its
    reader, a clinician, needs it: the item and the answer that raised it, the total, and each
    flag it raised in the knowledge base's words for a clinician, with their sources. (The
    person's own pages say the flag's message to the person instead.)"""

    instrument: str
    at: datetime
    total: int
    maximum: int
    item: int | None  # None: the flag's item is no longer known (a response scored before)
    item_text: str
    answer: int | None
    answer_label: str
    answer_maximum: int | None
    findings: tuple[str, ...]
    sources: tuple[Citation, ...]


@dataclass(frozen=True)
class WeeklyDose:
    """One complete week, Monday to Sunday: mean daily estimated mg of mitragynine with its
    content range, mean daily grams of leaf (leaf products only), and the week's doses."""

    week_start: date
    mg_per_day: float
    mg_per_day_low: float
    mg_per_day_high: float
    grams_leaf_per_day: float
    doses: int
    doses_without_content: int


@dataclass(frozen=True)
class UsedProduct:
    """A product with doses in the period, its lab figures (None: not lab-tested) and dose count."""

    product: ProductView
    doses: int


@dataclass(frozen=True)
class SevenOhUse:
    """Concentrated 7-OH products in the period: doses, days, and estimated mg of 7-OH (the
    total of the doses that have an estimate; `doses_without_estimate` have none)."""

    doses: int
    days: int
    mg_7oh: float
    doses_without_estimate: int
    products: tuple[str, ...]


@dataclass(frozen=True)
class KratomSection:
    """Kratom over the period: weekly figures, the trend card, products, 7-OH use, SOWS."""

    doses: int
    doses_without_content: int
    weeks: tuple[WeeklyDose, ...]
    trend: InsightView  # the dose-trend card (its `data` feeds the weekly chart)
    products: tuple[UsedProduct, ...]
    seven_oh: SevenOhUse
    sows: InstrumentSection


@dataclass(frozen=True)
class MedicinesSection:
    """The person's substances and medicines, and interactions with kratom, worst first."""

    substances: tuple[SubstanceView, ...]
    interactions: tuple[InteractionView, ...]


@dataclass(frozen=True)
class PlanSection:
    """The taper as lived and how the weekly practice goals went, as of when the report was
    made: from the reads the person's own Taper and Plan pages use."""

    taper: TaperTrend
    adherence: tuple[WeekAdherence, ...]  # oldest first; empty without goals


@dataclass(frozen=True)
class ReportRead:
    """The clinician's report over local days `first`..`last` (both included)."""

    name: str
    first: date
    last: date
    days: int
    made_at: datetime
    disclaimer: str
    questionnaires: tuple[InstrumentSection, ...]
    crisis: tuple[CrisisAnswer, ...]
    kratom: KratomSection
    medicines: MedicinesSection
    alerts: tuple[AlertView, ...]
    plan: PlanSection
    insights: tuple[InsightView, ...]
    insights_note: str


def _now() -> datetime:
    """The current moment (one place, so a test can fix it)."""
    return datetime.now(UTC)


def report_period(
    today: date,
    *,
    days: int | None = None,
    first: date | None = None,
    last: date | None = None,
) -> tuple[date, date]:
    """The period `first`..`last` asked for, or ReportPeriodInvalid saying what to change.

    Either `days` (ending today) or `first` (with `last`, default today); not both.
    """
    if days is not None and first is not None:
        raise ReportPeriodInvalid(
            "days", "cannot go with a start date; give a number of days or a start date"
        )
    if days is not None and last is not None:
        raise ReportPeriodInvalid("to", "goes with a start date, not with a number of days")
    if first is None:
        n = DEFAULT_DAYS if days is None else days
        if not 1 <= n <= MAX_DAYS:
            raise ReportPeriodInvalid("days", f"must be between 1 and {MAX_DAYS} (two years)")
        return today - timedelta(days=n - 1), today
    end = today if last is None else last
    if end > today:
        raise ReportPeriodInvalid("to", f"is in the future; the latest is today ({today})")
    if first < EARLIEST_DAY:  # as every entry's time (journal.schemas.EARLIEST)
        raise ReportPeriodInvalid(
            "from",
            f"is before {EARLIEST_DAY}; a journal holds nothing earlier, so check the date",
        )
    if first > end:
        raise ReportPeriodInvalid("from", f"must be on or before the end date ({end})")
    if (end - first).days + 1 > MAX_DAYS:
        raise ReportPeriodInvalid(
            "from",
            f"is too early: the period would be longer than {MAX_DAYS} days (two years); "
            "choose a later start",
        )
    return first, end


def _sections(
    person: Person, start: datetime, end: datetime, zone: Any, codes: tuple[str, ...] = SCORED
) -> tuple[list[Any], tuple[InstrumentSection, ...]]:
    """The responses from `start` to `end`, and the section of each instrument in `codes`."""
    responses = list(queries.responses(person).filter(at__gte=start, at__lt=end))
    by_code: dict[str, list[Any]] = {}
    for r in responses:
        by_code.setdefault(r.instrument, []).append(r)
    return responses, tuple(_instrument(person, c, by_code.get(c, []), zone) for c in codes)


def _instrument(person: Person, code: str, rows: list[Any], zone: Any) -> InstrumentSection:
    d = instrument(code)
    labels = {b.id: b.label for b in d.bands}
    points = tuple(
        ScorePoint(r.at.astimezone(zone), r.total, labels.get(r.band, r.band or "")) for r in rows
    )
    found = change(code, rows[0].total, rows[-1].total) if len(rows) > 1 else None
    return InstrumentSection(
        code=d.code,
        name=d.name,
        maximum=d.maximum,
        bands=tuple(BandView(b.id, b.label, b.min, b.max, b.meaning) for b in d.bands),
        responses=points,
        latest=points[-1] if points else None,
        change=found,
        change_sources=cite(found.sources) if found else (),
    )


def _weeks(trend: InsightView) -> tuple[WeeklyDose, ...]:
    # The card counts weekly totals over complete weeks, Monday to Sunday; a day's mean is the
    # total / 7.
    return tuple(
        WeeklyDose(
            week_start=date.fromisoformat(w["week_start"]),
            mg_per_day=w["mg_mitragynine"] / 7,
            mg_per_day_low=w["mg_low"] / 7,
            mg_per_day_high=w["mg_high"] / 7,
            grams_leaf_per_day=w["grams_leaf"] / 7,
            doses=w["doses"],
            doses_without_content=w["doses_without_content"],
        )
        for w in trend.data.get("weekly", [])
    )


def _seven_oh(line: Any, names: dict[int, str], concentrated: frozenset[int]) -> SevenOhUse:
    """The doses of the `concentrated` 7-OH products (by form or lab figure, as the alert)."""
    hit = np.isin(line.dose_product, sorted(concentrated))
    mg = line.dose_mg_7oh[hit]
    known = np.isfinite(mg)
    ids = sorted({int(p) for p in line.dose_product[hit]})
    return SevenOhUse(
        doses=int(hit.sum()),
        days=len(set(line.day_of(line.dose_time[hit]).tolist())),
        mg_7oh=float(mg[known].sum()),
        doses_without_estimate=int((~known).sum()),
        products=tuple(names.get(p, f"product {p}") for p in ids),
    )


def _analysed_from(person: Person, the_clock: DayClock, first: date, last: date) -> date:
    """The first day the report's figures are computed from: the period's, or the journal's
    first day when it began later. Days before the first entry are not days without kratom:
    counted as such, they would dilute the first week's figures and start the weeks on another
    day than the Insights card's."""
    begun = queries.first_entry_at(person)
    if begun is None:
        return first
    return min(max(first, the_clock.local_day(begun)), last)


def report(
    person: Person,
    *,
    days: int | None = None,
    first: date | None = None,
    last: date | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> ReportRead:
    """The clinician's report over the last `days` (90 by default) or local days
    `first`..`last`; ReportPeriodInvalid when that period cannot be made. `name` is the name
    as the person chooses to show it (their journal's name when None)."""
    if name is not None and len(name.strip()) > NAME_MAX:  # as shown: without the spaces around
        raise ReportPeriodInvalid(
            "name", f"is {len(name.strip()):,} characters; use at most {NAME_MAX}"
        )
    if name is not None and (refused := control_problem(name.strip())):
        raise ReportPeriodInvalid("name", refused)  # as a name is refused in the journal
    made_at = now or _now()
    the_clock = clock(person)
    zone = the_clock.zone
    first, last = report_period(the_clock.today(made_at), days=days, first=first, last=last)
    line = timeline(person, _analysed_from(person, the_clock, first, last), last)
    start, _ = the_clock.day_span(first)
    _, end = the_clock.day_span(last)

    responses, (*sections, sows) = _sections(person, start, end, zone, (*SCORED, WITHDRAWAL))
    crisis = tuple(_crisis_answer(response_view(person, r), zone) for r in responses if r.crisis)

    cards = analyse(line).cards
    views = [_view(c) for c in cards]
    trend = next(v for v in views if v.id == "kratom.dose_trend")
    standing_out = tuple(
        v for v in views if v.status == "shown" and v.detected and v.id not in _OWN_SECTION
    )

    owned = {p.id: p for p in product_list(person)}
    used = sorted({int(p) for p in line.dose_product.tolist()})
    products = tuple(
        UsedProduct(owned[p], int((line.dose_product == p).sum())) for p in used if p in owned
    )
    names = {p.id: p.name for p in owned.values()}
    kratom = KratomSection(
        doses=int(line.dose_time.size),
        doses_without_content=line.doses_without_content(),
        weeks=_weeks(trend),
        trend=trend,
        products=products,
        seven_oh=_seven_oh(line, names, queries.concentrated_seven_oh_products(person)),
        sows=sows,
    )
    listed = substance_list(person)
    medicines = MedicinesSection(
        substances=listed.substances,
        interactions=listed.interactions,  # worst first, as the engine orders them
    )
    return ReportRead(
        name=(person.name if name is None else name).strip(),
        first=first,
        last=last,
        days=(last - first).days + 1,
        made_at=made_at.astimezone(zone),
        disclaimer=DISCLAIMER,
        questionnaires=tuple(sections),
        crisis=crisis,
        kratom=kratom,
        medicines=medicines,
        # On the journal's clock, as every other time in the report (stored in UTC). An answer
        # in the crisis box is told there, to the clinician: its alert speaks to the person.
        alerts=tuple(
            _on_clock(a, zone)
            for a in open_alerts(person).alerts
            if not (a.crisis is not None and a.at in {c.at for c in crisis})
        ),
        plan=PlanSection(
            taper=taper_trend(person, made_at),
            adherence=weekly_adherence(person, made_at, ADHERENCE_WEEKS),
        ),
        insights=standing_out,
        insights_note=(
            "Patterns in this person's own journal over the period: each is associated with "
            "anxiety, which does not show that one causes the other. 95% intervals; n is days "
            "(or weeks) of data."
        ),
    )


def _crisis_answer(view: ResponseView, zone: Any) -> CrisisAnswer:
    """A response that raised the crisis flag, for the clinician (see CrisisAnswer)."""
    definition = instrument(view.instrument)
    rules = {rule.id: rule for rule in definition.flags}
    item = next((f.item for f in view.flags if f.id == "crisis"), None)
    if item is not None and not 1 <= item <= len(view.answers):
        item = None
    answer = view.answers[item - 1] if item is not None else None
    options = definition.options(item) if item is not None else ()
    return CrisisAnswer(
        instrument=view.instrument,
        at=view.at.astimezone(zone),
        total=view.total,
        maximum=view.maximum,
        item=item,
        item_text=definition.items[item - 1].text if item is not None else "",
        answer=answer,
        answer_label=next((o.label for o in options if o.value == answer), ""),
        answer_maximum=max((o.value for o in options), default=None),
        findings=tuple(rules[f.id].clinician for f in view.flags if f.id in rules),
        sources=tuple(dict.fromkeys(c for f in view.flags for c in f.sources)),
    )


def _on_clock(alert: AlertView, zone: Any) -> AlertView:
    """The alert with its times in `zone`."""
    return replace(
        alert,
        at=alert.at.astimezone(zone),
        acknowledged_at=alert.acknowledged_at and alert.acknowledged_at.astimezone(zone),
        withdrawn_at=alert.withdrawn_at and alert.withdrawn_at.astimezone(zone),
    )
