"""Product: a concentrated 7-hydroxymitragynine (7-OH) product, by its form or its lab figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from mitra.knowledge.substances import load_substances
from mitra.safety.evidence import (
    Evidence,
    Fact,
    ParameterUsed,
    ProductSeen,
    moment_text,
    parameters_fact,
)
from mitra.safety.interactions import EVIDENCE_NOTES
from mitra.safety.parameters import RuleParameters, load_rule_parameters
from mitra.safety.rules.inputs import ProductFacts, SafetyInput, heuristic, unique, utc, when
from mitra.safety.rules.registry import Finding, registered

__all__ = ["SevenOhProductEvidence", "concentrated_seven_oh_product", "is_concentrated_seven_oh"]

RULE = "seven_oh_product"


@dataclass(frozen=True)
class SevenOhProductEvidence(Evidence, kind="seven_oh_product"):
    """A product counted as a concentrated 7-OH product, and its first dose in the span.

    Alerts stored before the rule's threshold came from safety_rules.toml also hold
    `measured_range_mg_per_g` and `content_figure` (an unverified figure); reading them back
    ignores those fields, and `parameters` is then empty.
    """

    product: ProductSeen
    hydroxy_mg_per_g: float | None
    first_dose_at: datetime
    doses_in_timeline: int
    parameters: tuple[ParameterUsed, ...] = ()

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        lab = (
            "none entered"
            if self.hydroxy_mg_per_g is None
            else f"{self.hydroxy_mg_per_g:g} mg of 7-OH per g"
        )
        return (
            Fact("Product", f"{self.product.name} ({self.product.form})"),
            Fact("Its lab figure", lab),
            Fact("First dose", moment_text(self.first_dose_at, zone)),
            # No count of its doses: the alert is stored once, at the first dose, and a count
            # shown with it went stale with the next ("Doses logged: 1" beside a report of 2).
            *parameters_fact(self.parameters),
        )


def _by_form(data: SafetyInput, product: ProductFacts) -> bool:
    return product.form in data.parameters.names(RULE, "forms")


def is_concentrated_seven_oh(
    form: str, hydroxy_mg_per_g: float | None, parameters: RuleParameters | None = None
) -> bool:
    """True for a 7-OH product by its form, or a product whose lab 7-OH figure (mg per g)
    reaches the cut-off (safety_rules.toml, seven_oh_product).

    The one test of "a concentrated 7-OH product": the alert, the report, the Journal and the
    Products page all ask it, so none calls a product concentrated that another does not.
    """
    rules = load_rule_parameters() if parameters is None else parameters
    cut_off = rules.number(RULE, "lab_7oh_mg_per_g")
    by_lab = hydroxy_mg_per_g is not None and hydroxy_mg_per_g >= cut_off
    return form in rules.names(RULE, "forms") or by_lab


@registered(
    RULE,
    severity="warning",
    title="A concentrated 7-OH product",
    sources=("smith2025", "lydecker2016", "tanna2022", "kruegel2016", "fda2025"),
    grade="official",
    reads=("doses",),
    uses=("products",),
)
def concentrated_seven_oh_product(data: SafetyInput) -> list[Finding]:
    """A dose of a concentrated 7-hydroxymitragynine product (by its form or its lab figure)."""
    timeline = data.timeline
    cut_off = data.parameters.number(RULE, "lab_7oh_mg_per_g")
    seven_oh_rule = load_substances().interaction("kratom_seven_oh")
    out: list[Finding] = []
    for product_id in sorted({int(p) for p in timeline.dose_product}):
        product = data.products[product_id]
        if not is_concentrated_seven_oh(product.form, product.hydroxy_mg_per_g, data.parameters):
            continue
        times = timeline.dose_time[timeline.dose_product == product_id]
        first = float(times.min())
        if _by_form(data, product):
            why = "a product you entered as a 7-OH product."
        else:
            why = (
                f"a product whose lab figure of {product.hydroxy_mg_per_g:g} mg of "
                f"7-hydroxymitragynine per g is at or above {cut_off:g} mg per g, where mitra "
                f"counts a product as a concentrated 7-OH product; "
                f"{heuristic(f'{cut_off:g} mg per g')}"
            )
        # Figures as verified (EVIDENCE.md, corrections): per labelled dose, not per gram.
        text = (
            f"On {when(first, timeline.clock)} you logged a dose of {product.name}, {why} "
            "Semi-synthetic 7-OH products have been sold at 14-25 mg of 7-hydroxymitragynine per "
            "labelled dose, some up to 98% 7-OH (Smith et al. 2025), and commercial products "
            "with far more 7-OH than leaf have been found (Lydecker et al. 2016), while natural "
            "leaf holds only traces. 7-OH acts at mu-opioid receptors, and in July 2025 the US "
            "FDA recommended scheduling it; natural leaf was not targeted. "
            f"{EVIDENCE_NOTES[seven_oh_rule.evidence]}"
        )
        # The parameters this finding used: the cut-off only when the lab figure decided.
        parameters = tuple(
            p for p in data.used(RULE) if p.name == "forms" or not _by_form(data, product)
        )
        out.append(
            Finding(
                title=f"{product.name} is a concentrated 7-OH product",
                text=text,
                advice=seven_oh_rule.advice,
                sources=unique(
                    [
                        "smith2025",
                        "lydecker2016",
                        "tanna2022",
                        *(s for p in parameters for s in p.sources),
                        *seven_oh_rule.sources,
                    ]
                ),
                evidence=SevenOhProductEvidence(
                    product=product.seen(),
                    hydroxy_mg_per_g=product.hydroxy_mg_per_g,
                    first_dose_at=utc(first),
                    doses_in_timeline=int(times.size),
                    parameters=parameters,
                ),
                key=f"product:{product.id}",
                at=utc(first),
                grade=seven_oh_rule.evidence,
            )
        )
    return out
