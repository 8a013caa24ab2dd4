"""Dose bands: a leaf dose, or a day of leaf doses, beside the literature's bands in grams of leaf.

The bands are in grams of leaf. A leaf dose (the Timeline's `dose_is_leaf`) is compared by its
grams with the caution and the warning band. The grams of an extract, a shot or a 7-OH product
are not grams of leaf and never are: such a dose is compared only when its product has a lab
figure for mitragynine, by the grams of leaf that would hold as much mitragynine
(`leaf_equivalent`, at the two lab-tested leaf products of pharmacokinetics.toml), the smaller of
the two figures, with the warning band alone, and said as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np

from mitra.knowledge.citing import readable_id, short_citation
from mitra.knowledge.pharmacokinetics import DoseBand, DoseContext, load_pharmacokinetics
from mitra.knowledge.substances import Severity
from mitra.safety.evidence import (
    DoseSeen,
    Evidence,
    Fact,
    ParameterUsed,
    day_text,
    grams_text,
    parameters_fact,
)
from mitra.safety.rules.inputs import SafetyInput, heuristic, iso, utc, when
from mitra.safety.rules.registry import EvidenceGrade, Finding, registered

__all__ = [
    "BandUsed",
    "DayTotalEvidence",
    "DoseBandEvidence",
    "LeafEquivalent",
    "day_total_above_band",
    "dose_above_band",
    "leaf_equivalent",
]

_BANDS_NOTE = (
    "Dose bands differ between sources and rest on surveys and user reports rather than trials; "
    "mitra shows them as context, never as advice."
)


@dataclass(frozen=True)
class BandUsed:
    """A band of a source's dose-context scheme, in grams of leaf per dose."""

    scheme: str
    band: str
    low_g: float
    high_g: float | None
    anecdotal: bool
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, scheme: DoseContext, band: DoseBand) -> BandUsed:
        """The band as an alert's evidence keeps it."""
        return cls(scheme.id, band.label, band.low_g, band.high_g, scheme.anecdotal, scheme.sources)

    def text(self) -> str:
        """ "'sedating' (PsychonautWiki): 15 g or more per dose (anecdotal)"."""
        span = (
            f"{self.low_g:g} g or more per dose"
            if self.high_g is None
            else f"{self.low_g:g}-{self.high_g:g} g per dose"
        )
        kind = "anecdotal" if self.anecdotal else "survey"
        # Said by its sources as readers cite them, never by the scheme's internal id.
        who = "; ".join(short_citation(s) for s in self.sources) or readable_id(self.scheme)
        return f"'{self.band}' ({who}): {span} ({kind})"


@dataclass(frozen=True)
class LeafEquivalent:
    """The grams of leaf that hold a dose's mg of mitragynine, at the lab-tested leaf's content.

    `low_g` is at the richer leaf (`high_mg_per_g`), `high_g` at the poorer (`low_mg_per_g`).
    """

    mg_mitragynine: float
    low_g: float
    high_g: float
    low_mg_per_g: float
    high_mg_per_g: float
    sources: tuple[str, ...]

    def text(self) -> str:
        """ "77.0 g to 112.8 g of leaf, at the 19.48 and 13.3 mg of mitragynine per g of two
        lab-tested leaf products (Tanna et al. 2022; Huestis et al. 2024)"."""
        who = "; ".join(short_citation(s) for s in self.sources)
        return (
            f"{grams_text(self.low_g)} to {grams_text(self.high_g)} of leaf, at the "
            f"{self.high_mg_per_g:g} and {self.low_mg_per_g:g} mg of mitragynine per g of two "
            f"lab-tested leaf products ({who})"
        )


def leaf_equivalent(mg_mitragynine: float) -> LeafEquivalent:
    """The grams of leaf holding this much mitragynine, at the lab-tested leaf products' content."""
    low, high, sources = load_pharmacokinetics().leaf_mitragynine_span()
    return LeafEquivalent(
        mg_mitragynine, mg_mitragynine / high, mg_mitragynine / low, low, high, sources
    )


