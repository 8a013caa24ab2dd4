"""The person's kratom products, as the Products page, `mitra products` and the API list them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mitra.journal import queries
from mitra.safety import is_concentrated_seven_oh
from mitra.vocabulary import PRODUCT_FORMS, PRODUCT_UNITS, VEINS, is_leaf

from .cursor import decode_keys, encode_keys

if TYPE_CHECKING:
    from mitra.journal.models import Person, Product

__all__ = ["ProductPage", "ProductView", "product", "product_page", "products"]


@dataclass(frozen=True)
class ProductView:
    """A product with its form, the unit it is counted in, and its lab figures when known."""

    id: int
    name: str
    vendor: str
    strain: str
    vein: str
    vein_label: str
    form: str
    form_label: str
    is_leaf: bool
    unit: str
    unit_label: str
    grams_per_unit: float | None
    mitragynine_mg_per_g: float | None
    hydroxy_mg_per_g: float | None
    notes: str
    # A concentrated 7-OH product, by its form or its lab 7-OH figure: as the alert decides.
    concentrated_seven_oh: bool = False


@dataclass(frozen=True)
class ProductPage:
    """Products by name, a page at a time, and the cursor of the next page."""

    products: tuple[ProductView, ...]
    next_cursor: str | None


def view(p: Product) -> ProductView:
    """One product row as its view."""
    return ProductView(
        id=p.pk,
        name=p.name,
        vendor=p.vendor,
        strain=p.strain,
        vein=p.vein,
        vein_label=VEINS.get(p.vein, p.vein),  # type: ignore[call-overload]
        form=p.form,
        form_label=PRODUCT_FORMS.get(p.form, p.form),  # type: ignore[call-overload]
        is_leaf=is_leaf(p.form),
        unit=p.unit,
        unit_label=PRODUCT_UNITS.get(p.unit, p.unit),
        grams_per_unit=p.grams_per_unit,
        mitragynine_mg_per_g=p.mitragynine_mg_per_g,
        hydroxy_mg_per_g=p.hydroxy_mg_per_g,
        notes=p.notes,
        concentrated_seven_oh=is_concentrated_seven_oh(p.form, p.hydroxy_mg_per_g),
    )


def products(person: Person) -> list[ProductView]:
    """The person's products (not removed), by name."""
    return [view(p) for p in queries.products(person)]


def product_page(person: Person, cursor: str | None = None, *, limit: int = 50) -> ProductPage:
    """The person's products by name, `limit` at a time, after the one `cursor` points at."""
    after = None
    if cursor:
        name, pk = decode_keys(cursor, (str, int))
        after = (str(name), int(pk))  # type: ignore[call-overload]
    rows = queries.product_rows_page(person, after=after, limit=limit + 1)
    page = rows[:limit]
    more = len(rows) > limit and page
    return ProductPage(
        tuple(view(p) for p in page),
        encode_keys(*queries.name_keys(page[-1])) if more else None,
    )


def product(person: Person, product_id: int) -> ProductView | None:
    """One of the person's products, or None."""
    found = queries.product_row(person, product_id)
    return None if found is None else view(found)
