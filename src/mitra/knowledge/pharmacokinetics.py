"""Load and validate pharmacokinetics.toml: study parameter sets, alkaloid content, dose context.

Each study's parameter set is kept whole; model parameters are derived from one set's own figures
by `mitra.pharmacology.exposure`, following the set's named recipe, never stored here.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import ValidationError, model_validator

from mitra.knowledge.citing import readable_tree
from mitra.knowledge.loader import KnowledgeError, Record, load, read_toml

__all__ = [
    "Alkaloid",
    "Caveat",
    "ContentFigure",
    "DefaultContent",
    "DoseBand",
    "DoseContext",
    "Figure",
    "ModelRecipe",
    "MolarMass",
    "ParameterSet",
    "Pharmacokinetics",
    "load_pharmacokinetics",
]

FILE = "pharmacokinetics.toml"

Alkaloid = Literal["mitragynine", "7-hydroxymitragynine"]
ProductKind = Literal["leaf", "7-OH product"]

#: Figures each recipe step reads from a parameter set (all must have a central value).
RECIPE_NEEDS: dict[str, tuple[str, ...]] = {
    "elimination:half_life": ("half_life_hours",),
    "absorption:tmax": ("tmax_hours",),
    "volume:clearance": ("clearance_L_per_h",),
    "volume:per_kg": ("volume_L_per_kg",),
    "absorption:fit": ("tmax_hours", "cmax_nM"),
    "volume:auc": ("auc_nM_h",),
}


class Figure(Record):
    """One reported figure: a central value with its spread (SD, or minimum and maximum).

    A figure may be a bare range (huestis2024 reports medians per dose group as a span) or a bare
    upper bound ("up to 43.4 h"); only figures with a central value can feed a model.
    """

    value: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Figure:
        if self.value is None and self.low is None and self.high is None:
            raise ValueError("a figure needs a value, a range, or a bound")
        if self.sd is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either sd or low/high, not both")
        if self.sd is not None and (self.value is None or self.sd < 0):
            raise ValueError("sd needs a value and must not be negative")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is above high")
        if self.value is not None:
            if self.low is not None and self.value < self.low:
                raise ValueError("value is below low")
            if self.high is not None and self.value > self.high:
                raise ValueError("value is above high")
        return self


class ModelRecipe(Record):
    """How a one-compartment model is derived from the set's own figures.

    elimination "half_life": ke = ln 2 / t1/2. absorption "tmax": ka solved from Tmax given ke.
    volume "clearance": V/F = (CL/F) / ke; "per_kg": V/F = (Vd/F per kg) x body mass.

    With `compartments = 2` the model is a two-compartment oral model fitted to the set's
    medians (absorption "fit": Tmax and Cmax; volume "auc": AUCinf and the dose; elimination
    "half_life": the terminal half-life). Those figures leave one degree of freedom (the
    absorption rate), which the code bounds and carries into the variability band.
    """

    compartments: Literal[1, 2] = 1
    elimination: Literal["half_life"]
    absorption: Literal["tmax", "fit"]
    volume: Literal["clearance", "per_kg", "auc"]

    @model_validator(mode="after")
    def _steps_fit_compartments(self) -> ModelRecipe:
        two = (self.absorption, self.volume) == ("fit", "auc")
        if (self.compartments == 2) != two:
            raise ValueError('a two-compartment recipe is absorption "fit" with volume "auc"')
        return self

    def needs(self) -> tuple[str, ...]:
        """Names of the figures this recipe reads."""
        steps = (
            f"elimination:{self.elimination}",
            f"absorption:{self.absorption}",
            f"volume:{self.volume}",
        )
        return tuple(name for step in steps for name in RECIPE_NEEDS[step])


class Caveat(Record):
    """A limitation of a parameter set, with the sources that support it."""

    text: str
    sources: tuple[str, ...]


class ParameterSet(Record):
    """One study's pharmacokinetic figures for one alkaloid, kept whole with their spread."""

    id: str
    alkaloid: Alkaloid
    label: str
    population: str
    formulation: str
    dose_mg: float | None = None
    dose_mg_low: float | None = None
    dose_mg_high: float | None = None
    statistic: Literal["mean", "median"]
    spread: Literal["sd", "range", "none"]
    sources: tuple[str, ...]
    figures: dict[str, Figure]
    model: ModelRecipe | None = None
    caveats: tuple[Caveat, ...] = ()

    @model_validator(mode="after")
    def _spread_matches_figures(self) -> ParameterSet:
        for name, fig in self.figures.items():
            if self.spread == "sd" and (fig.low is not None or fig.high is not None):
                raise ValueError(f"{name}: this set reports mean +/- SD, not ranges")
            if self.spread == "range" and fig.sd is not None:
                raise ValueError(f"{name}: this set reports medians with ranges, not SDs")
            if self.spread == "none" and (fig.sd is not None or fig.low is not None):
                raise ValueError(f"{name}: this set reports no spread")
        if self.model is not None:
            for name in self.model.needs():
                needed = self.figures.get(name)
                if needed is None or needed.value is None:
                    raise ValueError(f"its model needs a central value for {name}")
            if self.model.compartments == 2 and self.dose_mg is None:
                raise ValueError("a model fitted to reported medians needs the study's dose_mg")
        return self

    def figure(self, name: str) -> Figure:
        """A figure by name; KeyError if this study did not report it."""
        return self.figures[name]

    def central(self, name: str) -> float:
        """The central value (mean or median) of a figure; KeyError if there is none."""
        value = self.figures[name].value
        if value is None:
            raise KeyError(f"{self.id} reports no central value for {name}")
        return value

    def all_sources(self) -> tuple[str, ...]:
        """The set's sources and its caveats' sources, each once, in order of appearance."""
        ids = [*self.sources, *(sid for caveat in self.caveats for sid in caveat.sources)]
        return tuple(dict.fromkeys(ids))