@dataclass(frozen=True)
class DoseBandEvidence(Evidence, kind="dose_above_band"):
    """A dose, the band it reached, and every source's band it falls in.

    For a product that is not leaf, `leaf` holds its mitragynine and the grams of leaf that hold
    as much; the bands were compared with the smaller of those grams.
    """

    dose: DoseSeen
    band_used: BandUsed
    bands: tuple[BandUsed, ...] = ()
    parameters: tuple[ParameterUsed, ...] = ()
    leaf: LeafEquivalent | None = None

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        leaf = (
            ()
            if self.leaf is None
            else (
                Fact(
                    "Mitragynine",
                    f"{self.leaf.mg_mitragynine:,.0f} mg, by the product's lab figure",
                ),
                Fact("As much as", self.leaf.text()),
            )
        )
        return (
            Fact("Dose", self.dose.text(zone)),
            *leaf,
            Fact("Band reached", self.band_used.text()),
            *(Fact("Also in", b.text()) for b in self.bands if b != self.band_used),
            *parameters_fact(self.parameters),
        )


@dataclass(frozen=True)
class DayTotalEvidence(Evidence, kind="day_total_above_band"):
    """A local day's leaf doses and their total beside the highest per-dose band."""

    day: date
    grams_total: float
    doses: tuple[DoseSeen, ...]
    band_used: BandUsed
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        return (
            Fact("Day", day_text(self.day)),
            Fact("Grams of leaf that day", grams_text(self.grams_total)),
            *(Fact("Dose", d.text(zone)) for d in self.doses),
            Fact("Band compared with", self.band_used.text()),
            *parameters_fact(self.parameters),
        )


def _band(scheme_id: str, label: str) -> tuple[DoseContext, DoseBand]:
    for scheme in load_pharmacokinetics().dose_context:
        if scheme.id == scheme_id:
            for band in scheme.bands:
                if band.label == label:
                    return scheme, band
    raise KeyError(f"no dose band {label!r} in dose context {scheme_id!r}")


def _band_range(band: DoseBand) -> str:
    if band.high_g is None:
        return f"{band.low_g:g} g or more per dose"
    return f"{band.low_g:g}-{band.high_g:g} g per dose"


def _bands_of(grams: float) -> tuple[BandUsed, ...]:
    """Where a leaf dose falls in every source's bands (context, kept in the evidence)."""
    return tuple(
        BandUsed.of(scheme, band)
        for scheme in load_pharmacokinetics().dose_context
        for band in scheme.bands
        if band.low_g <= grams and (band.high_g is None or grams < band.high_g)
    )


def _scheme_grade(scheme: DoseContext) -> EvidenceGrade:
    return "anecdotal" if scheme.anecdotal else "survey"


