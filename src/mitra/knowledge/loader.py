"""Load and validate the knowledge base's TOML files into typed, immutable records."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

__all__ = [
    "CrisisResource",
    "Ingredient",
    "KnowledgeBase",
    "KnowledgeError",
    "Source",
    "Symptom",
    "load",
    "read_toml",
    "unique_ids",
    "validate_rows",
]

# A: read in the paper; B: secondary or lay source; official: a service's own page.
Grade = Literal["A", "B", "official"]
Signal = Literal["withdrawal", "liver"]


class KnowledgeError(ValueError):
    """A knowledge file is malformed or refers to something that does not exist."""


class Record(BaseModel):
    """Base of every knowledge record: immutable, and unknown keys are an error (typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Source(Record):
    """A citable source; `grade` B means secondary or lay, shown as weaker evidence."""

    id: str
    citation: str
    url: str
    grade: Grade
    #: "paper": the url opens the paper (DOI, PMC, PMID or the publisher's own page).
    #: "search": no stable link was verified yet; the url is a search that finds it.
    #: "none": the source itself could not be found (its figures are marked unverified).
    link: Literal["paper", "search", "none"] = "paper"
    link_note: str = ""
    #: How a reader cites it when the citation has no personal authors ("US FDA 2025");
    #: otherwise "Surname et al. 2022" is read from the citation (mitra.knowledge.citing).
    short: str = ""

    @field_validator("url")
    @classmethod
    def _url_is_web_address(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("a source's url must be an https:// address a person can open")
        return value


class Symptom(Record):
    """One item of the check-in's symptom checklist."""

    id: str
    label: str
    signals: tuple[Signal, ...] = ()
    sources: tuple[str, ...] = ()


class CrisisResource(Record):
    """A crisis line or emergency number for a locale ("*" for everywhere).

    `href` is how to reach it (a `tel:` number or a web address); a line that also takes text
    messages has `text_action` and an `sms:` `text_href` beside it.
    """

    locale: str
    name: str
    action: str
    href: str
    detail: str
    sources: tuple[str, ...]
    text_action: str | None = None
    text_href: str | None = None

    @field_validator("href")
    @classmethod
    def _href_is_a_number_or_a_web_address(cls, value: str) -> str:
        if not value.startswith(("tel:", "https://")):
            raise ValueError(
                "a crisis resource's href must be a tel: number or an https:// address"
            )
        return value

    @field_validator("text_href")
    @classmethod
    def _text_href_is_an_sms_number(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("sms:"):
            raise ValueError("a crisis resource's text_href must be an sms: number")
        return value

    @model_validator(mode="after")
    def _text_action_comes_with_text_href(self) -> CrisisResource:
        if (self.text_action is None) != (self.text_href is None):
            raise ValueError("a crisis resource's text_action and text_href go together")
        return self


class CrisisRegion(Record):
    """A group of countries that share crisis resources (for example 112 in the EU)."""

    id: str
    name: str
    countries: tuple[str, ...]
    sources: tuple[str, ...]


class Ingredient(Record):
    """An ingredient with its FDA Unique Ingredient Identifier (the code FHIR exports carry)."""

    id: str
    name: str
    unii: str
    sources: tuple[str, ...]

    @field_validator("unii")
    @classmethod
    def _unii_shape(cls, value: str) -> str:
        if len(value) != 10 or not value.isalnum() or value.upper() != value:
            raise ValueError("a UNII is ten upper-case letters and digits")
        return value


class KnowledgeBase(Record):
    """Everything the engines know, validated as a whole (no dangling source ids)."""

    sources: dict[str, Source]
    symptoms: tuple[Symptom, ...]
    crisis: tuple[CrisisResource, ...]
    crisis_regions: tuple[CrisisRegion, ...] = ()
    ingredients: tuple[Ingredient, ...] = ()

    def cite(self, source_ids: tuple[str, ...] | list[str]) -> list[Source]:
        """The sources behind a fact, in the order given."""
        return [self.sources[sid] for sid in source_ids]

    def crisis_resources(self, locale: str = "US") -> list[CrisisResource]:
        """Crisis resources for a country or region: its own, its regions', then everywhere's."""
        code = locale.upper()
        regions = [g.id for g in self.crisis_regions if code in g.countries]
        own = [r for r in self.crisis if r.locale == code]
        shared = [r for r in self.crisis if r.locale in regions and r not in own]
        return own + shared + [r for r in self.crisis if r.locale == "*"]

    def ingredient(self, ingredient_id: str) -> Ingredient:
        """An ingredient by id ("mitragynine"); KeyError if unknown."""
        for item in self.ingredients:
            if item.id == ingredient_id:
                return item
        raise KeyError(ingredient_id)

    def symptom(self, symptom_id: str) -> Symptom:
        """A checklist symptom by id; KeyError if unknown."""
        for item in self.symptoms:
            if item.id == symptom_id:
                return item
        raise KeyError(symptom_id)


def read_toml(name: str) -> dict[str, Any]:
    """Parse one TOML file shipped in this package.

    The parsed tables are kept beside the package's bytecode, keyed by a digest of the file's
    text, as Python keeps compiled modules: a command reads them as JSON, in about a fifth of the
    time tomllib (pure Python) takes to parse them again. A changed file has another digest, so a
    kept copy is never stale; where the folder cannot be written the file is simply parsed.
    """
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    kept = _kept_path(name, text)
    if kept is not None:
        try:
            data = json.loads(kept.read_bytes())
        except (OSError, ValueError):
            pass
        else:
            if isinstance(data, dict):
                return data
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{name}: {exc}") from exc
    if kept is not None:
        _keep(kept, data)
    return data


def _kept_path(name: str, text: str) -> Path | None:
    folder = resources.files(__package__)
    if not isinstance(folder, Path):  # not a plain folder (a zip): nowhere to keep it
        return None
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
    return folder / "__pycache__" / f"{name}.{digest}.json"


def _keep(path: Path, data: dict[str, Any]) -> None:
    """Write the parsed tables for the next command; any failure leaves only the parse."""
    try:
        blob = json.dumps(data).encode("utf-8")  # plain tables only: a TOML date refuses
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob(path.name.split(".", 2)[0] + ".toml.*.json"):
            old.unlink(missing_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".json")
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temporary, path)
    except (OSError, TypeError, ValueError):
        return


def validate_rows(name: str, key: str, rows: list[Any], model: type[Record]) -> list[Any]:
    """Validate each row of a file's `key` table; an error names the file, table and row."""
    out = []
    for index, row in enumerate(rows):
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            ident = row.get("id", f"#{index + 1}")
            raise KnowledgeError(f"{name}: {key} {ident}: {exc}") from exc
    return out


def _records(name: str, key: str, model: type[Record]) -> list[Any]:
    return validate_rows(name, key, read_toml(name).get(key, []), model)


def unique_ids(name: str, ids: list[str]) -> None:
    """Refuse an id used twice in one file."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise KnowledgeError(f"{name}: id {ident!r} is used twice")
        seen.add(ident)


@cache
def load() -> KnowledgeBase:
    """The validated knowledge base (parsed once per process)."""
    sources: list[Source] = _records("sources.toml", "source", Source)
    unique_ids("sources.toml", [s.id for s in sources])
    symptoms: list[Symptom] = _records("symptoms.toml", "symptom", Symptom)
    unique_ids("symptoms.toml", [s.id for s in symptoms])
    known = {s.id for s in sources}
    for symptom in symptoms:
        missing = [sid for sid in symptom.sources if sid not in known]
        if missing:
            raise KnowledgeError(f"symptoms.toml: {symptom.id} cites unknown sources {missing}")
        if symptom.signals and not symptom.sources:
            raise KnowledgeError(f"symptoms.toml: {symptom.id} signals a concern without a source")
    crisis: list[CrisisResource] = _records("crisis.toml", "resource", CrisisResource)
    for resource in crisis:
        missing = [sid for sid in resource.sources if sid not in known]
        if missing or not resource.sources:
            raise KnowledgeError(f"crisis.toml: {resource.name} needs known sources, has {missing}")
    regions: list[CrisisRegion] = _records("crisis.toml", "region", CrisisRegion)
    ingredients: list[Ingredient] = _records("ingredients.toml", "ingredient", Ingredient)
    unique_ids("ingredients.toml", [i.id for i in ingredients])
    for ingredient in ingredients:
        missing = [sid for sid in ingredient.sources if sid not in known]
        if missing or not ingredient.sources:
            raise KnowledgeError(
                f"ingredients.toml: {ingredient.id} needs known sources, has {missing}"
            )
    return KnowledgeBase(
        sources={s.id: s for s in sources},
        symptoms=tuple(symptoms),
        crisis=tuple(crisis),
        crisis_regions=tuple(regions),
        ingredients=tuple(ingredients),
    )
