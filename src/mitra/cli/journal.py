"""Logging from the terminal: settings, products, doses and check-ins."""

from datetime import UTC
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from mitra import wording

from .app import (
    JsonFlag,
    PageCursor,
    PageLimit,
    app,
    fail,
    out,
    parse_time,
    print_document,
    print_json,
    printable,
    refused,
    replay_token,
    short_citation,
    stopped_once_saved,
    subcommand_follows,
    the_person,
)

# --- settings ------------------------------------------------------------------------------------


@app.command("settings")
def settings_cmd(
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone, e.g. Europe/Berlin.")
    ] = None,
    day_starts: Annotated[
        int | None, typer.Option("--day-starts", help="Hour (0-23) at which your day starts.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show or change your time zone and the hour at which your day starts."""
    person = the_person(timezone, day_starts)
    from mitra.reads.settings import journal_settings

    shown = journal_settings(person)
    if json_out:
        print_document(shown)
    else:
        out.print(f"Time zone {shown.time_zone}; your day starts at {shown.day_boundary_hour}:00.")


products_app = typer.Typer(help="List or add kratom products.", invoke_without_command=True)
app.add_typer(products_app, name="products")


# --- products ------------------------------------------------------------------------------------

#: `products add` and `products edit`: a lab figure mitra asks about first, saved as given.
_LAB_CHECKED = Annotated[
    bool,
    typer.Option(
        "--yes",
        help="Save a leaf product's lab mitragynine far above that of lab-tested leaf, "
        "which is asked about first: you checked it.",
    ),
]


@products_app.callback()
def products_list(
    ctx: typer.Context,
    limit: PageLimit = 50,
    cursor: PageCursor = None,
    json_out: JsonFlag = False,
) -> None:
    """List your products by name, a page at a time (or add one: mitra products add --help)."""
    if subcommand_follows(ctx):
        return
    person = the_person()
    from mitra.reads import products as product_reads
    from mitra.reads.cursor import CursorInvalid

    try:
        page = product_reads.product_page(person, cursor, limit=limit)
    except CursorInvalid as exc:
        fail(f"--cursor {exc}")
    if json_out:
        print_document(page)
        return
    rows = page.products
    if not rows:
        out.print("No products yet. Add one: mitra products add NAME --unit g")
        return
    table = Table("id", "name", "form", "counted in", "mitragynine mg/g", "7-OH mg/g")
    for r in rows:
        unit = "g" if r.unit == "g" else f"{r.unit} ({r.grams_per_unit or '?'} g)"
        table.add_row(
            str(r.id),
            escape(r.name),
            r.form_label + (" (concentrated 7-OH)" if r.concentrated_seven_oh else ""),
            unit,
            f"{r.mitragynine_mg_per_g:g}" if r.mitragynine_mg_per_g is not None else "–",
            f"{r.hydroxy_mg_per_g:g}" if r.hydroxy_mg_per_g is not None else "–",
        )
    out.print(table)
    if page.next_cursor:
        out.print(f"More: mitra products --cursor {page.next_cursor}")


@products_app.command("add")
def products_add(
    name: Annotated[str, typer.Argument(help="The product's name.")],
    vendor: Annotated[str, typer.Option(help="Who sells it.")] = "",
    strain: Annotated[str, typer.Option(help="The vendor's strain label, e.g. Maeng Da.")] = "",
    vein: Annotated[str, typer.Option(help="white, green, red, yellow or unknown.")] = "unknown",
    form: Annotated[
        str, typer.Option(help="powder, capsules, tea, extract, 7oh or shot.")
    ] = "powder",
    unit: Annotated[
        str, typer.Option(help="g, capsule, tablet, scoop, teaspoon, shot or ml.")
    ] = "g",
    grams_per_unit: Annotated[
        float | None, typer.Option(help="Grams in one unit (e.g. 0.5 per capsule).")
    ] = None,
    mitragynine_mg_per_g: Annotated[
        float | None, typer.Option(help="Lab-tested mitragynine, mg per g.")
    ] = None,
    hydroxy_mg_per_g: Annotated[
        float | None, typer.Option(help="Lab-tested 7-OH, mg per g.")
    ] = None,
    yes: _LAB_CHECKED = False,
    json_out: JsonFlag = False,
) -> None:
    """Add a kratom product."""
    person = the_person()
    from mitra.journal import services
    from mitra.journal.errors import ConfirmationNeeded, EntryInvalid

    values = (name, vendor, strain, vein, form, unit, grams_per_unit, mitragynine_mg_per_g,
              hydroxy_mg_per_g)  # fmt: skip
    data = dict(zip(_PRODUCT_FIELDS, values, strict=True)) | {"confirm": yes}
    try:
        product = services.add_product(person, data)
    except ConfirmationNeeded as exc:
        refused(exc, then=_AGAIN_WITH_YES)
    except EntryInvalid as exc:
        refused(exc)
    if json_out:
        from mitra.reads.products import view

        print_document(view(product))
    else:
        out.print(f"Added product {product.pk}: {escape(product.name)}")


_KEPT = "(default: as it is)"
_AGAIN_WITH_YES = "; if it is right, run the command again with --yes"
#: The fields `products add` and `products edit` take, in the order of their options.
_PRODUCT_FIELDS = ("name", "vendor", "strain", "vein", "form", "unit", "grams_per_unit",
                   "mitragynine_mg_per_g", "hydroxy_mg_per_g")  # fmt: skip


#: What `products edit --clear` removes: the option's name, and the field it empties.
_CLEARABLE = {
    "mitragynine-mg-per-g": "mitragynine_mg_per_g",
    "hydroxy-mg-per-g": "hydroxy_mg_per_g",
    "grams-per-unit": "grams_per_unit",
    "vendor": "vendor",
    "strain": "strain",
}


@products_app.command("edit")
def products_edit(
    product: Annotated[str, typer.Argument(help="The product: its name (or the start) or id.")],
    name: Annotated[str | None, typer.Option(help=f"A new name {_KEPT}.")] = None,
    vendor: Annotated[str | None, typer.Option(help=f"Who sells it {_KEPT}.")] = None,
    strain: Annotated[str | None, typer.Option(help=f"The strain label {_KEPT}.")] = None,
    vein: Annotated[str | None, typer.Option(help=f"white, green, red... {_KEPT}.")] = None,
    form: Annotated[str | None, typer.Option(help=f"powder, capsules, tea... {_KEPT}.")] = None,
    unit: Annotated[str | None, typer.Option(help=f"g, capsule, tablet... {_KEPT}.")] = None,
    grams_per_unit: Annotated[
        float | None, typer.Option(help=f"Grams in one unit {_KEPT}.")
    ] = None,
    mitragynine_mg_per_g: Annotated[
        float | None, typer.Option(help=f"Lab-tested mitragynine, mg per g {_KEPT}.")
    ] = None,
    hydroxy_mg_per_g: Annotated[
        float | None, typer.Option(help=f"Lab-tested 7-OH, mg per g {_KEPT}.")
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            help="Remove what is not known after all (repeatable): " + ", ".join(_CLEARABLE) + "."
        ),
    ] = None,
    yes: _LAB_CHECKED = False,
    json_out: JsonFlag = False,
) -> None:
    """Change a product (a capsule's weight, a lab figure, its name); its doses are counted
    again with the new figures. What is not given stays as it is; --clear removes a figure."""
    person = the_person()
    from mitra.journal import services
    from mitra.journal.errors import ConfirmationNeeded, EntryInvalid
    from mitra.reads.products import view

    chosen = _find_product(person, product)
    values = (name, vendor, strain, vein, form, unit, grams_per_unit, mitragynine_mg_per_g,
              hydroxy_mg_per_g)  # fmt: skip
    data = {f: getattr(chosen, f) for f in (*_PRODUCT_FIELDS, "notes")} | {
        k: v for k, v in zip(_PRODUCT_FIELDS, values, strict=True) if v is not None
    }
    if data.get("unit") == "g":
        data["grams_per_unit"] = grams_per_unit  # counted in grams: no weight of a unit
    given = dict(zip(_PRODUCT_FIELDS, values, strict=True))
    for word in clear or []:
        field = _CLEARABLE.get(word.strip().lower())
        if field is None:
            fail(f"--clear takes {', '.join(_CLEARABLE)}, not '{word}'")
        if given[field] is not None:
            fail(f"--clear {word.strip().lower()} and a new value for it: give one of the two")
        data[field] = "" if field in {"vendor", "strain"} else None
    try:
        saved = services.edit_product(person, chosen.id, data | {"confirm": yes})
    except ConfirmationNeeded as exc:
        refused(exc, then=_AGAIN_WITH_YES)
    except EntryInvalid as exc:
        refused(exc)
    if json_out:
        print_document(view(saved))
        return
    out.print(f"Changed product {saved.pk}: {escape(saved.name)}", highlight=False)


def _one_of(listed: Any, ref: str, what: str, missing: str) -> Any:
    """The one item of `listed` (with .id and .name) that `ref` names by id, by name or by the
    start of its name; else a one-line refusal, `missing` following the names listed."""
    ref = ref.strip()
    if not ref:
        fail(f"the {what} is empty; give its name (or the start of it) or its id")
    if ref.isascii() and ref.isdigit():  # "²" is a digit to Python, but no id
        match = [i for i in listed if i.id == int(ref)]
    else:
        match = [i for i in listed if i.name.casefold() == ref.casefold()] or [
            i for i in listed if i.name.casefold().startswith(ref.casefold())
        ]
    if len(match) == 1:
        return match[0]
    if match:
        fail(f"{what} '{ref}' matches several: {', '.join(i.name for i in match)}")
    fail(f"no {what} '{ref}'; " + missing.format(", ".join(f"{i.id}={i.name}" for i in listed)))


def _find_product(person: Any, ref: str) -> Any:
    from mitra.reads import products as product_reads

    listed = product_reads.products(person)
    missing = "your products: {}" if listed else "your products: none yet (mitra products add)"
    return _one_of(listed, ref, "product", missing)


# --- dose and check-in ---------------------------------------------------------------------------


def _amount(amount: str, unit: str | None) -> tuple[float, str | None]:
    """The typed amount and unit ("2g"; "2" "g"; "4 capsules"), or a one-line refusal."""
    from mitra.vocabulary import AmountInvalid, parse_amount

    try:
        number, typed_unit = parse_amount(amount if unit is None else f"{amount} {unit}")
    except AmountInvalid as exc:
        fail(str(exc))
    return number, typed_unit


# Unknown options are read as arguments, so "-1g" reaches the amount's own refusal rather than
# click's "No such option: -1".
@app.command(context_settings={"ignore_unknown_options": True})
def dose(
    product: Annotated[str, typer.Argument(help="Product name (or the start of it) or id.")],
    amount: Annotated[
        str, typer.Argument(help="How much, as you would write it: 2, 2g, 500mg, '4 capsules'.")
    ],
    unit: Annotated[
        str | None,
        typer.Argument(help="g, mg, or the product's unit (default), if not in the amount."),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When, e.g. '2026-11-25 08:30' (default now).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Save a dose at or above the highest dose band, a leaf dose under 0.1 g, or "
            "a 7-OH dose above the largest labelled dose: you checked it.",
        ),
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Log a kratom dose."""
    person = the_person()
    from mitra.journal import clock, services
    from mitra.journal.errors import ConfirmationNeeded, DuplicateSubmission, EntryInvalid
    from mitra.vocabulary import unit_text

    number, unit = _amount(amount, unit)
    chosen = _find_product(person, product)
    taken_at = parse_time(at, clock(person).zone, "--at")
    unit = unit or chosen.unit
    data = {
        "product_id": chosen.id,
        "taken_at": taken_at,
        "amount": number,
        "unit": unit,
        "note": note,
        "confirm": yes,
    }
    token = _content_token("dose", data)
    try:
        with stopped_once_saved("dose {}", see="mitra entries --kind dose"):
            saved = services.log_dose(person, data, token=token)
    except DuplicateSubmission as exc:
        _already("dose", "dose", exc.entry)
    except ConfirmationNeeded as exc:
        refused(exc, then=_AGAIN_WITH_YES)
    except EntryInvalid as exc:
        refused(exc)
    row = {
        "id": saved.pk,
        "product": chosen.name,
        "taken_at": saved.taken_at.astimezone(UTC).isoformat(),
        "amount": saved.amount,
        "unit": saved.unit,
        "grams": saved.grams,
        "mg_mitragynine": saved.mg_mitragynine,
    }
    if json_out:
        print_json(row)
    else:
        logged = wording.amount_of(unit_text(number, unit), chosen.name)
        out.print(f"Logged {escape(logged)} = {saved.grams:g} g (dose {saved.pk}).")


def _already(what: str, kind: str, entry: Any) -> NoReturn:
    """The same entry was logged before (its replay token): say where it is, or, deleted since,
    how to bring it back rather than that it is "in the journal"."""
    if getattr(entry, "deleted_at", None) is not None:
        fail(
            f"this {what} was logged before and deleted since ({kind} {entry.pk}); to bring it "
            f"back: mitra entries restore {kind} {entry.pk}"
        )
    fail(f"this {what} is already in the journal ({what} {entry.pk})")


def _practices(values: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for value in values:
        kind, _, minutes = value.partition("=")
        if not minutes.strip().isdigit():
            fail(f"--practice '{value}': use KIND=MINUTES, e.g. mindfulness=15")
        parsed.append({"kind": kind.strip(), "minutes": int(minutes)})
    return parsed


@app.command()
def practice(
    kind: Annotated[
        str,
        typer.Argument(help="mindfulness, breathing, exercise, yoga, walk, therapy or journaling."),
    ],
    minutes: Annotated[int, typer.Argument(help="How long, in minutes (1-720).")],
    at: Annotated[
        str | None, typer.Option(help="When, e.g. '2026-11-25 08:30' (default now).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Log a practice on its own (with a check-in: mitra checkin 4 --practice yoga=20)."""
    person = the_person()
    from mitra.journal import clock, services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid
    from mitra.reads.journal import entry_read

    when = parse_time(at, clock(person).zone, "--at")
    named = kind.strip().lower()  # "Yoga" is yoga
    token = replay_token("practice", named, when, minutes)
    try:
        with stopped_once_saved("practice {}", see="mitra entries --kind practice"):
            saved = services.log_practice(
                person, {"kind": named, "minutes": minutes, "at": when}, token=token
            )
    except DuplicateSubmission as exc:
        _already("practice", "practice", exc.entry)
    except EntryInvalid as exc:
        refused(exc)
    view = entry_read(person, "practice", saved)
    if json_out:
        print_document(view)
        return
    out.print(f"Logged {escape(view.title)} (practice {saved.pk}).", highlight=False)


def _yes_no(text: str | None, option: str) -> bool | None:
    if text is None:
        return None
    answer = {"yes": True, "y": True, "no": False, "n": False}.get(text.strip().lower())
    if answer is None:
        fail(f"{option}: '{text}' is not yes or no")
    return answer


@app.command()
def checkin(
    anxiety: Annotated[int, typer.Argument(help="Anxiety right now, 0 (none) to 10 (worst).")],
    mood: Annotated[int | None, typer.Option(help="Mood, 1 (very low) to 5 (very good).")] = None,
    sleep_hours: Annotated[float | None, typer.Option(help="Hours slept last night.")] = None,
    sleep_quality: Annotated[int | None, typer.Option(help="Sleep quality, 1 to 5.")] = None,
    symptom: Annotated[
        list[str] | None, typer.Option(help="A symptom id (repeatable), e.g. restless.")
    ] = None,
    practice: Annotated[
        list[str] | None, typer.Option(help="KIND=MINUTES (repeatable), e.g. mindfulness=15.")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    at: Annotated[str | None, typer.Option(help="When (default now).")] = None,
    meals: Annotated[
        str | None, typer.Option("--meals", help="Regular meals today: yes or no.")
    ] = None,
    caffeine: Annotated[
        float | None, typer.Option("--caffeine", help="Cups of caffeinated drinks today.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Log a check-in: anxiety, mood, sleep, practices, diet and symptoms."""
    person = the_person()
    from mitra.journal import clock, services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid

    when = parse_time(at, clock(person).zone, "--at")
    data = {
        "at": when,
        "anxiety": anxiety,
        "mood": mood,
        "sleep_hours": sleep_hours,
        "sleep_quality": sleep_quality,
        "symptoms": symptom or [],
        "practices": _practices(practice or []),
        "note": note,
        "regular_meals": _yes_no(meals, "--meals"),
        "caffeine_cups": caffeine,
    }
    token = _content_token("checkin", data)
    try:
        with stopped_once_saved("check-in {}", see="mitra entries --kind checkin"):
            saved = services.add_checkin(person, data, token=token)
    except DuplicateSubmission as exc:
        _already("check-in", "checkin", exc.entry)
    except EntryInvalid as exc:
        refused(exc, typed={"practices": ("--practice", practice or [])})
    if json_out:
        print_json(
            {"id": saved.pk, "at": saved.at.astimezone(UTC).isoformat(), "anxiety": saved.anxiety}
        )
    else:
        out.print(f"Check-in saved (anxiety {anxiety}/10, check-in {saved.pk}).")


# --- reads ---------------------------------------------------------------------------------------


@app.command("today")
def today_cmd(json_out: JsonFlag = False) -> None:
    """Today: entries, grams of leaf, estimated mitragynine, and whether a GAD-7 is due."""
    person = the_person()
    from mitra.reads.today import today

    read = today(person)
    if json_out:
        print_document(read)
        return
    t = read.totals
    out.print(f"{wording.day(read.day)}: {t.summary}.")
    if t.other_doses:
        out.print("Also (not counted as leaf): " + escape(", ".join(t.other_doses)))
    for entry in read.entries:
        title = escape(printable(entry.title, newlines=False))
        out.print(f"{entry.at:%H:%M}  {title}", soft_wrap=True)
    if read.gad7.due:
        out.print("A GAD-7 is due: mitra questionnaire GAD-7")


entries_app = typer.Typer(
    help="Journal entries, newest first; or delete one, or restore one deleted.",
    invoke_without_command=True,
)
app.add_typer(entries_app, name="entries")


@entries_app.callback()
def entries_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Entries per page (1-200).")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="The next_cursor of the previous page.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Kinds to show, comma-separated: checkin, dose, practice, response, intake."
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Journal entries of every kind (or of some: --kind dose,response), newest first, each
    with its kind and id (to delete it: mitra entries delete dose 12)."""
    if subcommand_follows(ctx):
        return
    person = the_person()
    from mitra.reads.journal import CursorInvalid, KindsInvalid, entry_kinds, journal_page

    try:
        kinds = entry_kinds(kind)
    except KindsInvalid as exc:
        fail(f"--kind {exc}")
    try:
        page = journal_page(person, cursor, limit=limit, kinds=kinds)
    except CursorInvalid as exc:
        fail(f"--cursor {exc}")
    if json_out:
        print_document(page)
        return
    if not page.days:  # as the Journal page says it
        mine = "" if kind is None else f" of these kinds ({', '.join(page.kinds)})"
        out.print(f"No entries{mine} yet.")
    elif page.day_starts:  # a dose at 00:25 under the day before, said as the page says it
        out.print(
            f"[dim]Your days start at {page.day_starts}: an entry made before then is on the "
            "day before, with its date beside its time.[/]"
        )
    for day in page.days:
        out.print(f"[bold]{wording.day(day.day)}[/]")
        for entry in day.entries:
            # One line per entry: a note's line break is shown, so no note can pass for an entry.
            said = escape(printable(" · ".join(entry.details), newlines=False))
            details = f"  ({said})" if entry.details else ""
            title = escape(printable(entry.title, newlines=False))
            which = f"[dim]{entry.kind} {entry.id}[/]"  # what 'mitra entries delete' takes
            # soft_wrap: one line per entry, wrapped (if at all) by the terminal, never split
            at = f"{entry.at:%H:%M}" + (
                f" ({entry.at.day} {entry.at:%b})" if entry.at.date() != day.day else ""
            )
            out.print(f"  {at}  {which}  {title}{details}", soft_wrap=True)
    if page.next_cursor:
        chosen = "" if kind is None else f" --kind {','.join(page.kinds)}"
        out.print(f"Older: mitra entries --cursor {page.next_cursor}{chosen}")


_ENTRY_KIND = Annotated[str, typer.Argument(help="dose, checkin, practice or intake.")]
_ENTRY_ID = Annotated[int, typer.Argument(help="Its id, as 'mitra entries' shows it.")]


def _kept(kind: str, entry_id: int, undo: bool, json_out: bool) -> None:
    """Delete (or, with `undo`, restore) one entry, and say what it was."""
    person = the_person()
    from mitra.journal import services
    from mitra.journal.errors import NotFound
    from mitra.reads.journal import entry_read

    change = services.restore_entry if undo else services.delete_entry
    try:
        row = change(person, kind, entry_id)
    except NotFound as exc:
        fail(str(exc))
    view = entry_read(person, kind, row)
    if json_out:
        print_document(view)
        return
    at = f"{wording.day(view.at.date())}, {view.at:%H:%M}"
    said = escape(printable(view.title, newlines=False))
    if undo:
        out.print(f"Restored {kind} {entry_id} ({at}): {said}.", highlight=False)
        return
    out.print(f"Deleted {kind} {entry_id} ({at}): {said}.", highlight=False)
    out.print(f"To undo: mitra entries restore {kind} {entry_id}", highlight=False)


@entries_app.command("delete")
def entries_delete(kind: _ENTRY_KIND, entry_id: _ENTRY_ID, json_out: JsonFlag = False) -> None:
    """Delete one entry (a mistyped dose, say); its alerts are withdrawn, and restore undoes it."""
    _kept(kind, entry_id, False, json_out)


@entries_app.command("restore")
def entries_restore(kind: _ENTRY_KIND, entry_id: _ENTRY_ID, json_out: JsonFlag = False) -> None:
    """Undo the deletion of one entry."""
    _kept(kind, entry_id, True, json_out)


@entries_app.command("deleted")
def entries_deleted(json_out: JsonFlag = False) -> None:
    """The entries you deleted in the last 30 days, the latest first, each with the command
    that brings it back."""
    person = the_person()
    from mitra.reads.journal import recently_deleted

    read = recently_deleted(person)
    if json_out:
        print_document(read)
        return
    if not read.entries:
        out.print(f"Nothing deleted in the last {read.days} days.")
        return
    for item in read.entries:
        entry = item.entry
        title = escape(printable(entry.title, newlines=False))
        at = f"{wording.day(entry.at.date())}, {entry.at:%H:%M}"
        gone = f"{wording.day(item.deleted_at.date())}, {item.deleted_at:%H:%M}"
        out.print(f"{entry.kind} {entry.id} ({at}): {title}", soft_wrap=True, highlight=False)
        # soft_wrap: the command is never broken across lines; the terminal wraps it whole.
        out.print(
            f"  deleted {gone}; to bring it back: mitra entries restore {entry.kind} {entry.id}",
            highlight=False,
            soft_wrap=True,
        )
    if len(read.entries) == read.most:
        out.print(f"[dim]The latest {read.most} deletions are listed.[/]")


substances_app = typer.Typer(
    help="Your substances and their interactions with kratom, or add one.",
    invoke_without_command=True,
)
app.add_typer(substances_app, name="substances")


@substances_app.callback()
def substances_cmd(
    ctx: typer.Context,
    limit: PageLimit = 50,
    cursor: PageCursor = None,
    json_out: JsonFlag = False,
) -> None:
    """Your substances (a page at a time) and their interactions with kratom, with sources (or
    add one: mitra substances add --help)."""
    if subcommand_follows(ctx):
        return
    person = the_person()
    from mitra.reads.cursor import CursorInvalid
    from mitra.reads.substances import substances

    try:
        read = substances(person, cursor, limit=limit)
    except CursorInvalid as exc:
        fail(f"--cursor {exc}")
    if json_out:
        print_document(read)
        return
    if not read.substances:
        out.print("No substances yet. Add one: mitra substances add sertraline")
    for s in read.substances:
        out.print(f"{s.id}  {escape(s.name)}{escape(_known(s))}")
    if read.next_cursor:
        out.print(f"More: mitra substances --cursor {read.next_cursor}")
    _print_interactions(read.interactions)


def _known(view: Any) -> str:
    return f" = {view.knowledge_name}" if view.recognised else " (not recognised, not checked)"


def _print_interactions(findings: Any) -> None:
    for f in findings:
        yours = f" ({', '.join(f.yours)})" if f.yours else ""  # as the Substances page
        out.print(f"[bold]{f.severity}[/]: {escape(f.title + yours)}. {escape(f.advice)}")
        for c in f.sources:
            out.print(f"  Source: {short_citation(c.id)} {c.url}", highlight=False)


@substances_app.command("add")
def substances_add(
    name: Annotated[str, typer.Argument(help="A generic or brand name, e.g. sertraline.")],
    dose_text: Annotated[
        str, typer.Option("--dose", help="How you take it, e.g. '50 mg each morning'.")
    ] = "",
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="List a name mitra does not know but that is close to one it does, as typed "
            "(its interactions unchecked): you checked it.",
        ),
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Add a medication or other substance; its interactions with kratom are shown."""
    person = the_person()
    from mitra.journal import services
    from mitra.journal.errors import ConfirmationNeeded, EntryInvalid
    from mitra.reads.substances import also_listed, substance, substances

    data = {"name": name, "dose_text": dose_text, "confirm": yes}
    try:
        with stopped_once_saved("substance {}", see="mitra substances", again="add it again"):
            saved = services.add_substance(person, data)
    except ConfirmationNeeded as exc:
        refused(exc, then=_AGAIN_WITH_YES)
    except EntryInvalid as exc:
        refused(exc)
    view = substance(person, saved.pk)
    assert view is not None  # just added
    if json_out:
        print_document(view)
        return
    out.print(f"Added substance {view.id}: {escape(view.name)}{escape(_known(view))}")
    twice = also_listed(person, view.id)
    if twice:
        out.print(escape(twice), highlight=False)
    if view.note:  # what the knowledge base says of it: no finding is not the same as safe
        out.print(escape(view.note), highlight=False)
    _print_interactions(f for f in substances(person).interactions if view.name in f.yours)


def _find_substance(person: Any, ref: str) -> Any:
    """One of the person's substances by id, name or the start of its name; else a refusal."""
    from mitra.reads.substances import substances

    listed = substances(person).substances
    hint = " (add one: mitra substances add NAME)"
    return _one_of(listed, ref, "substance", ("yours: {}" if listed else "yours: none yet") + hint)


def _intake_amount(amount: str | None, unit: str | None) -> tuple[float | None, str]:
    """ "50mg", "50 mg", "2 tablets", or "2" then "tablets", as (amount, unit); no amount, no
    unit. The amount as the web's and the API's: more than 0, at most 100,000."""
    from mitra.vocabulary import AmountInvalid, parse_measure

    if amount is None:
        return None, ""
    try:
        number, typed = parse_measure(amount)
        if unit is not None:
            if typed:
                fail(f"the unit is given twice, in '{amount}' and as '{unit}'; give it once")
            number, typed = parse_measure(f"{amount} {unit}")
    except AmountInvalid as exc:
        fail(str(exc))
    return number, typed


# Unknown options are read as arguments, so "-50mg" reaches the amount's own refusal.
@app.command(context_settings={"ignore_unknown_options": True})
def intake(
    substance: Annotated[str, typer.Argument(help="Substance name (or the start of it) or id.")],
    amount: Annotated[
        str | None, typer.Argument(help="How much, if you want it noted: 50mg, '2 tablets'.")
    ] = None,
    unit: Annotated[
        str | None, typer.Argument(help="The amount's unit, if not in the amount: mg, ml.")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When, e.g. '2026-11-25 08:30' (default now).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Log a use of one of your substances (a medication, alcohol, caffeine...)."""
    person = the_person()
    from mitra.journal import clock, services
    from mitra.journal.errors import DuplicateSubmission, EntryInvalid
    from mitra.reads.journal import entry_read

    chosen = _find_substance(person, substance)
    number, typed_unit = _intake_amount(amount, unit)
    taken_at = parse_time(at, clock(person).zone, "--at")
    data = {
        "substance_id": chosen.id,
        "taken_at": taken_at,
        "amount": number,
        "unit": typed_unit,
        "note": note,
    }
    token = _content_token("intake", data)
    try:
        with stopped_once_saved("intake {}", see="mitra entries --kind intake"):
            saved = services.log_intake(person, data, token=token)
    except DuplicateSubmission as exc:
        _already("intake", "intake", exc.entry)
    except EntryInvalid as exc:
        refused(exc)
    if json_out:
        print_document(entry_read(person, "intake", saved))
        return
    # As the journal names it ("wine: 2 glasses"; an amount always comes with its unit).
    title = entry_read(person, "intake", saved).title
    out.print(f"Logged {escape(title)} (intake {saved.pk}).", highlight=False)


def _content_token(kind: str, data: dict[str, Any]) -> str:
    """The replay token of an entry from everything it holds (its time as an instant, to the
    minute; not the "are you sure?" answer): the same command again is stored once, and one
    with any other value (a note, sleep hours) is another entry, never refused as a replay."""
    return replay_token(kind, *(data[k] for k in sorted(data) if k != "confirm"))
