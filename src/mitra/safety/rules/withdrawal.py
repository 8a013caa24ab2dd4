"""Withdrawal: a SOWS total in the range reported in kratom withdrawal, or withdrawal-like
symptoms in check-ins (many on one day, or some on several days of a week)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from functools import lru_cache

from mitra.safety.evidence import (
    Evidence,
    Fact,
    ParameterUsed,
    ResponseSeen,
    day_text,
    hours_text,
    parameters_fact,
)
from mitra.safety.rules.inputs import (
    SafetyInput,
    heuristic,
    in_words,
    iso_week,
    symptom_labels,
    symptom_sources,
    symptoms_by_day,
    utc,
    when,
)
from mitra.safety.rules.registry import Finding, ResponsesRead, registered
from mitra.wording import plural

__all__ = [
    "SowsEvidence",
    "SymptomDay",
    "WithdrawalDayEvidence",
    "WithdrawalWeekEvidence",
    "withdrawal_like_symptoms",
    "withdrawal_sows_total",
]


def _since_last_dose(hours: float | None) -> Fact:
    return Fact(
        "Since your last logged dose",
        "no dose logged before it" if hours is None else hours_text(hours),
    )


def _symptom_text(symptoms: tuple[str, ...]) -> str:
    return ", ".join(label.lower() for label in symptom_labels(symptoms, "withdrawal"))


@dataclass(frozen=True)
class SowsEvidence(Evidence, kind="withdrawal_sows"):
    """A SOWS response beside the mean total reported in kratom withdrawal."""

    response: ResponseSeen
    reference_mean_total: float
    reference_sd: float
    hours_since_last_dose: float | None
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Response", self.response.text(zone)),
            Fact(
                "Reported in kratom withdrawal",
                f"mean {self.reference_mean_total:g} (SD {self.reference_sd:g})",
            ),
            _since_last_dose(self.hours_since_last_dose),
            *parameters_fact(self.parameters),
        )


@dataclass(frozen=True)
class WithdrawalDayEvidence(Evidence, kind="withdrawal_symptoms_day"):
    """Withdrawal-like symptoms reported on one local day."""

    day: date
    symptoms: tuple[str, ...]
    hours_since_last_dose: float | None
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Day", day_text(self.day)),
            Fact("Symptoms", _symptom_text(self.symptoms)),
            _since_last_dose(self.hours_since_last_dose),
            *parameters_fact(self.parameters),
        )


@dataclass(frozen=True)
class SymptomDay:
    """A local day and the withdrawal-like symptoms reported on it."""

    day: date
    symptoms: tuple[str, ...]


@dataclass(frozen=True)
class WithdrawalWeekEvidence(Evidence, kind="withdrawal_symptoms_week"):
    """Days of one local week with withdrawal-like symptoms."""

    week: str
    days: tuple[SymptomDay, ...]
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Week of", _week_text(self.week)),
            *(Fact(day_text(d.day), _symptom_text(d.symptoms)) for d in self.days),
            *parameters_fact(self.parameters),
        )


def _week_text(week: str) -> str:
    """An ISO week as its text names it ("9 Nov 2026" for "2026-W46"), or as stored."""
    try:
        year, number = week.split("-W")
        return day_text(date.fromisocalendar(int(year), int(number), 1))
    except ValueError:
        return week


@lru_cache(maxsize=256)  # a handful of codes, read once per response on every refresh
def _instrument_key(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _last_dose(data: SafetyInput, moment: float) -> tuple[str, float | None]:
    """A sentence about the last logged dose before `moment`, and its hours (None if none)."""
    hours = data.timeline.hours_since_last_dose(moment)
    if hours is None:
        return "", None
    return f" Your last logged dose before it was {hours_text(hours)} earlier.", round(hours, 2)


@registered(
    "withdrawal_sows",
    severity="caution",
    title="A SOWS total in the range reported in withdrawal",
    sources=("rogers2024", "handelsman1987"),
    grade="observational_study",
    reads=("doses",),
    uses=("responses",),
    responses=ResponsesRead(instruments=frozenset({"SOWS"})),
)
def withdrawal_sows_total(data: SafetyInput) -> list[Finding]:
    """A SOWS total at or above the mean reported in kratom withdrawal (rogers2024)."""
    params = data.parameters
    mean = params.number("withdrawal_sows", "reference_mean_total")
    sd = params.number("withdrawal_sows", "reference_sd")
    at_least = params.number("withdrawal_sows", params.text("withdrawal_sows", "at_least"))
    out: list[Finding] = []
    for response in data.responses:
        if _instrument_key(response.instrument) != "SOWS" or not response.total >= at_least:
            continue
        moment = response.at.timestamp()
        last_dose, hours = _last_dose(data, moment)
        text = (
            f"Your SOWS total on {when(moment, data.timeline.clock)} was {response.total:g} of "
            f"64. In a study of people who use kratom, the mean total during withdrawal was "
            f"{mean:g} (SD {sd:g}); yours is at or above it. The SOWS has no official bands, and "
            f"{heuristic('mentioning totals at the study mean')}{last_dose} These symptoms "
            "have other causes too."
        )
        out.append(
            Finding(
                title="Your SOWS total is in the range reported in kratom withdrawal",
                text=text,
                advice=(
                    "Withdrawal symptoms can be eased: a clinician or pharmacist can suggest "
                    "treatments. If you are reducing, smaller steps may be easier. Answer the SOWS "
                    "again in a few days to follow the trend."
                ),
                evidence=SowsEvidence(
                    response=ResponseSeen(
                        response.id, response.instrument, response.at, response.total
                    ),
                    reference_mean_total=mean,
                    reference_sd=sd,
                    hours_since_last_dose=hours,
                    parameters=data.used("withdrawal_sows"),
                ),
                key=f"response:{response.id}",
                at=response.at,
            )
        )
    return out


_WITHDRAWAL_ADVICE = (
    "The SOWS questionnaire can measure these symptoms over time. Withdrawal can be eased: "
    "a clinician or pharmacist can help, and if you are reducing, smaller steps may be easier."
)


@registered(
    "withdrawal_symptoms",
    severity="caution",
    title="Withdrawal-like symptoms in check-ins",
    sources=("singh2014", "handelsman1987"),
    grade="observational_study",
    reads=("checkins", "doses"),
    uses=(),
)
def withdrawal_like_symptoms(data: SafetyInput) -> list[Finding]:
    """Many withdrawal-like symptoms on one day, or some on several days of one week."""
    params = data.parameters
    one_day = params.count("withdrawal_symptoms", "one_day_at_least")
    counts_with = params.count("withdrawal_symptoms", "day_counts_with")
    days_needed = params.count("withdrawal_symptoms", "days_in_week_at_least")
    used = data.used("withdrawal_symptoms")
    by_day = symptoms_by_day(data, "withdrawal")
    out: list[Finding] = []
    weeks: dict[str, list[int]] = {}
    for day in sorted(by_day):
        symptoms, _, last = by_day[day]
        local = data.local_day(day)
        if len(symptoms) >= counts_with:
            weeks.setdefault(iso_week(local), []).append(day)
        if len(symptoms) < one_day:
            continue
        labels = symptom_labels(symptoms, "withdrawal")
        last_dose, hours = _last_dose(data, last)
        text = (
            f"On {day_text(local)} you reported {in_words([x.lower() for x in labels])}: "
            f"{len(labels)} symptoms that can come with kratom withdrawal. Several of them also "
            "come with anxiety itself and have many other causes. "
            f"{heuristic(f'Mentioning {one_day} or more on one day')}{last_dose}"
        )
        out.append(
            Finding(
                title="Several withdrawal-like symptoms in one day",
                text=text,
                advice=_WITHDRAWAL_ADVICE,
                sources=symptom_sources(symptoms, "withdrawal"),
                evidence=WithdrawalDayEvidence(
                    day=local,
                    symptoms=tuple(sorted(symptoms)),
                    hours_since_last_dose=hours,
                    parameters=used,
                ),
                key=f"day:{local.isoformat()}",
                at=utc(last),
            )
        )
    for week, chosen in weeks.items():
        if len(chosen) < days_needed:
            continue
        symptoms = frozenset().union(*(by_day[d][0] for d in chosen))
        local_days = [data.local_day(d) for d in chosen]
        text = (
            f"In the week of {day_text(_monday(local_days[0]))} you reported withdrawal-like "
            "symptoms on "
            f"{plural(len(chosen), 'day')} "
            f"({in_words([day_text(d) for d in local_days])}): "
            f"{in_words([x.lower() for x in symptom_labels(symptoms, 'withdrawal')])}. Several "
            "of them also come with anxiety itself and have many other causes. "
            f"{heuristic(f'Mentioning {counts_with} or more on {days_needed} days of a week')}"
        )
        out.append(
            Finding(
                title="Withdrawal-like symptoms on several days",
                text=text,
                advice=_WITHDRAWAL_ADVICE,
                sources=symptom_sources(symptoms, "withdrawal"),
                evidence=WithdrawalWeekEvidence(
                    week=week,
                    days=tuple(
                        SymptomDay(d, tuple(sorted(by_day[i][0])))
                        for d, i in zip(local_days, chosen, strict=True)
                    ),
                    parameters=used,
                ),
                key=f"week:{week}",
                at=utc(max(by_day[d][2] for d in chosen)),
            )
        )
    return out


def _monday(day: date) -> date:
    """The Monday of `day`'s week (a week is said by its first day, never "2026-W47")."""
    return day - timedelta(days=day.weekday())
