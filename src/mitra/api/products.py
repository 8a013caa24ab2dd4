"""API: the person's kratom products."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mitra.reads import products as product_reads
from mitra.reads.products import ProductView

from .documents import respond
from .people import person_of

router = Router(tags=["products"])


@router.get("", response={200: list[ProductView]}, summary="The person's kratom products")
def list_products(request: HttpRequest) -> HttpResponse:
    return respond(product_reads.products(person_of(request)), list[ProductView])