class MolarMass(Record):
    """The molar mass of an alkaloid, to convert mg/L to nmol/L."""

    alkaloid: Alkaloid
    formula: str
    g_per_mol: float
    sources: tuple[str, ...]


class ContentFigure(Record):
    """A measured alkaloid content of a product kind, in mg per g of product."""

    id: str
    alkaloid: Literal["mitragynine", "7-hydroxymitragynine", "total alkaloids"]
    product: ProductKind
    mg_per_g: float | None = None
    low_mg_per_g: float | None = None
    high_mg_per_g: float | None = None
    #: True for a figure that could not be found in the source it is attributed to; such a
    #: figure never feeds a dose estimate (see `_check_references`).
    unverified: bool = False
    note: str
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _has_a_figure(self) -> ContentFigure:
        if self.mg_per_g is None and (self.low_mg_per_g is None or self.high_mg_per_g is None):
            raise ValueError("a content figure needs mg_per_g or both low and high")
        return self

    @property
    def span(self) -> tuple[float, float]:
        """(low, high) in mg/g: the reported range, or the single figure twice."""
        low = self.low_mg_per_g if self.low_mg_per_g is not None else self.mg_per_g
        high = self.high_mg_per_g if self.high_mg_per_g is not None else self.mg_per_g
        assert low is not None  # guaranteed by _has_a_figure
        assert high is not None
        return low, high


class DefaultContent(Record):
    """Which content figures stand in for a product with no lab figure, and how."""

    alkaloid: Alkaloid
    product: ProductKind
    central: str  # a content id, or "midpoint" of the span (a derived value)
    span: tuple[str, ...]
    note: str


class DoseBand(Record):
    """One band of a dose-context scheme, in grams of leaf per dose (open above if no high)."""

    label: str
    low_g: float
    high_g: float | None = None
    doses_per_week_low: int | None = None


class DoseContext(Record):
    """One source's dose bands, shown as context beside the others, never as advice."""

    id: str
    label: str
    kind: Literal["effect", "risk", "pattern", "tier"]
    anecdotal: bool
    note: str
    sources: tuple[str, ...]
    bands: tuple[DoseBand, ...]


class Pharmacokinetics(Record):
    """Everything pharmacokinetics.toml holds, validated as a whole."""

    molar_masses: dict[str, MolarMass]
    parameter_sets: dict[str, ParameterSet]
    content: dict[str, ContentFigure]
    default_content: tuple[DefaultContent, ...]
    dose_context: tuple[DoseContext, ...]

    def parameter_set(self, set_id: str) -> ParameterSet:
        """A study's parameter set by id; KeyError naming the known ids if unknown."""
        try:
            return self.parameter_sets[set_id]
        except KeyError:
            known = ", ".join(self.parameter_sets)
            raise KeyError(f"unknown parameter set {set_id!r}; known: {known}") from None

    def modelled_sets(self, alkaloid: Alkaloid = "mitragynine") -> list[ParameterSet]:
        """Parameter sets of an alkaloid from which a concentration model can be derived."""
        return [s for s in self.parameter_sets.values() if s.alkaloid == alkaloid and s.model]

    def molar_mass(self, alkaloid: Alkaloid) -> float:
        """Molar mass in g/mol."""
        return self.molar_masses[alkaloid].g_per_mol

    def leaf_mitragynine_span(self) -> tuple[float, float, tuple[str, ...]]:
        """The lowest and highest mg of mitragynine per g of the lab-tested leaf products that
        the leaf default spans, and their sources (for the grams of leaf holding as much)."""
        rows = [self.content[cid] for cid in self.default_for("mitragynine", "leaf").span]
        sources = tuple(dict.fromkeys(sid for row in rows for sid in row.sources))
        return min(row.span[0] for row in rows), max(row.span[1] for row in rows), sources

    def default_for(self, alkaloid: Alkaloid, product: str) -> DefaultContent:
        """The literature default for an alkaloid in a product kind; KeyError if there is none."""
        for row in self.default_content:
            if row.alkaloid == alkaloid and row.product == product:
                return row
        raise KeyError(f"no literature default for {alkaloid} in {product}")

    def cited_source_ids(self) -> set[str]:
        """Every source id any figure in this file cites."""
        ids: set[str] = set()
        for mass in self.molar_masses.values():
            ids.update(mass.sources)
        for pset in self.parameter_sets.values():
            ids.update(pset.all_sources())
        for row in self.content.values():
            ids.update(row.sources)
        for scheme in self.dose_context:
            ids.update(scheme.sources)
        return ids


