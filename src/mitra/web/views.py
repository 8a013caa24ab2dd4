"""Pages. Each view reads its input, calls one journal service or one read, and renders."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.journal import clock, services
from mitra.journal import reminders as reminder_store
from mitra.journal.crisis import crisis_resources
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, NotFound
from mitra.knowledge import load as load_knowledge
from mitra.reads import journal as journal_reads
from mitra.reads import products as product_reads
from mitra.reads import reminders as reminder_reads
from mitra.reads import substances as substance_reads
from mitra.reads import today as today_reads
from mitra.reads.cache_files import load_text, store_text
from mitra.reads.journal import CheckInValues, DoseValues, IntakeValues
from mitra.reads.products import ProductView
from mitra.reports.charts import Chart, keep_drawings
from mitra.reports.today_charts import anxiety_and_grams_chart, exposure_chart
from mitra.vocabulary import PRODUCT_UNITS, unit_text
from mitra.wording import amount_of

from .forms import (
    DATETIME_FORMAT,
    CheckInForm,
    DoseForm,
    IntakeForm,
    ProductForm,
    SettingsForm,
    WelcomeForm,
    choice_field,
    unit_choices,
)

# The pages' charts are kept in the data folder, so a restart need not draw them again.
keep_drawings(load_text, store_text)


def current_person(request: HttpRequest) -> Any:
    person = getattr(request, "person", None)
    if person is None:  # the first-run middleware sends these requests to /welcome
        raise Http404
    return person


def _local_now(person: Any) -> str:
    return timezone.now().astimezone(clock(person).zone).strftime(DATETIME_FORMAT)


# --- first run ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    if getattr(request, "person", None) is not None:
        return redirect("settings")  # set up already: the time zone is changed in Settings
    form = WelcomeForm(request.POST or None, initial={"time_zone": "UTC"})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_up_person({"time_zone": form.cleaned_data["time_zone"]})
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            messages.success(request, "Welcome. Your journal is ready.")
            return redirect("today")
    return render(request, "web/welcome.html", {"form": form})


# --- today --------------------------------------------------------------------------------------


def _dose_form(person: Any, data: Any = None, current: ProductView | None = None) -> DoseForm:
    products = product_reads.products(person)
    if current is not None and current.id not in {p.id for p in products}:
        products.append(current)  # a dose's own product stays choosable after its removal
    defaults = today_reads.dose_defaults(person)
    initial: dict[str, Any] = {"taken_at": _local_now(person)}
    product = next((p for p in products if p.id == defaults.product_id), None)
    if product is not None:
        initial["product_id"] = product.id
        initial["unit"] = defaults.unit
    form = DoseForm(data, products=products, initial=initial)
    form.fields["product_id"].widget.attrs.update(
        {
            "hx-get": reverse("dose_units"),
            "hx-target": "#unit-field",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )
    chosen = _chosen_product(products, form, product)
    choice_field(form, "unit").choices = unit_choices(chosen)
    return form


def _chosen_product(
    products: list[ProductView], form: DoseForm, default: ProductView | None
) -> ProductView | None:
    raw = form.data.get("product_id") if form.is_bound else None
    if raw:
        return next((p for p in products if str(p.id) == raw), None)
    return default


def _today_context(
    request: HttpRequest,
    person: Any,
    checkin_form: CheckInForm | None = None,
    dose_form: DoseForm | None = None,
) -> dict[str, Any]:
    read = today_reads.today(person)
    relative = _relative_scale(request)
    chart, exposure_figure = _today_charts(person, read, relative=relative)
    exposure = read.exposure
    return {
        "exposure": exposure,
        "exposure_chart": exposure_figure,
        "exposure_relative": relative and bool(exposure.relative),
        "exposure_sources": exposure.citations,
        "today": read.day,
        "checkin_form": checkin_form or CheckInForm(initial={"at": _local_now(person)}),
        "dose_form": dose_form or _dose_form(person),
        "has_products": read.has_products,
        "entries": read.entries,
        "chart": chart,
        "kratom_today": read.totals.summary,
        "other_doses_today": read.totals.other_doses,
        "gad7": read.gad7,
        "taper": read.taper,
        "plan_progress": read.plan,
        "taper_tomorrow": reminder_reads.step_due_tomorrow(person),
    }


def _relative_scale(request: HttpRequest | None) -> bool:
    """Whether the exposure chart is asked for against the 7-day average (?scale=relative);
    any other scale is the absolute one, in nmol/L."""
    return request is not None and request.GET.get("scale") == "relative"


def _today_charts(
    person: Any, read: today_reads.Today, *, relative: bool = False
) -> tuple[Chart, Chart | None]:
    """Today's two charts: the last 30 days, and the exposure curve when there is one."""
    chart = anxiety_and_grams_chart(
        [c.day for c in read.chart],
        [float("nan") if c.anxiety is None else c.anxiety for c in read.chart],
        [c.grams_leaf for c in read.chart],
    )
    if not read.exposure.times:
        return chart, None
    return chart, exposure_chart(read.exposure, clock(person).zone, relative=relative)


