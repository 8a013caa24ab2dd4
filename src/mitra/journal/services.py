"""One function per user action. Each validates its input against its schema, then writes in one
transaction. Web, API and CLI call these; none of them writes models directly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from mitra.instruments import InstrumentError, MissingAnswersError, Score, score
from mitra.knowledge.citing import short_citation
from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
from mitra.pharmacology import UnknownUnitError, normalise_dose
from mitra.safety import is_concentrated_seven_oh
from mitra.safety.evidence import grams_text
from mitra.safety.interactions import resolve
from mitra.safety.parameters import load_rule_parameters
from mitra.vocabulary import LEAF_FORMS, is_leaf, unit_text

from .alerts import acknowledge_crisis_alert, event_of, refresh_after_commit
from .errors import (
    ConfirmationNeeded,
    DuplicateSubmission,
    EntryInvalid,
    NotFound,
    StoppedAfterSaving,
    TokenReused,
    from_validation_error,
)
from .models import (
    CheckIn,
    Dose,
    Entry,
    Intake,
    Person,
    Practice,
    Product,
    Response,
    Substance,
)
from .schemas import (
    MAX_DOSE_GRAMS,
    CheckInIn,
    DoseIn,
    IntakeTyped,
    PersonIn,
    PracticeIn,
    ProductIn,
    ResponseIn,
    SubstanceIn,
    When,
    control_problem,
    name_key,
)
from .timeline_builder import clock_of
from .version import journal_changed

S = TypeVar("S", bound=BaseModel)


class PracticeAt(PracticeIn):
    """A practice logged on its own carries its own time."""

    at: When


TOKEN_LENGTH = 64  # the column's size
E = TypeVar("E", bound=Entry)
# What `_create_once` stores: an entry, or another row with a replay token (a taper).
Once = TypeVar("Once", bound=Model)


def validate(schema: type[S], data: Mapping[str, Any]) -> S:
    """Parse `data` with `schema`, or raise EntryInvalid with one message per field."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        raise from_validation_error(exc) from None


# --- the person -------------------------------------------------------------------------------


def get_person() -> Person | None:
    """The journal's person (single-user mode), or None before first run."""
    return Person.objects.order_by("pk").first()


def several_journals() -> bool:
    """Whether the database holds more than one person's journal (accounts made them)."""
    return Person.objects.order_by("pk")[1:2].exists()


@transaction.atomic
def set_up_person(
    data: Mapping[str, Any], person: Person | None = None, *, refresh: bool = True
) -> Person:
    """First run: create the person with their time zone; later, change their settings.

    Settings not given keep their current values. `person` is whose settings change (with
    accounts on, the signed-in person's); without it, the one journal's person. `refresh`
    False: a writer that refreshes the alerts itself once its transaction commits (an import)
    spares the refresh a new clock would ask for.
    """
    person = person or get_person()
    current = (
        {}
        if person is None
        else {
            "time_zone": person.time_zone,
            "day_boundary_hour": person.day_boundary_hour,
            "name": person.name,
            "gad7_every_days": person.gad7_every_days,
            "crisis_contacts": person.crisis_contacts,
        }
    )
    clean = validate(PersonIn, current | dict(data))
    if person is None:
        return Person.objects.create(**clean.model_dump())
    moved = (clean.time_zone, clean.day_boundary_hour) != (
        current["time_zone"],
        current["day_boundary_hour"],
    )
    _set_fields(person, clean.model_dump())
    person.save(update_fields=[*clean.model_dump()])  # `version` is raised by its own update
    if moved and refresh:
        # A new time zone or day boundary moves every day: a streak or a day's total counted on
        # the old days is told again on the new ones at once, not at the next entry.
        refresh_after_commit(person, recount=True)
    else:
        journal_changed(person)
    return person


def add_person(data: Mapping[str, Any]) -> Person:
    """A new journal for another person (an account): their settings, validated as at first run."""
    clean = validate(PersonIn, dict(data))
    return Person.objects.create(**clean.model_dump())


# --- shared mechanics ---------------------------------------------------------------------------