def _validated(model: type[Record], row: dict[str, Any], where: str) -> Any:
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        raise KnowledgeError(f"{FILE}: {where}: {exc}") from exc


def _unique_by(key: str, rows: list[Any], what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        ident = getattr(row, key)
        if ident in out:
            raise KnowledgeError(f"{FILE}: {what} {ident!r} appears twice")
        out[ident] = row
    return out


def parse_pharmacokinetics(data: dict[str, Any], known_sources: set[str]) -> Pharmacokinetics:
    """Validate parsed TOML against the schema and the known source ids."""
    masses = [
        _validated(MolarMass, r, f"molar_mass {r.get('alkaloid', '?')}")
        for r in data.get("molar_mass", [])
    ]
    sets = [
        _validated(ParameterSet, r, f"parameter_set {r.get('id', '?')}")
        for r in data.get("parameter_set", [])
    ]
    content = [
        _validated(ContentFigure, r, f"content {r.get('id', '?')}") for r in data.get("content", [])
    ]
    defaults = [
        _validated(DefaultContent, r, f"default_content {r.get('alkaloid', '?')}")
        for r in data.get("default_content", [])
    ]
    context = [
        _validated(DoseContext, r, f"dose_context {r.get('id', '?')}")
        for r in data.get("dose_context", [])
    ]
    pk = Pharmacokinetics(
        molar_masses=_unique_by("alkaloid", masses, "molar mass of"),
        parameter_sets=_unique_by("id", sets, "parameter set"),
        content=_unique_by("id", content, "content"),
        default_content=tuple(defaults),
        dose_context=tuple(_unique_by("id", context, "dose context").values()),
    )
    _check_references(pk, known_sources)
    return pk


def _check_references(pk: Pharmacokinetics, known_sources: set[str]) -> None:
    def cited(where: str, ids: tuple[str, ...]) -> None:
        if not ids:
            raise KnowledgeError(f"{FILE}: {where} cites no source")
        missing = [sid for sid in ids if sid not in known_sources]
        if missing:
            raise KnowledgeError(f"{FILE}: {where} cites unknown sources {missing}")

    for mass in pk.molar_masses.values():
        cited(f"molar mass of {mass.alkaloid}", mass.sources)
    for pset in pk.parameter_sets.values():
        cited(f"parameter set {pset.id}", pset.sources)
        for caveat in pset.caveats:
            cited(f"a caveat of {pset.id}", caveat.sources)
        if pset.alkaloid not in pk.molar_masses:
            raise KnowledgeError(f"{FILE}: {pset.id}: no molar mass for {pset.alkaloid}")
    for row in pk.content.values():
        cited(f"content {row.id}", row.sources)
    for scheme in pk.dose_context:
        cited(f"dose context {scheme.id}", scheme.sources)
    for default in pk.default_content:
        for cid in (*default.span, *([] if default.central == "midpoint" else [default.central])):
            drawn = pk.content.get(cid)
            if drawn is None:
                raise KnowledgeError(f"{FILE}: a default refers to unknown content {cid!r}")
            if drawn.unverified:
                raise KnowledgeError(
                    f"{FILE}: the default for {default.alkaloid} in {default.product} draws on "
                    f"{cid}, an unverified figure"
                )
            if (drawn.alkaloid, drawn.product) != (default.alkaloid, default.product):
                raise KnowledgeError(
                    f"{FILE}: the default for {default.alkaloid} in {default.product} "
                    f"draws on {cid}, which is about {drawn.alkaloid} in {drawn.product}"
                )


@cache
def load_pharmacokinetics() -> Pharmacokinetics:
    """The validated pharmacokinetics knowledge (parsed once per process)."""
    return parse_pharmacokinetics(readable_tree(read_toml(FILE)), set(load().sources))