@registered(
    "dose_above_band",
    severity="caution",
    title="A single dose beside the literature's dose bands",
    sources=("grundmann2017", "prozialeck2012"),
    grade="survey",
    reads=("doses",),
    uses=("products",),
)
def dose_above_band(data: SafetyInput) -> list[Finding]:
    """A single dose at or above a band where harm is more often reported: a leaf dose by its
    grams, another product's dose by the grams of leaf that hold its lab-tested mitragynine."""
    params = data.parameters
    caution = _band(*params.names("dose_above_band", "caution_band"))
    warning = _band(*params.names("dose_above_band", "warning_band"))
    timeline = data.timeline
    out: list[Finding] = []
    # Which doses reach a band, found at once (a dose's write runs this on the whole window):
    # a leaf dose by its grams from the caution band; another product's, with a lab figure, by
    # the grams of leaf holding its mitragynine (the smaller figure) from the highest band only,
    # as an extract's usual dose already holds as much as the caution band's leaf.
    richest = load_pharmacokinetics().leaf_mitragynine_span()[1]
    leafy = timeline.dose_is_leaf
    labbed = ~leafy & ~timeline.dose_mg_mitragynine_estimated
    reached = (leafy & (timeline.dose_grams_leaf >= caution[1].low_g)) | (
        labbed & (timeline.dose_mg_mitragynine / richest >= warning[1].low_g)
    )
    for j in np.flatnonzero(reached):
        leaf: LeafEquivalent | None = None
        if leafy[j]:
            grams = float(timeline.dose_grams_leaf[j])
        else:
            leaf = leaf_equivalent(float(timeline.dose_mg_mitragynine[j]))
            grams = leaf.low_g
        severity: Severity = "warning" if grams >= warning[1].low_g else "caution"
        scheme, band = warning if severity == "warning" else caution
        moment = float(timeline.dose_time[j])
        product = data.products[int(timeline.dose_product[j])]
        taken = float(timeline.dose_grams[j])
        if leaf is None:
            seen = (
                f"On {when(moment, timeline.clock)} you logged {grams_text(grams)} of "
                f"{product.name}. "
            )
            reaches = "That reaches"
            title = f"A dose of {grams_text(grams)}, in the band '{band.label}'"
        else:
            seen = (
                f"On {when(moment, timeline.clock)} you logged {grams_text(taken)} of "
                f"{product.name}, which holds {leaf.mg_mitragynine:,.0f} mg of mitragynine by its "
                f"lab figure: as much as {leaf.text()}. "
            )
            reaches = (
                "The bands are in grams of leaf and this compares by mitragynine alone"
                + (
                    ", without the product's 7-OH, the stronger alkaloid"
                    if product.hydroxy_mg_per_g or product.form == "7oh"
                    else ""
                )
                + f"; even the smaller figure, {grams_text(grams)}, reaches"
            )
            title = (
                f"{grams_text(taken)} of {product.name}: as much mitragynine as "
                f"{grams_text(grams)} of leaf or more, in the band '{band.label}'"
            )
        text = (
            f"{seen}{reaches} the band '{band.label}' ({_band_range(band)}) of "
            f"'{scheme.label}'. {scheme.note} {_BANDS_NOTE}"
        )
        advice = (
            "If you want to take less, a clinician can help you plan a gradual reduction. Avoid "
            "alcohol and other sedatives with a large dose, and do not drive after it."
        )
        if severity == "warning":
            advice += (
                " Very sleepy, slow or shallow breathing, or confused after a large dose: "
                "call emergency services."
            )
        out.append(
            Finding(
                severity=severity,
                title=title,
                text=text,
                advice=advice,
                sources=scheme.sources if leaf is None else (*scheme.sources, *leaf.sources),
                evidence=DoseBandEvidence(
                    dose=DoseSeen(at=utc(moment), grams=taken, product=product.seen()),
                    band_used=BandUsed.of(scheme, band),
                    bands=_bands_of(grams),
                    parameters=data.used("dose_above_band"),
                    leaf=leaf,
                ),
                key=f"{iso(moment)}:{product.id}",
                at=utc(moment),
                grade=_scheme_grade(scheme),
            )
        )
    return out


@registered(
    "day_total_above_band",
    severity="caution",
    title="A day's total beside the highest per-dose band",
    sources=("prozialeck2012",),
    grade="heuristic",
    reads=("doses",),
    uses=("products",),
)
def day_total_above_band(data: SafetyInput) -> list[Finding]:
    """A day of two or more leaf doses whose total reaches the highest per-dose band."""
    scheme, band = _band(*data.parameters.names("day_total_above_band", "band"))
    timeline = data.timeline
    leaf = timeline.dose_is_leaf
    days = data.dose_days()
    out: list[Finding] = []
    for day in sorted(set(days[leaf].tolist())):  # np.unique imports numpy.ma (13 ms, cold)
        if not 0 <= day < timeline.n_days:
            continue
        chosen = np.flatnonzero(leaf & (days == day))
        total = float(timeline.dose_grams_leaf[chosen].sum())
        if chosen.size < 2 or not total >= band.low_g:
            continue
        local = data.local_day(int(day))
        text = (
            f"On {day_text(local)} your {chosen.size} doses of leaf kratom came to "
            f"{grams_text(total)}. That reaches {band.low_g:g} g, the low edge of the band "
            f"'{band.label}' of '{scheme.label}', which is a band for a single dose; no source "
            f"gives one for a day. {heuristic('Comparing a day with it')} {scheme.note} "
            f"{_BANDS_NOTE}"
        )
        out.append(
            Finding(
                title=f"{grams_text(total)} of kratom in one day",
                text=text,
                advice=(
                    "If you want to take less, a clinician can help you plan a gradual reduction. "
                    "Avoid alcohol and other sedatives on days with a large total."
                ),
                sources=scheme.sources,
                evidence=DayTotalEvidence(
                    day=local,
                    grams_total=total,
                    doses=tuple(
                        DoseSeen(
                            at=utc(float(timeline.dose_time[j])),
                            grams=float(timeline.dose_grams_leaf[j]),
                            product=data.products[int(timeline.dose_product[j])].seen(),
                        )
                        for j in chosen
                    ),
                    band_used=BandUsed.of(scheme, band),
                    parameters=data.used("day_total_above_band"),
                ),
                key=local.isoformat(),
                at=utc(float(timeline.dose_time[chosen].max())),
            )
        )
    return out