def _existing(model: type[Once], person: Person, token: str | None) -> Once | None:
    if not token:
        return None
    return cast(Any, model).objects.filter(person=person, token=token).first()  # type: ignore[no-any-return]


def _create_once(
    model: type[Once],
    person: Person,
    token: str | None,
    build: Callable[[], Once],
    *,
    refresh: bool = True,
    same_as: Mapping[str, Any] | None = None,
) -> Once:
    """Create through `build` in one transaction, which also raises the journal's version and
    has the alerts refreshed once it commits (with `refresh` False, only raises the version);
    a replayed token raises DuplicateSubmission, or TokenReused when the entry it saved differs
    from `same_as` (the new entry's values, its time left out: a retry without one takes now)."""
    # Every face passes the token through here: a control character (NUL: PostgreSQL cannot
    # store it) or an overlong token is refused before it reaches the database.
    if token and (len(token) > TOKEN_LENGTH or control_problem(token)):
        raise EntryInvalid({"token": "is not a form token mitra made; reload the page"})
    # The insert is tried first: the (person, token) constraint (or a check in `build`, such as
    # a product's taken name) refuses a replay, which is then looked up, so a new entry costs
    # no lookup before it.
    saved: list[Once] = []
    try:
        with transaction.atomic():
            made = build()
            # First of the commit's callbacks: a stop raised by a later one (the alert refresh
            # holds Ctrl-C until it has ended) comes after the entry is in the journal.
            transaction.on_commit(lambda: saved.append(made))
            if refresh:
                # In the entry's own transaction: one commit for the entry and the version.
                refresh_after_commit(person, event_of(model))
            else:
                # Nothing the alerts or the timeline read changed (a product no dose names
                # yet), but pages did: Today offers the dose form once a product exists.
                journal_changed(person, frozenset())
            return made
    except KeyboardInterrupt as stop:
        if saved and not isinstance(stop, StoppedAfterSaving):
            raise StoppedAfterSaving(saved[0]) from stop
        raise
    except (IntegrityError, EntryInvalid):
        # A replay, or two copies of one submission racing: the first is kept and answers.
        if (found := _existing(model, person, token)) is not None:
            if same_as is not None and not _same_values(found, same_as):
                word = model.__name__.lower()
                raise TokenReused(found, _KIND_WORDS.get(word, word)) from None
            raise DuplicateSubmission(found) from None
        raise


def _values(entry: Any, *names: str) -> dict[str, Any]:
    """An unsaved entry's values by field name, for `_create_once`'s `same_as`."""
    return {name: getattr(entry, name) for name in names}


def _same_values(entry: Any, values: Mapping[str, Any]) -> bool:
    """Whether a stored entry holds `values` (numbers compared as stored, to a millionth)."""
    for name, wanted in values.items():
        held = getattr(entry, name)
        if isinstance(wanted, float) and isinstance(held, int | float):
            if abs(float(held) - wanted) > 1e-6 * max(1.0, abs(wanted)):
                return False
        elif held != wanted:
            return False
    return True


def _get(model: type[E], person: Person, entry_id: int, *, deleted: bool = False) -> E:
    try:
        entry: E = cast(Any, model).objects.get(
            person=person, pk=entry_id, deleted_at__isnull=not deleted
        )
        return entry
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no {model.__name__.lower()} {entry_id} in this journal") from None


def _owned_product(person: Person, product_id: int) -> Product:
    try:
        return _get(Product, person, product_id)
    except NotFound:
        raise EntryInvalid({"product_id": "choose one of your products"}) from None


