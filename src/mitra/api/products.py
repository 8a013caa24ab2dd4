"""API: the person's kratom products, and adding one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from mitra.journal import services
from mitra.journal.schemas import AlkaloidMgPerG, GramsPerUnit
from mitra.reads import products as product_reads
from mitra.reads.products import ProductPage, ProductView
from mitra.vocabulary import PRODUCT_FORMS, PRODUCT_UNITS, VEINS

from .documents import respond
from .pages import Cursor, Limit, paged
from .people import person_of
from .writes import LINES, ONE_LINE, PROBLEMS, WRITE_PROBLEMS, Body, Token, change, create

router = Router(tags=["products"])


class ProductFields(Body):
    name: str = Field(..., min_length=1, max_length=120, pattern=ONE_LINE)
    vendor: str = Field("", max_length=120, pattern=ONE_LINE)
    strain: str = Field(
        "", max_length=80, pattern=ONE_LINE, description="The vendor's label, e.g. Maeng Da"
    )
    vein: str = Field("unknown", max_length=16, json_schema_extra={"enum": list(VEINS)})
    form: str = Field("powder", max_length=16, json_schema_extra={"enum": list(PRODUCT_FORMS)})
    unit: str = Field("g", max_length=16, json_schema_extra={"enum": list(PRODUCT_UNITS)})
    # The journal's own types: their bounds are the ones the server holds to.
    grams_per_unit: GramsPerUnit = None
    mitragynine_mg_per_g: AlkaloidMgPerG = None
    hydroxy_mg_per_g: AlkaloidMgPerG = None
    notes: str = Field("", max_length=2000, pattern=LINES)
    confirm: bool = Field(
        False,
        description="Save a leaf product whose lab mitragynine is far above that of the "
        "lab-tested leaf products (most likely a slip in typing it; the bound is in the "
        "knowledge base): without it such a figure is refused, 422 with code "
        "implausible_content. A figure saved before is not asked about again.",
    )


class ProductBody(ProductFields):
    token: Token = None


class ProductChange(ProductFields):
    """A product's new content in full: a field left out takes its default (a lab figure left
    out is cleared), and its doses are counted again with the new figures."""


@router.get(
    "",
    response={200: ProductPage, **PROBLEMS},
    summary="The person's kratom products, by name, a page at a time",
)
def list_products(request: HttpRequest, limit: Limit = 50, cursor: Cursor = None) -> HttpResponse:
    person = person_of(request)
    return respond(paged(lambda: product_reads.product_page(person, cursor, limit=limit)))


@router.post(
    "",
    response={200: ProductView, 201: ProductView, **WRITE_PROBLEMS},
    summary="Add a kratom product",
)
def add_product(request: HttpRequest, payload: ProductBody) -> HttpResponse:
    return create(
        request,
        services.add_product,
        payload.dict(exclude={"token"}),
        payload.token,
        lambda person, row: product_reads.view(row),
    )


@router.put(
    "/{product_id}",
    response={200: ProductView, **WRITE_PROBLEMS},
    summary="Change a product: the body is its new content in full",
)
def change_product(request: HttpRequest, product_id: int, payload: ProductChange) -> HttpResponse:
    return change(
        request,
        services.edit_product,
        product_id,
        payload.dict(),
        lambda person, row: product_reads.view(row),
    )
