"""The knowledge base: sources, symptoms, and (later) substances, interactions and PK, as data."""

from mitra.knowledge.loader import (
    CrisisResource,
    Ingredient,
    KnowledgeBase,
    KnowledgeError,
    Source,
    Symptom,
    load,
)

__all__ = [
    "CrisisResource",
    "Ingredient",
    "KnowledgeBase",
    "KnowledgeError",
    "Source",
    "Symptom",
    "load",
]