def _set_fields(entry: Model, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        setattr(entry, key, value)


def _deleter(model: type[E]) -> Callable[[Person, int], E]:
    @transaction.atomic
    def delete(person: Person, entry_id: int) -> E:
        entry = _get(model, person, entry_id)
        entry.deleted_at = timezone.now()
        entry.save(update_fields=["deleted_at", "updated_at"])
        refresh_after_commit(person, event_of(model))  # alerts resting on it are withdrawn
        return entry

    delete.__name__ = f"delete_{model.__name__.lower()}"
    delete.__doc__ = f"Delete a {model.__name__.lower()} (it can be restored: undo)."
    return delete


def _restorer(model: type[E]) -> Callable[[Person, int], E]:
    @transaction.atomic
    def restore(person: Person, entry_id: int) -> E:
        entry = _get(model, person, entry_id, deleted=True)
        entry.deleted_at = None
        entry.save(update_fields=["deleted_at", "updated_at"])
        refresh_after_commit(person, event_of(model))
        return entry

    restore.__name__ = f"restore_{model.__name__.lower()}"
    restore.__doc__ = f"Undo the deletion of a {model.__name__.lower()}."
    return restore


# --- products -----------------------------------------------------------------------------------


def refuse_implausible_content(product: ProductIn) -> None:
    """ConfirmationNeeded when a leaf product's lab mitragynine is more than a few times that
    of the richest lab-tested leaf products (safety_rules.toml, product_entry): most likely a
    slip in typing it (15,5 read as 155), and every dose's estimated mg would be as far out."""
    if product.mitragynine_mg_per_g is None or not is_leaf(product.form):
        return
    _, rich, leaf_sources = load_pharmacokinetics().leaf_mitragynine_span()
    rules = load_rule_parameters()
    factor = rules.number("product_entry", "leaf_mitragynine_factor")
    figure = product.mitragynine_mg_per_g
    if figure > rich * factor:
        cited = tuple(
            dict.fromkeys(
                (*leaf_sources, *rules.get("product_entry", "leaf_mitragynine_factor").sources)
            )
        )
        raise ConfirmationNeeded(
            "implausible_content",
            "mitragynine_mg_per_g",
            f"is {figure:g} mg per g ({figure / 10:g}% of the leaf), more than {factor:g} times "
            f"the {rich:g} mg per g of the richer of the lab-tested leaf products "
            f"({_cited(cited)}); are you sure? Check the lab report (1.5% is 15 mg per g)",
            cited,
        )


def add_product(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> Product:
    """Add a kratom product (a leaf product's lab figure far above the literature's is asked
    about first: `confirm`)."""
    clean = validate(ProductIn, data)
    content = clean.model_dump(exclude={"confirm"})

    def build() -> Product:
        _refuse_taken_name(person, clean.name)
        if not clean.confirm:
            refuse_implausible_content(clean)
        return Product.objects.create(person=person, token=token or None, **content)

    return _create_once(Product, person, token, build, refresh=False, same_as=content)


def _refuse_taken_name(
    person: Person,
    name: str,
    *,
    model: type[Product] | type[Substance] = Product,
    other_than: int | None = None,
) -> None:
    """EntryInvalid when another of the person's products (or substances) has this name, in
    any case.

    Doses are logged by a product's name, and intakes by a substance's, so two of one name could
    not be told apart (and a substance listed twice would count twice). Journals that already
    hold two such entries still load: only adding or renaming is refused.
    """
    entries = model.objects.filter(person=person, deleted_at__isnull=True)
    if other_than is not None:
        entries = entries.exclude(pk=other_than)
    taken = entries.values_list("name", flat=True)
    wanted = name_key(name)
    if any(name_key(existing) == wanted for existing in taken):
        kind = "products" if model is Product else "substances"
        raise EntryInvalid({"name": f"is already the name of one of your {kind}: {name}"})


@transaction.atomic
def edit_product(person: Person, product_id: int, data: Mapping[str, Any]) -> Product:
    """Change a product; its doses are normalised again with the new figures."""
    clean = validate(ProductIn, data)
    product = _get(Product, person, product_id)
    if name_key(clean.name) != name_key(product.name):
        _refuse_taken_name(person, clean.name, other_than=product.pk)
    # A figure confirmed before is not asked about again: only a new figure, or one that a
    # change of form makes a leaf product's, is.
    changed = clean.mitragynine_mg_per_g != product.mitragynine_mg_per_g or (
        is_leaf(clean.form) and not is_leaf(product.form)
    )
    if changed and not clean.confirm:
        refuse_implausible_content(clean)
    _set_fields(product, clean.model_dump(exclude={"confirm"}))
    doses = list(product.doses.filter(deleted_at__isnull=True))
    for dose in doses:
        try:
            normalise_into(dose, product)
        except EntryInvalid:
            raise EntryInvalid(
                {"unit": f"doses of this product were logged in {dose.unit}: keep that unit"}
            ) from None
    Dose.objects.bulk_update(doses, ["grams", "mg_mitragynine", "mg_7oh"], batch_size=500)
    product.save()
    refresh_after_commit(person, "product")
    return product


delete_product = _deleter(Product)
restore_product = _restorer(Product)


# --- doses --------------------------------------------------------------------------------------


def normalise_into(dose: Dose, product: Product) -> None:
    """Set a dose's grams and lab mg from its amount, unit and product; refuse the implausible."""
    for name, value in dose_figures(dose.amount, dose.unit, product).items():
        setattr(dose, name, value)


def _highest_band(rule: str, name: str) -> tuple[float, str, tuple[str, ...]]:
    """The low edge (g of leaf), label and sources of the dose band a safety rule compares with."""
    scheme_id, label = load_rule_parameters().names(rule, name)
    for scheme in load_pharmacokinetics().dose_context:
        for band in scheme.bands:
            if scheme.id == scheme_id and band.label == label:
                return band.low_g, band.label, scheme.sources
    raise KeyError(f"no dose band {label!r} in dose context {scheme_id!r}")


def _cited(source_ids: tuple[str, ...]) -> str:
    """Sources in a line, as readers cite them: "Prozialeck et al. 2012; Grundmann 2017"."""
    return "; ".join(short_citation(s) for s in source_ids)


def refuse_implausible(person: Person, dose: Dose, product: Product) -> None:
    """ConfirmationNeeded when a leaf dose, or its day's total, reaches the highest dose band,
    or a dose of a concentrated 7-OH product (by its form or its lab figure, as the alert
    decides) holds more 7-OH by its lab figure than the largest labelled dose of the products
    studied (safety_rules.toml, seven_oh_product).

    The figures are the ones the safety rules compare with (safety_rules.toml: the warning band
    of dose_above_band, the band of day_total_above_band), so "are you sure?" is asked exactly
    where the journal would warn afterwards. Grams of an extract or a 7-OH product are not grams
    of leaf and are never compared; its lab-tested mitragynine is, as the grams of leaf that hold
    as much at the richer of the lab-tested leaf products (the smaller figure).
    """
    if dose.mg_7oh is not None and is_concentrated_seven_oh(product.form, product.hydroxy_mg_per_g):
        rules = load_rule_parameters()
        largest = rules.number("seven_oh_product", "largest_labelled_dose_mg")
        cited = rules.get("seven_oh_product", "largest_labelled_dose_mg").sources
        if dose.mg_7oh > largest:
            raise ConfirmationNeeded(
                "implausible_amount",
                "amount",
                f"holds {dose.mg_7oh:,.0f} mg of 7-OH by the product's lab figure, more than "
                f"the largest labelled dose of the 7-OH products studied ({largest:g} mg; "
                f"{_cited(cited)}), and 7-OH acts on opioid receptors; are you sure? "
                "Check the amount and unit",
                cited,
            )
    low_g, label, sources = _highest_band("dose_above_band", "warning_band")
    if not is_leaf(product.form):
        if dose.mg_mitragynine is None or product.mitragynine_mg_per_g is None:
            return
        poor, rich, leaf_sources = load_pharmacokinetics().leaf_mitragynine_span()
        if dose.mg_mitragynine / rich >= low_g:
            raise ConfirmationNeeded(
                "implausible_amount",
                "amount",
                f"holds {dose.mg_mitragynine:,.0f} mg of mitragynine by the product's lab figure, "
                f"as much as {grams_text(dose.mg_mitragynine / rich)} to "
                f"{grams_text(dose.mg_mitragynine / poor)} of leaf ({_cited(leaf_sources)}): at "
                f"or above {low_g:g} g, where the highest "
                f"dose band ('{label}') starts ({_cited(sources)}); are you sure? Check the "
                "amount and unit",
                (*sources, *leaf_sources),
            )
        return
    smallest_g, smallest, smallest_sources = _highest_band("dose_entry", "smallest_band")
    rules = load_rule_parameters()
    fraction = rules.number("dose_entry", "smallest_fraction")
    if dose.grams < smallest_g * fraction:
        # Most likely a slip of unit (3 mg typed for 3 g): asked about, logged once confirmed.
        cited = (*smallest_sources, *rules.get("dose_entry", "smallest_fraction").sources)
        raise ConfirmationNeeded(
            "implausibly_small_amount",
            "amount",
            f"is {grams_text(dose.grams)} of leaf in one dose, under "
            f"{grams_text(smallest_g * fraction)}: a small part of the {smallest_g:g} g where "
            f"the lowest dose band ('{smallest}') starts ({_cited(cited)}); is "
            f"{unit_text(dose.amount, dose.unit)} right, or did you mean another unit? Check "
            "the amount and unit",
            cited,
        )
    if dose.grams >= low_g:
        raise ConfirmationNeeded(
            "implausible_amount",
            "amount",
            f"is {dose.grams:g} g of leaf in one dose, at or above {low_g:g} g, where the "
            f"highest dose band ('{label}') starts ({_cited(sources)}); are you sure? Check the "
            "amount and unit",
            sources,
        )
    low_g, label, sources = _highest_band("day_total_above_band", "band")
    day_clock = clock_of(person)
    start, end = day_clock.day_span(day_clock.local_day(dose.taken_at))
    others = Dose.objects.filter(
        person=person,
        deleted_at__isnull=True,
        taken_at__gte=start,
        taken_at__lt=end,
        product__form__in=LEAF_FORMS,
    ).exclude(pk=dose.pk)
    earlier = sum(others.values_list("grams", flat=True))
    if earlier and earlier + dose.grams >= low_g:
        raise ConfirmationNeeded(
            "implausible_day_total",
            "amount",
            f"brings the day's leaf to {earlier + dose.grams:g} g, at or above {low_g:g} g, "
            f"where the highest dose band ('{label}') starts ({_cited(sources)}); are you "
            "sure? Check the amount and unit",
            sources,
        )


def dose_figures(amount: float, unit: str, product: Product) -> dict[str, float | None]:
    """A dose's grams and lab mg (`grams`, `mg_mitragynine`, `mg_7oh`) from its amount, unit and
    product; EntryInvalid when the unit is unknown or the grams implausible."""
    try:
        result = normalise_dose(
            amount,
            unit,
            product_unit=product.unit,
            grams_per_unit=product.grams_per_unit,
            mitragynine_mg_per_g=product.mitragynine_mg_per_g,
            hydroxy_mg_per_g=product.hydroxy_mg_per_g,
        )
    except UnknownUnitError as exc:
        raise EntryInvalid({"unit": str(exc)}) from None
    if result.grams > MAX_DOSE_GRAMS:
        raise EntryInvalid(
            {
                "amount": f"is {result.grams:g} g, more than {MAX_DOSE_GRAMS:g} g; "
                "check the amount and unit"
            }
        )
    return {"grams": result.grams, "mg_mitragynine": result.mg_mitragynine, "mg_7oh": result.mg_7oh}


def log_dose(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> Dose:
    """Log a dose of one of the person's products, normalised to grams."""
    clean = validate(DoseIn, data)
    product = _owned_product(person, clean.product_id)
    dose = Dose(
        person=person,
        token=token or None,
        product=product,
        **clean.model_dump(exclude={"product_id", "confirm"}),
    )
    normalise_into(dose, product)
    if not clean.confirm:
        refuse_implausible(person, dose, product)

    def build() -> Dose:
        dose.save()
        return dose

    return _create_once(
        Dose, person, token, build, same_as=_values(dose, "product_id", "amount", "unit", "note")
    )


@transaction.atomic
def edit_dose(person: Person, dose_id: int, data: Mapping[str, Any]) -> Dose:
    """Change a dose."""
    clean = validate(DoseIn, data)
    dose = _get(Dose, person, dose_id)
    if clean.product_id == dose.product_id:
        product = dose.product  # kept even when the product was removed from the list since
    else:
        product = _owned_product(person, clean.product_id)
    _set_fields(dose, clean.model_dump(exclude={"product_id", "confirm"}))
    dose.product = product
    normalise_into(dose, product)
    if not clean.confirm:
        refuse_implausible(person, dose, product)
    dose.save()
    refresh_after_commit(person, "dose")
    return dose


delete_dose = _deleter(Dose)
restore_dose = _restorer(Dose)


# --- check-ins and practices -------------------------------------------------------------------


def _checkin_fields(clean: CheckInIn) -> dict[str, Any]:
    return clean.model_dump(exclude={"practices"})


_CHECKIN_FIELDS = tuple(f for f in CheckInIn.model_fields if f != "practices")


def _practice_rows(person: Person, checkin: CheckIn, clean: CheckInIn) -> list[Practice]:
    return [
        Practice(person=person, checkin=checkin, kind=p.kind, minutes=p.minutes, at=clean.at)
        for p in clean.practices
    ]


def _save_practices(practices: list[Practice]) -> None:
    Practice.objects.bulk_create(practices)  # each takes its check-in's id, saved just before


def checkin_rows(
    person: Person, data: Mapping[str, Any], *, token: str | None = None
) -> tuple[CheckIn, list[Practice]]:
    """A check-in and its practices, validated, as unsaved rows (save the check-in first)."""
    clean = validate(CheckInIn, data)
    checkin = CheckIn(person=person, token=token or None, **_checkin_fields(clean))
    return checkin, _practice_rows(person, checkin, clean)


def add_checkin(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> CheckIn:
    """Log a check-in with the practices done since the last one."""
    checkin, practices = checkin_rows(person, data, token=token)

    def build() -> CheckIn:
        checkin.save()
        _save_practices(practices)
        return checkin

    values = _values(checkin, *(f for f in _CHECKIN_FIELDS if f != "at"))
    return _create_once(CheckIn, person, token, build, same_as=values)


@transaction.atomic
def edit_checkin(person: Person, checkin_id: int, data: Mapping[str, Any]) -> CheckIn:
    """Change a check-in; its practices are replaced by the ones given."""
    clean = validate(CheckInIn, data)
    checkin = _get(CheckIn, person, checkin_id)
    _set_fields(checkin, _checkin_fields(clean))
    checkin.save()
    checkin.practices.all().delete()
    _save_practices(_practice_rows(person, checkin, clean))
    refresh_after_commit(person, "checkin")
    return checkin


delete_checkin = _deleter(CheckIn)
restore_checkin = _restorer(CheckIn)


def log_practice(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> Practice:
    """Log a practice on its own (not with a check-in): its kind, minutes and time."""
    clean = validate(PracticeAt, data)
    return _create_once(
        Practice,
        person,
        token,
        lambda: Practice.objects.create(person=person, token=token or None, **clean.model_dump()),
        same_as=clean.model_dump(include={"kind", "minutes"}),
    )


_delete_practice = _deleter(Practice)


def delete_practice(person: Person, entry_id: int) -> Practice:
    """Delete a practice logged on its own (it can be restored: undo). One logged with a
    check-in is changed and deleted with that check-in: NotFound here, as its check-in's line
    would still show it."""
    if Practice.objects.filter(person=person, pk=entry_id, checkin__isnull=False).exists():
        raise NotFound(f"practice {entry_id} was logged with a check-in: edit the check-in")
    return _delete_practice(person, entry_id)


restore_practice = _restorer(Practice)


# --- substances and intakes --------------------------------------------------------------------


def _knowledge_id(name: str) -> str:
    """The knowledge base's id for a name, only when it matches exactly (a guess is not stored)."""
    found = resolve(name)
    return found.resolved or "" if found.match == "exact" else ""


def refuse_unchecked_name(name: str) -> None:
    """ConfirmationNeeded when `name` is not one the knowledge base knows but is close to some
    it does ("xanx" or "Xanaxx" for Xanax): a listed substance is checked by the name it was
    listed with, so listed as typed, its interactions with kratom would not raise their alerts,
    and a benzodiazepine's would go unsaid."""
    found = resolve(name)
    if found.match == "exact" or not found.close_matches:
        return
    meant = " or ".join(
        m.name if m.matched_name.casefold() == m.name.casefold() else f"{m.matched_name} ({m.name})"
        for m in found.close_matches
    )
    raise ConfirmationNeeded(
        "unrecognised_substance",
        "name",
        f"is not a name mitra knows, so its interactions with kratom cannot be checked; did "
        f"you mean {meant}? Type that name instead, or keep this one unchecked",
        (),
    )


def add_substance(
    person: Person, data: Mapping[str, Any], *, token: str | None = None
) -> Substance:
    """Add a medication or other substance to the person's list (a name close to a known one
    but not it is asked about first: `confirm`)."""
    clean = validate(SubstanceIn, data)
    fields = clean.model_dump(exclude={"confirm"}) | {"knowledge_id": _knowledge_id(clean.name)}

    def build() -> Substance:
        _refuse_taken_name(person, clean.name, model=Substance)
        if not clean.confirm:
            refuse_unchecked_name(clean.name)
        return Substance.objects.create(person=person, token=token or None, **fields)

    return _create_once(Substance, person, token, build, same_as=fields)


@transaction.atomic
def edit_substance(person: Person, substance_id: int, data: Mapping[str, Any]) -> Substance:
    """Change a substance on the person's list."""
    clean = validate(SubstanceIn, data)
    substance = _get(Substance, person, substance_id)
    if name_key(clean.name) != name_key(substance.name):
        _refuse_taken_name(person, clean.name, model=Substance, other_than=substance.pk)
        if not clean.confirm:
            refuse_unchecked_name(clean.name)
    content = clean.model_dump(exclude={"confirm"})
    _set_fields(substance, content | {"knowledge_id": _knowledge_id(clean.name)})
    substance.save()
    refresh_after_commit(person, "substance")
    return substance


delete_substance = _deleter(Substance)
restore_substance = _restorer(Substance)


def log_intake(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> Intake:
    """Log one use of a substance."""
    clean = validate(IntakeTyped, data)
    try:
        substance = _get(Substance, person, clean.substance_id)
    except NotFound:
        raise EntryInvalid({"substance_id": "must be one of your substances"}) from None
    fields = clean.model_dump(exclude={"substance_id"})
    return _create_once(
        Intake,
        person,
        token,
        lambda: Intake.objects.create(
            person=person, token=token or None, substance=substance, **fields
        ),
        same_as={"substance_id": substance.pk}
        | {k: v for k, v in fields.items() if k != "taken_at"},
    )


@transaction.atomic
def edit_intake(person: Person, intake_id: int, data: Mapping[str, Any]) -> Intake:
    """Change an intake."""
    clean = validate(IntakeTyped, data)
    intake = _get(Intake, person, intake_id)
    if clean.substance_id != intake.substance_id:  # kept when removed from the list since
        try:
            intake.substance = _get(Substance, person, clean.substance_id)
        except NotFound:
            raise EntryInvalid({"substance_id": "must be one of your substances"}) from None
    _set_fields(intake, clean.model_dump(exclude={"substance_id"}))
    intake.save()
    refresh_after_commit(person, "intake")
    return intake


delete_intake = _deleter(Intake)
restore_intake = _restorer(Intake)

#: The entries deleted and restored one at a time, each by its kind, on every face (a
#: questionnaire response is kept: its result page is its record).
DELETABLE_KINDS: dict[str, tuple[Callable[[Person, int], Any], Callable[[Person, int], Any]]] = {
    "dose": (delete_dose, restore_dose),
    "checkin": (delete_checkin, restore_checkin),
    "practice": (delete_practice, restore_practice),
    "intake": (delete_intake, restore_intake),
}


def _keeping(kind: str) -> tuple[Callable[[Person, int], Any], Callable[[Person, int], Any]]:
    found = DELETABLE_KINDS.get(kind)
    if found is None:
        raise NotFound(f"'{kind}' is not a kind of entry to delete; use one of "
                       f"{', '.join(DELETABLE_KINDS)}")  # fmt: skip
    return found


_KIND_WORDS = {"dose": "dose", "checkin": "check-in", "practice": "practice", "intake": "intake"}


_DELETABLE_MODELS: dict[str, Any] = {"dose": Dose, "checkin": CheckIn, "practice": Practice,
                                     "intake": Intake}  # fmt: skip


def _kept_entry(person: Person, kind: str, entry_id: int, *, deleted: bool) -> Any:
    """Delete (or, with `deleted`, restore) one entry, saying why not when it is already so."""
    change = _keeping(kind)[1 if deleted else 0]
    found = (
        _DELETABLE_MODELS[kind]
        .objects.filter(person=person, pk=entry_id)
        .values_list("deleted_at", flat=True)
    )
    if not found:
        raise NotFound(f"{_KIND_WORDS[kind]} {entry_id} is not in this journal")
    if (found[0] is not None) != deleted:
        said = "is not deleted: nothing to restore" if deleted else "is deleted already"
        raise NotFound(f"{_KIND_WORDS[kind]} {entry_id} {said}")
    return change(person, entry_id)


def delete_entry(person: Person, kind: str, entry_id: int) -> Any:
    """Delete one entry of this kind (NotFound for another kind or id, or one deleted already);
    `restore_entry` undoes it. Returns the row, for its journal line."""
    return _kept_entry(person, kind, entry_id, deleted=False)


def restore_entry(person: Person, kind: str, entry_id: int) -> Any:
    """Undo `delete_entry` (NotFound when no deleted entry of this kind has this id)."""
    return _kept_entry(person, kind, entry_id, deleted=True)


# --- questionnaire responses --------------------------------------------------------------------


def _scored(clean: ResponseIn) -> Score:
    try:
        return score(clean.instrument, clean.answers)
    except MissingAnswersError as exc:
        unanswered = len(exc.items)
        summary = (
            "1 question still needs an answer"
            if unanswered == 1
            else f"{unanswered} questions still need an answer"
        )
        raise EntryInvalid(
            {f"item_{number}": "needs an answer" for number in exc.items}
            | {"answers": f"{summary}: the questionnaire is scored only when complete"}
        ) from None
    except InstrumentError as exc:
        raise EntryInvalid({"answers": str(exc)}) from None


def response_row(person: Person, data: Mapping[str, Any], *, token: str | None = None) -> Response:
    """A questionnaire response, validated and scored, as an unsaved row."""
    clean = validate(ResponseIn, data)
    result = _scored(clean)
    return Response(
        person=person,
        token=token or None,
        instrument=result.instrument,
        at=clean.at,
        answers=list(result.answers),
        total=result.total,
        band=result.band.id if result.band else "",
        flags=[flag.id for flag in result.flags],
        crisis=result.crisis,
    )


def submit_response(
    person: Person, data: Mapping[str, Any], *, token: str | None = None
) -> Response:
    """Score and store a questionnaire response; a crisis flag stays until acknowledged."""
    response = response_row(person, data, token=token)

    def build() -> Response:
        response.save()
        return response

    return _create_once(
        Response, person, token, build, same_as=_values(response, "instrument", "answers")
    )


def acknowledge_crisis(person: Person, response_id: int) -> Response:
    """The person has seen the crisis resources a response raised; stop showing the card."""
    response = _get(Response, person, response_id)
    if response.acknowledged_at is None:
        now = timezone.now()
        with transaction.atomic():
            response.acknowledged_at = now
            response.save(update_fields=["acknowledged_at", "updated_at"])
            acknowledge_crisis_alert(person, response.pk, now)
            journal_changed(person)
    return response


delete_response = _deleter(Response)
restore_response = _restorer(Response)