@require_safe
def today_chart(request: HttpRequest, chart: str) -> HttpResponse:
    """One of Today's charts as its drawings (for a page that asks for it apart)."""
    person = current_person(request)
    relative = _relative_scale(request)
    days, exposure_figure = _today_charts(person, today_reads.today(person), relative=relative)
    drawn = {"last-30-days": days, "exposure": exposure_figure}.get(chart)
    if drawn is None:
        raise Http404(f"Today has no chart {chart!r}.")
    return render(request, "web/_chart_drawing.html", {"drawing": drawn, "name": chart})


def _meals_choice(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


@require_safe
def today(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    return render(request, "web/today.html", _today_context(request, person))


def saved_redirect(request: HttpRequest, text: str, target: str = "today") -> HttpResponse:
    messages.success(request, text)
    return redirect(target)


@require_POST
def checkin_add(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.add_checkin(
                person, form.payload(clock(person).zone), token=form.cleaned_data["token"]
            )
        except DuplicateSubmission:
            return saved_redirect(request, "That check-in was already saved.")
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            return saved_redirect(request, "Check-in saved." + form.time_note)
    context = _today_context(request, person, checkin_form=form)
    return render(request, "web/today.html", context, status=422)


@require_POST
def dose_add(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = _dose_form(person, request.POST)
    if form.is_valid():
        try:
            dose = services.log_dose(
                person, form.payload(clock(person).zone), token=form.cleaned_data["token"]
            )
        except DuplicateSubmission:
            return saved_redirect(request, "That dose was already saved.")
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            # What was typed ("2 Red Bali capsules"), with its grams when in another unit, as
            # `mitra dose` says it.
            typed = amount_of(unit_text(dose.amount, dose.unit), dose.product.name)
            grams = "" if dose.unit == "g" else f" (= {dose.grams:g} g)"
            return saved_redirect(request, f"Dose saved: {typed}{grams}.{form.time_note}")
    context = _today_context(request, person, dose_form=form)
    return render(request, "web/today.html", context, status=422)


@require_safe
def dose_units(request: HttpRequest) -> HttpResponse:
    """The unit options for the chosen product (htmx swaps them into the dose form)."""
    person = current_person(request)
    data = request.GET.copy()
    raw = data.get("product_id", "")
    product = product_reads.product(person, int(raw)) if raw.isdigit() else None
    before = data.get("unit", "")
    if product is not None:
        # A newly chosen product is logged in its own unit unless the person changes it.
        data["unit"] = product.unit
    form = _dose_form(person, data)
    if product is not None and before and before != product.unit and data.get("amount", "").strip():
        # An amount typed for the last unit ("4" capsules, or a dose being edited) now reads
        # in this one: 4 capsules of 0.5 g would be saved as 4 g unless the person sees it.
        # Django shows help text as HTML: the product's name is escaped here.
        form.fields["unit"].help_text = format_html(
            "Now {}, the unit {} is counted in (was {}): check the amount.",
            _unit_name(product.unit),
            product.name,
            _unit_name(before),
        )
    return render(request, "web/_unit_select.html", {"field": form["unit"]})


def _unit_name(unit: str) -> str:
    return "mg" if unit == "mg" else PRODUCT_UNITS.get(unit, unit)


# --- products -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def products(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.add_product(person, form.payload(), token=form.cleaned_data["token"])
        except DuplicateSubmission:
            return saved_redirect(request, "That product was already saved.", "products")
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            return saved_redirect(request, f"Product added: {product.name}.", "products")
    status = 422 if form.errors else 200
    context = {"form": form, "products": product_reads.products(person)}
    return render(request, "web/products.html", context, status=status)


_PRODUCT_FIELDS = list(ProductForm.base_fields)


@require_http_methods(["GET", "HEAD", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    person = current_person(request)
    product = product_reads.product(person, product_id)
    if product is None:
        raise Http404
    initial = {f: getattr(product, f) for f in _PRODUCT_FIELDS if hasattr(product, f)}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_product(person, product.id, form.payload())
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            return saved_redirect(
                request, f"Product updated: {form.cleaned_data['name']}.", "products"
            )
    status = 422 if form.errors else 200
    return render(
        request, "web/product_edit.html", {"form": form, "product": product}, status=status
    )


@require_POST
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        product = services.delete_product(person, product_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, f"Product removed: {product.name}. Its doses stay in the journal.")
    return redirect("products")


# --- journal ------------------------------------------------------------------------------------


@require_safe
def journal(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    kind_error = None
    try:
        kinds = journal_reads.entry_kinds(request.GET.getlist("kind"))
    except journal_reads.KindsInvalid as exc:
        kinds, kind_error = tuple(journal_reads.ENTRY_KINDS), f"This filter {exc}."
    cursor = None if kind_error else request.GET.get("cursor") or None
    try:
        page = journal_reads.journal_page(person, cursor, limit=50, kinds=kinds)
    except journal_reads.CursorInvalid:  # a stale link: start again
        page = journal_reads.journal_page(person, None, limit=50, kinds=kinds)
    deleted = None
    kind, _, number = request.GET.get("deleted", "").partition("-")
    if kind in services.DELETABLE_KINDS and number.isdigit():
        deleted = journal_reads.deleted_entry(person, kind, int(number))
    filtered = page.kinds != tuple(journal_reads.ENTRY_KINDS)
    context = {
        "days": page.days,
        "older": page.next_cursor,
        "deleted": deleted,
        "day_starts": page.day_starts,
        "kind_choices": [
            (k, label, k in page.kinds) for k, label in journal_reads.ENTRY_KINDS.items()
        ],
        "kind_query": urlencode([("kind", k) for k in page.kinds]) if filtered else "",
        "filtered": filtered,
        "kind_error": kind_error,
    }
    return render(request, "web/journal.html", context, status=400 if kind_error else 200)


@require_safe
def journal_deleted(request: HttpRequest) -> HttpResponse:
    """The entries deleted lately, each with a button that restores it."""
    deleted = journal_reads.recently_deleted(current_person(request))
    return render(request, "web/journal_deleted.html", {"deleted": deleted})


@require_POST
def entry_delete(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        row = services.delete_entry(person, kind, entry_id)
        entry = journal_reads.entry_read(person, kind, row)
    except NotFound:
        # Deleted already (from another tab, or a click sent twice): said as a deletion is,
        # with its Undo; anything else is not this person's entry.
        found = journal_reads.deleted_entry(person, kind, entry_id)
        if found is None:
            raise Http404 from None
        entry = found
    if request.htmx:  # type: ignore[attr-defined]
        # The Undo names what went: "Entry deleted" alone left a person to guess which.
        return render(request, "web/_undo_row.html", {"entry": entry})
    return redirect(f"{reverse('journal')}?deleted={kind}-{entry_id}")


@require_POST
def entry_restore(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    person = current_person(request)
    try:
        row = services.restore_entry(person, kind, entry_id)
        back = journal_reads.entry_read(person, kind, row)
        said = "restored"
    except NotFound:
        # Restored already (from another tab, or a click sent twice): it is in the journal.
        found = journal_reads.deleted_entry(person, kind, entry_id, deleted=False)
        if found is None:
            raise Http404 from None
        back, said = found, "in your journal already"
    # As the Undo named what went, this names what came back.
    messages.success(request, f"{back.title}, {back.at.day} {back.at:%b, %H:%M}: {said}.")
    # From the list of deleted entries, back to it: the next one may be restored too. Else to
    # the journal at the entry restored, not at its top.
    if request.POST.get("back") == "deleted":
        return redirect("journal_deleted")
    return redirect(f"{reverse('journal')}#{kind}-{entry_id}")


def _as_typed(amount: float) -> str:
    """An amount as a person types it ("2", "0.4123456"), every digit kept, not "2.0"."""
    text = repr(float(amount))
    return text.removesuffix(".0")


@require_http_methods(["GET", "HEAD", "POST"])
def entry_edit(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    person = current_person(request)
    values = journal_reads.entry_values(person, kind, entry_id)
    if values is None:
        raise Http404
    zone = clock(person).zone
    form: CheckInForm | DoseForm | IntakeForm
    edit: Callable[[Any, int, Mapping[str, Any]], object]
    if isinstance(values, DoseValues):
        initial: dict[str, Any] = {
            "product_id": values.product.id,
            "amount": _as_typed(values.amount),
            "unit": values.unit,
            "taken_at": values.taken_at.astimezone(zone).strftime(DATETIME_FORMAT),
            "note": values.note,
        }
        form = _dose_form(person, request.POST or None, current=values.product)
        if not form.is_bound:
            form.initial.update(initial)
            choice_field(form, "unit").choices = unit_choices(values.product)
        edit = services.edit_dose
    elif isinstance(values, IntakeValues):
        choices = [(c.id, c.name) for c in substance_reads.substance_choices(person)]
        if values.substance_id not in {c[0] for c in choices}:  # removed from the list since
            choices.insert(0, (values.substance_id, values.substance_name))
        form = IntakeForm(request.POST or None, substances=[])
        choice_field(form, "substance_id").choices = choices
        if not form.is_bound:
            form.initial.update(
                {
                    "substance_id": values.substance_id,
                    "amount": None if values.amount is None else _as_typed(values.amount),
                    "unit": values.unit,
                    "taken_at": values.taken_at.astimezone(zone).strftime(DATETIME_FORMAT),
                    "note": values.note,
                }
            )
        edit = services.edit_intake
    else:
        assert isinstance(values, CheckInValues)
        initial = {
            "at": values.at.astimezone(zone).strftime(DATETIME_FORMAT),
            "anxiety": values.anxiety,
            "mood": values.mood,
            "sleep_hours": values.sleep_hours,
            "sleep_quality": values.sleep_quality,
            "symptoms": list(values.symptoms),
            "note": values.note,
            "regular_meals": _meals_choice(values.regular_meals),
            "caffeine_cups": values.caffeine_cups,
            **{f"practice_{k}": minutes for k, minutes in values.practices.items()},
        }
        form = CheckInForm(request.POST or None, initial=initial)
        edit = services.edit_checkin
    if request.method == "POST" and form.is_valid():
        try:
            edit(person, values.id, form.payload(zone))
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            return saved_redirect(request, "Entry updated." + form.time_note, "journal")
    status = 422 if form.errors else 200
    context = {"form": form, "kind": kind, "entry": values}
    return render(request, "web/entry_edit.html", context, status=status)


# --- crisis -------------------------------------------------------------------------------------


@require_safe
def crisis(request: HttpRequest) -> HttpResponse:
    person = getattr(request, "person", None)
    return render(request, "web/crisis.html", crisis_resources(person))


# --- settings -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest, consent_form: Any = None) -> HttpResponse:
    from .consent_views import consent_context

    person = current_person(request)
    # With `consent_form`, the POST was the research section's (refused): the settings form
    # above it starts unbound.
    posted = request.method == "POST" and consent_form is None
    initial: dict[str, Any] = {
        "time_zone": person.time_zone,
        "day_boundary_hour": person.day_boundary_hour,
        "gad7_every_days": person.gad7_every_days,
        "checkin_time": reminder_store.checkin_time(person),
    }
    form = SettingsForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        try:
            services.set_up_person(form.payload(), person)
        except EntryInvalid as exc:
            form.show_errors(exc)
        else:
            at = form.cleaned_data.get("checkin_time")
            if at is not None and at != initial["checkin_time"]:
                reminder_store.set_checkin_time(person, at.replace(second=0, microsecond=0))
            return saved_redirect(request, "Settings saved.", "settings")
    status = 422 if form.errors or (consent_form is not None and consent_form.errors) else 200
    feed = reverse("reminders_feed", args=[reminder_store.feed_token(person)])
    context = {
        "form": form,
        "feed_url": request.build_absolute_uri(feed),
        **consent_context(person, consent_form),
    }
    return render(request, "web/settings.html", context, status=status)


@require_POST
def reminders_renew(request: HttpRequest) -> HttpResponse:
    """A new feed address; the old one stops working at once (POST with the CSRF token)."""
    reminder_store.renew_token(current_person(request))
    return saved_redirect(
        request,
        "New feed address made; the old one no longer works. Add the new one to your calendar.",
        "settings",
    )


# --- evidence -----------------------------------------------------------------------------------

FIGURE_LABELS = {
    "tmax_hours": "Time to peak (h)",
    "cmax_nM": "Peak concentration (nmol/L)",
    "half_life_hours": "Half-life (h)",
    "auc_nM_h": "Total exposure, AUC (nmol/L x h)",
    "clearance_L_per_h": "Apparent clearance CL/F (L/h)",
    "volume_L": "Apparent volume V/F (L)",
    "volume_L_per_kg": "Apparent volume V/F (L/kg)",
}


def _figure_text(figure: Any) -> str:
    """A study's figure with its spread: "45.3 (31.9-50.2)", "23.24 ± 16.07 (SD)"."""
    if figure.value is None:
        if figure.low is not None and figure.high is not None:
            return f"{figure.low:g}-{figure.high:g}"
        return "–"
    value = f"{figure.value:g}"
    if figure.sd is not None:
        return f"{value} ± {figure.sd:g} (SD)"
    if figure.low is not None and figure.high is not None:
        return f"{value} ({figure.low:g}-{figure.high:g})"
    return value


@require_safe
def evidence(request: HttpRequest) -> HttpResponse:
    """The knowledge behind the numbers: dose bands, PK studies side by side, every source."""
    from mitra.knowledge.pharmacokinetics import load_pharmacokinetics
    from mitra.pharmacology.exposure import DEFAULT_PARAMETER_SET

    kb = load_knowledge()
    pk = load_pharmacokinetics()
    sets = list(pk.parameter_sets.values())
    keys = [k for k in FIGURE_LABELS if any(k in s.figures for s in sets)]
    figure_rows = [
        (
            FIGURE_LABELS[k],
            [_figure_text(s.figures[k]) if k in s.figures else "–" for s in sets],
        )
        for k in keys
    ]
    contexts = [{"context": c, "sources": kb.cite(list(c.sources))} for c in pk.dose_context]
    context = {
        "contexts": contexts,
        "sets": [{"set": s, "sources": kb.cite(list(s.sources))} for s in sets],
        "figure_rows": figure_rows,
        "default_set": DEFAULT_PARAMETER_SET,
        "sources": sorted(kb.sources.values(), key=lambda s: s.citation),
    }
    return render(request, "web/evidence.html", context)
