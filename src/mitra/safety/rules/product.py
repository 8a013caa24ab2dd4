"""Product: a concentrated 7-hydroxymitragynine (7-OH) product, by its form or its lab figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.knowledge.substances import load_substances
from mitra.safety.evidence import Evidence, Fact, ProductSeen, moment_text
from mitra.safety.interactions import EVIDENCE_NOTES
from mitra.safety.rules.inputs import ProductFacts, SafetyInput, unique, utc, when
from mitra.safety.rules.registry import Finding, registered

__all__ = ["SevenOhProductEvidence", "concentrated_seven_oh_product", "is_concentrated_seven_oh"]


@dataclass(frozen=True)
class SevenOhProductEvidence(Evidence, kind="seven_oh_product"):
    """A product counted as a concentrated 7-OH product, and its first dose in the span."""

    product: ProductSeen
    hydroxy_mg_per_g: float | None
    first_dose_at: datetime
    doses_in_timeline: int
    measured_range_mg_per_g: tuple[float, float]
    content_figure: str

    def facts(self, zone: tzinfo) -> tuple[Fact, ...]:
        low, high = self.measured_range_mg_per_g
        lab = (
            "none entered"
            if self.hydroxy_mg_per_g is None
            else f"{self.hydroxy_mg_per_g:g} mg of 7-OH per g"
        )
        return (
            Fact("Product", f"{self.product.name} ({self.product.form})"),
            Fact("Its lab figure", lab),
            Fact("First dose", moment_text(self.first_dose_at, zone)),
            Fact("Doses logged", str(self.doses_in_timeline)),
            Fact("Measured in 7-OH products", f"{low:g}-{high:g} mg per g ({self.content_figure})"),
        )


def is_concentrated_seven_oh(data: SafetyInput, product: ProductFacts) -> bool:
    """True for a 7-OH product by form, or a product whose lab 7-OH figure is in their range."""
    forms = data.parameters.names("seven_oh_product", "forms")
    content = load_pharmacokinetics().content[data.parameters.text("seven_oh_product", "content")]
    lab = product.hydroxy_mg_per_g
    return product.form in forms or (lab is not None and lab >= content.span[0])


@registered(
    "seven_oh_product",
    severity="warning",
    title="A concentrated 7-OH product",
    sources=("brown2025", "lydecker2016", "kruegel2016", "fda2025"),
    grade="official",
)
def concentrated_seven_oh_product(data: SafetyInput) -> list[Finding]:
    """A dose of a concentrated 7-hydroxymitragynine product (by its form or its lab figure)."""
    timeline = data.timeline
    content = load_pharmacokinetics().content[data.parameters.text("seven_oh_product", "content")]
    low, high = content.span
    seven_oh_rule = load_substances().interaction("kratom_seven_oh")
    out: list[Finding] = []
    for product_id in sorted({int(p) for p in timeline.dose_product}):
        product = data.products[product_id]
        if not is_concentrated_seven_oh(data, product):
            continue
        times = timeline.dose_time[timeline.dose_product == product_id]
        first = float(times.min())
        if product.form in data.parameters.names("seven_oh_product", "forms"):
            why = "a product you entered as a 7-OH product"
        else:
            why = (
                f"a product whose lab figure of {product.hydroxy_mg_per_g:g} mg of "
                "7-hydroxymitragynine per g is in the range measured in concentrated 7-OH products"
            )
        text = (
            f"On {when(first, timeline.clock)} you logged a dose of "
            f"{product.name}, {why}. "
            f"Concentrated 7-OH products have been measured at {low:g}-{high:g} mg of "
            "7-hydroxymitragynine per g, while natural leaf holds only traces. 7-OH acts at "
            "mu-opioid receptors, and in July 2025 the US FDA recommended scheduling it; natural "
            f"leaf was not targeted. {EVIDENCE_NOTES[seven_oh_rule.evidence]}"
        )
        out.append(
            Finding(
                title=f"{product.name} is a concentrated 7-OH product",
                text=text,
                advice=seven_oh_rule.advice,
                sources=unique([*content.sources, *seven_oh_rule.sources]),
                evidence=SevenOhProductEvidence(
                    product=product.seen(),
                    hydroxy_mg_per_g=product.hydroxy_mg_per_g,
                    first_dose_at=utc(first),
                    doses_in_timeline=int(times.size),
                    measured_range_mg_per_g=(float(low), float(high)),
                    content_figure=content.id,
                ),
                key=f"product:{product.id}",
                at=utc(first),
                grade=seven_oh_rule.evidence,
            )
        )
    return out
