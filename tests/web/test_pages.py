"""Web pages: first run, Today's forms with errors beside fields, Journal with undo, Products."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from mitra.journal import services
from mitra.journal.models import CheckIn, Dose, Person, Product

pytestmark = pytest.mark.django_db


def _token(html: str, form_action: str) -> str:
    form = html[html.index(f'action="{form_action}"') :]
    match = re.search(r'name="token" value="([0-9a-f]+)"', form)
    assert match, "the form carries a one-time token"
    return match.group(1)


def _local(minutes_ago: int = 5) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")


def _error_beside(html: str, field_id: str) -> str:
    """The error text rendered for a field, found through the field's aria-describedby."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


class TestFirstRun:
    def test_every_page_leads_to_the_time_zone_question_first(self, client: Client) -> None:
        for path in ["/", "/journal", "/products"]:
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"] == "/welcome"

    def test_crisis_help_is_reachable_before_set_up(self, client: Client) -> None:
        assert client.get("/crisis").status_code == 200

    def test_choosing_a_time_zone_starts_the_journal(self, client: Client) -> None:
        page = client.get("/welcome").content.decode()
        assert '<label for="id_time_zone"' in page
        response = client.post("/welcome", {"time_zone": "America/Chicago"})
        assert response.status_code == 302
        assert Person.objects.get().time_zone == "America/Chicago"
        assert client.get("/").status_code == 200

    def test_an_unknown_time_zone_is_refused_beside_the_field(self, client: Client) -> None:
        response = client.post("/welcome", {"time_zone": "Mars/Base"})
        assert response.status_code == 200
        said = _error_beside(response.content.decode(), "id_time_zone")
        assert said == "Your time zone: choose one of those offered."
        assert not Person.objects.exists()

    def test_only_a_first_welcome_asks_the_browser_for_its_time_zone(self, client: Client) -> None:
        """The page's script picks the browser's zone where the select asks for it: a first
        Welcome, never a form sent back with an error, never Settings (a save would move the
        journal to the browser's zone)."""
        guess = 'data-guess="browser"'
        assert guess in client.get("/welcome").content.decode()
        assert guess not in client.post("/welcome", {"time_zone": "Mars/Base"}).content.decode()
        client.post("/welcome", {"time_zone": "Asia/Tokyo"})
        settings = client.get("/settings").content.decode()
        assert guess not in settings
        assert '<option value="Asia/Tokyo" selected>' in settings


class TestToday:
    def test_today_shows_both_forms_and_an_empty_chart_in_words_with_its_table(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        html = client.get("/").content.decode()
        assert "Log a dose" in html
        assert "Check-in" in html
        assert '<p class="chart-empty"><strong>No data yet.</strong></p>' in html
        said = "No anxiety ratings yet; no kratom doses logged."
        assert html.count(said) == 1, "the empty chart says what is missing once, in its caption"
        assert f'<figcaption id="chart-caption">{said}</figcaption>' in html
        assert '<svg role="img" aria-label="Anxiety and kratom' not in html
        assert "<caption>Anxiety and kratom, last 30 days</caption>" in html

    def test_every_input_on_today_has_a_label(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        html = client.get("/").content.decode()
        all_ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(all_ids) == len(set(all_ids)), "element ids are unique"
        fields = re.findall(r"<(?:input|select|textarea)([^>]*)>", html)
        ids = {
            re.search(r'\bid="([^"]+)"', f).group(1)
            for f in fields
            if 'type="hidden"' not in f and ' id="' in f
        }
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        assert ids, "the page has inputs"
        assert ids <= labelled, f"inputs without a label: {sorted(ids - labelled)}"

    def test_without_products_today_asks_for_one_first(self, client: Client, alice: Any) -> None:
        html = client.get("/").content.decode()
        assert "Add a product" in html

    def test_a_check_in_is_saved_with_its_practices(self, client: Client, alice: Any) -> None:
        token = _token(client.get("/").content.decode(), "/checkins")
        response = client.post(
            "/checkins",
            {
                "token": token,
                "at": _local(),
                "anxiety": "4",
                "mood": "3",
                "sleep_hours": "7.5",
                "practice_mindfulness": "15",
                "symptoms": ["restless"],
                "note": "calm morning",
            },
        )
        assert response.status_code == 302
        checkin = CheckIn.objects.get()
        assert (checkin.anxiety, checkin.sleep_hours, checkin.symptoms) == (4, 7.5, ["restless"])
        assert list(checkin.practices.values_list("kind", "minutes")) == [("mindfulness", 15)]
        assert "Check-in saved." in client.get("/").content.decode()

    def test_an_empty_check_in_asks_for_the_anxiety_rating_beside_its_field(
        self, client: Client, alice: Any
    ) -> None:
        response = client.post("/checkins", {"token": "t0", "at": _local()})
        assert response.status_code == 422
        html = response.content.decode()
        assert "is required when nothing else is recorded" in _error_beside(html, "id_anxiety")
        assert CheckIn.objects.count() == 0

    def test_a_bad_check_in_shows_the_message_beside_the_field_and_keeps_the_rest(
        self, client: Client, alice: Any
    ) -> None:
        response = client.post(
            "/checkins",
            {
                "token": "t1",
                "at": _local(),
                "sleep_hours": "30",
                "note": "keep this note",
                "practice_yoga": "20",
            },
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "must be at most 24" in _error_beside(html, "id_sleep_hours")
        assert "keep this note</textarea>" in html
        assert 'name="practice_yoga" value="20"' in html
        assert CheckIn.objects.count() == 0

    @pytest.mark.parametrize("minutes", ["0", "-5"])
    def test_practice_minutes_below_1_are_refused_beside_the_field_not_dropped(
        self, client: Client, alice: Any, minutes: str
    ) -> None:
        response = client.post(
            "/checkins",
            {"token": "t2", "at": _local(), "anxiety": "4", "practice_walk": minutes},
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "Minutes must be at least 1; leave it empty if you did not do it." in (
            _error_beside(html, "id_practice_walk")
        )
        assert CheckIn.objects.count() == 0

    def test_a_dose_is_saved_and_counted_in_grams(
        self, client: Client, alice: Any, capsules: Any
    ) -> None:
        token = _token(client.get("/").content.decode(), "/doses")
        response = client.post(
            "/doses",
            {
                "token": token,
                "product_id": capsules.pk,
                "amount": "6",
                "unit": "capsule",
                "taken_at": _local(),
            },
        )
        assert response.status_code == 302
        assert Dose.objects.get().grams == pytest.approx(3.0)
        assert "Dose saved: 6 Red capsules (= 3 g)." in client.get("/").content.decode()

    @pytest.mark.parametrize(
        ("changes", "field_id", "message"),
        [
            ({"amount": "-1"}, "dose_amount", "must be more than 0"),
            ({"amount": "abc"}, "dose_amount", "Amount must be a number, such as 2.5."),
            ({"unit": "scoop"}, "dose_unit", "Unit: choose one of those offered."),
            ({"taken_at": "2099-01-01T08:00"}, "dose_taken_at", "in the future"),
            ({"amount": "500"}, "dose_amount", "more than 100 g"),
        ],
    )
    def test_a_bad_dose_is_refused_beside_its_field_with_the_other_fields_kept(
        self,
        client: Client,
        alice: Any,
        powder: Any,
        changes: dict[str, str],
        field_id: str,
        message: str,
    ) -> None:
        data = {
            "token": "t2",
            "product_id": str(powder.pk),
            "amount": "3",
            "unit": "g",
            "taken_at": _local(),
            "note": "after lunch",
        } | changes
        response = client.post("/doses", data)
        assert response.status_code == 422
        html = response.content.decode()
        assert message in _error_beside(html, field_id)
        assert 'value="after lunch"' in html
        assert Dose.objects.count() == 0

    def test_a_message_of_its_own_is_not_run_on_from_the_fields_label(
        self, client: Client, alice: Any
    ) -> None:
        """ "Unit the product does not say needs the grams one capsule holds" ran the label into
        a sentence of its own: each such message now reads on from its field's label."""
        caps = services.add_product(alice, {"name": "Caps", "form": "capsules", "unit": "capsule"})
        data = {"token": "t9", "product_id": str(caps.pk), "amount": "3", "unit": "capsule",
                "taken_at": _local()}  # fmt: skip
        html = client.post("/doses", data).content.decode()
        said = _error_beside(html, "dose_unit")
        assert said.startswith("Unit needs the grams one capsule holds, which the product does")
        html = client.post("/doses", data | {"amount": "-1"}).content.decode()
        assert _error_beside(html, "dose_amount").startswith("Amount must be")

    def test_a_dose_above_the_highest_band_asks_are_you_sure_and_keeps_the_entry(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        data = {
            "token": "t3",
            "product_id": str(powder.pk),
            "amount": "20",
            "unit": "g",
            "taken_at": _local(),
            "note": "big day",
        }
        response = client.post("/doses", data)
        assert response.status_code == 422
        html = response.content.decode()
        assert "are you sure?" in _error_beside(html, "dose_amount")
        assert 'value="big day"' in html
        assert '<label for="dose_confirm">Yes, this amount is right:</label>' in html
        assert Dose.objects.count() == 0
        assert client.post("/doses", data | {"confirm": "on"}).status_code == 302
        assert Dose.objects.get().grams == 20

    def test_a_7oh_dose_above_the_largest_labelled_dose_asks_are_you_sure(
        self, client: Client, alice: Any
    ) -> None:
        from mitra.journal import services

        tabs = services.add_product(
            alice, {"name": "Tabs", "form": "7oh", "unit": "tablet", "grams_per_unit": 0.1,
                    "hydroxy_mg_per_g": 150.0},
        )  # fmt: skip
        data = {"token": "t7", "product_id": str(tabs.pk), "amount": "2", "unit": "tablet",
                "taken_at": _local()}  # fmt: skip
        response = client.post("/doses", data)  # 30 mg of 7-OH: more than 25 mg
        assert response.status_code == 422
        said = " ".join(_error_beside(response.content.decode(), "dose_amount").split())
        assert "holds 30 mg of 7-OH by the product&#39;s lab figure" in said
        assert "largest labelled dose of the 7-OH products studied (25 mg; Smith" in said
        assert "are you sure?" in said
        assert Dose.objects.count() == 0
        assert client.post("/doses", data | {"confirm": "on"}).status_code == 302
        one = data | {"token": "t8", "amount": "1"}  # 15 mg: within a labelled dose
        assert client.post("/doses", one).status_code == 302
        assert Dose.objects.count() == 2

    def test_a_plain_dose_form_has_no_confirmation_box(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        assert 'id="dose_confirm"' not in client.get("/").content.decode()

    def test_a_double_submitted_dose_is_stored_once(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        token = _token(client.get("/").content.decode(), "/doses")
        data = {
            "token": token,
            "product_id": powder.pk,
            "amount": "3",
            "unit": "g",
            "taken_at": _local(),
        }
        assert client.post("/doses", data).status_code == 302
        assert client.post("/doses", data).status_code == 302
        assert Dose.objects.count() == 1
        assert "That dose was already saved." in client.get("/").content.decode()

    def test_choosing_a_product_offers_its_own_unit(
        self, client: Client, alice: Any, powder: Any, capsules: Any
    ) -> None:
        html = client.get(
            f"/doses/units?product_id={capsules.pk}", HTTP_HX_REQUEST="true"
        ).content.decode()
        assert '<option value="capsule"' in html
        assert 'id="unit-field"' in html


class TestJournal:
    def test_entries_are_listed_newest_first_and_grouped_by_day(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        now = datetime.now(UTC)
        services.log_dose(
            alice,
            {
                "product_id": powder.pk,
                "taken_at": now - timedelta(days=1),
                "amount": 2,
                "unit": "g",
            },
        )
        services.add_checkin(alice, {"at": now - timedelta(minutes=1), "anxiety": 7})
        html = client.get("/journal").content.decode()
        assert html.index("Check-in: anxiety 7/10") < html.index("Kratom: 2 g of Green powder")
        assert html.count('class="card day"') == 2

    def test_delete_offers_undo_and_undo_restores(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        dose = services.log_dose(
            alice,
            {"product_id": powder.pk, "taken_at": datetime.now(UTC), "amount": 2, "unit": "g"},
        )
        response = client.post(f"/journal/dose/{dose.pk}/delete", HTTP_HX_REQUEST="true")
        assert "Undo" in response.content.decode()
        # It names what went ("Entry deleted." alone left a person to guess which).
        said = re.sub(r"<[^>]+>", "", response.content.decode())
        assert re.search(r"Kratom: 2 g of Green powder, \d+ \w+, \d\d:\d\d: deleted\.", said)
        assert "Kratom: 2 g" not in client.get("/journal").content.decode()
        client.post(f"/journal/dose/{dose.pk}/restore")
        assert "Kratom: 2 g" in client.get("/journal").content.decode()

    def test_delete_without_javascript_redirects_to_an_undo_button(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        dose = services.log_dose(
            alice,
            {"product_id": powder.pk, "taken_at": datetime.now(UTC), "amount": 2, "unit": "g"},
        )
        response = client.post(f"/journal/dose/{dose.pk}/delete", follow=True)
        assert f'action="/journal/dose/{dose.pk}/restore"' in response.content.decode()
        said = re.sub(r"<[^>]+>", "", response.content.decode())
        assert re.search(r"Kratom: 2 g of Green powder, \d+ \w+, \d\d:\d\d: deleted\.", said)
        # An address naming an entry that is not deleted shows no Undo.
        client.post(f"/journal/dose/{dose.pk}/restore")
        page = client.get(f"/journal?deleted=dose-{dose.pk}").content.decode()
        assert "/restore" not in page

    def test_editing_a_check_in_keeps_its_values_and_saves_changes(
        self, client: Client, alice: Any
    ) -> None:
        checkin = services.add_checkin(
            alice,
            {
                "at": datetime.now(UTC) - timedelta(hours=1),
                "anxiety": 7,
                "practices": [{"kind": "walk", "minutes": 30}],
            },
        )
        page = client.get(f"/journal/checkin/{checkin.pk}").content.decode()
        assert 'name="practice_walk" value="30"' in page
        at = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
        response = client.post(
            f"/journal/checkin/{checkin.pk}",
            {"at": at.strftime("%Y-%m-%dT%H:%M"), "anxiety": "3", "practice_walk": "45"},
        )
        assert response.status_code == 302
        checkin.refresh_from_db()
        assert checkin.anxiety == 3
        assert list(checkin.practices.values_list("minutes", flat=True)) == [45]

    def test_another_kind_of_entry_is_not_found(self, client: Client, alice: Any) -> None:
        assert client.post("/journal/person/1/delete").status_code == 404


class TestProducts:
    def test_a_product_is_added_with_its_lab_figures(self, client: Client, alice: Any) -> None:
        response = client.post(
            "/products",
            {
                "token": "p1",
                "name": "Bali capsules",
                "vein": "red",
                "form": "capsules",
                "unit": "capsule",
                "grams_per_unit": "0.5",
                "mitragynine_mg_per_g": "13.3",
            },
        )
        assert response.status_code == 302
        product = Product.objects.get()
        assert (product.grams_per_unit, product.mitragynine_mg_per_g) == (0.5, 13.3)
        assert "13.3 mg/g" in client.get("/products").content.decode()

    def test_a_missing_lab_figure_is_said_as_the_report_says_it(
        self, client: Client, alice: Any
    ) -> None:
        """Neither figure of a product without a lab test reads "unknown": "not lab-tested"."""
        services.add_product(alice, {"name": "Red Bali", "unit": "g"})
        html = client.get("/products").content.decode()
        cells = re.findall(r'<td data-label="(Mitragynine|7-OH)">(.*?)</td>', html)
        assert [label for label, _ in cells] == ["Mitragynine", "7-OH"]
        for label, cell in cells:
            assert re.sub(r"<[^>]+>", "", cell) == "not lab-tested", label

    @pytest.mark.parametrize("name", ["", "\u200b"])  # a zero-width space shows as nothing
    def test_a_product_without_a_name_is_refused_beside_the_field(
        self, client: Client, alice: Any, name: str
    ) -> None:
        response = client.post(
            "/products",
            {
                "token": "p2",
                "name": name,
                "vendor": "Kept Vendor",
                "vein": "red",
                "form": "powder",
                "unit": "g",
            },
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "Name is required." in _error_beside(html, "id_name")
        assert 'value="Kept Vendor"' in html

    def test_a_second_product_of_a_name_is_refused_beside_the_field(
        self, client: Client, alice: Any, powder: Any
    ) -> None:
        data = {"token": "p3", "name": "Green Powder", "vein": "red", "form": "powder"}
        response = client.post("/products", data | {"unit": "g"})
        assert response.status_code == 422
        html = response.content.decode()
        assert "Name is already the name of one of your products" in _error_beside(html, "id_name")
        assert Product.objects.count() == 1

    def test_lab_figures_that_add_up_to_more_than_a_gram_are_refused_beside_the_field(
        self, client: Client, alice: Any
    ) -> None:
        data = {"token": "p4", "name": "Odd", "vein": "red", "form": "extract", "unit": "g",
                "mitragynine_mg_per_g": "600", "hydroxy_mg_per_g": "600"}  # fmt: skip
        response = client.post("/products", data)
        assert response.status_code == 422
        html = response.content.decode()
        beside = _error_beside(html, "id_hydroxy_mg_per_g")
        assert "together with mitragynine is 1,200 mg in a gram" in beside
        assert 'value="600"' in html  # what was typed is kept
        assert not Product.objects.filter(name="Odd").exists()

    def test_a_product_is_edited(self, client: Client, alice: Any, powder: Any) -> None:
        response = client.post(
            f"/products/{powder.pk}",
            {
                "name": "Green powder",
                "vein": "green",
                "form": "powder",
                "unit": "g",
                "mitragynine_mg_per_g": "19.48",
            },
        )
        assert response.status_code == 302
        powder.refresh_from_db()
        assert powder.mitragynine_mg_per_g == 19.48


class TestCrisis:
    @pytest.mark.parametrize("path", ["/", "/journal", "/products", "/crisis"])
    def test_crisis_help_is_one_click_from_every_page(
        self, client: Client, alice: Any, path: str
    ) -> None:
        assert 'href="/crisis">Crisis help</a>' in client.get(path).content.decode()

    def test_in_a_us_time_zone_the_crisis_page_offers_988_first_and_cites_its_source(
        self, client: Client, alice: Any
    ) -> None:
        services.set_up_person({"time_zone": "America/Chicago"})
        html = client.get("/crisis").content.decode()
        assert html.index('href="tel:988"') < html.index('href="tel:911"')
        assert 'href="https://988lifeline.org/"' in html

    def test_in_berlin_the_crisis_page_offers_112_and_not_the_us_lines(
        self, client: Client, alice: Any
    ) -> None:
        html = client.get("/crisis").content.decode()
        assert 'href="tel:112"' in html
        assert 'href="tel:988"' not in html
        assert 'href="https://findahelpline.com/"' in html

    def test_in_london_the_crisis_page_offers_samaritans(self, client: Client, alice: Any) -> None:
        services.set_up_person({"time_zone": "Europe/London"})
        assert 'href="tel:116123"' in client.get("/crisis").content.decode()

    def test_a_time_zone_without_known_lines_still_offers_the_international_directory(
        self, client: Client, alice: Any
    ) -> None:
        services.set_up_person({"time_zone": "Asia/Tokyo"})
        html = client.get("/crisis").content.decode()
        assert 'href="https://findahelpline.com/"' in html
        assert 'href="tel:988"' not in html

    def test_mitra_locale_overrides_the_time_zone(
        self, client: Client, alice: Any, settings: Any
    ) -> None:
        settings.MITRA_LOCALE = "US"
        assert 'href="tel:988"' in client.get("/crisis").content.decode()


class TestEvidence:
    def test_dose_bands_from_each_source_are_shown_side_by_side_and_marked_anecdotal(
        self, client: Client, alice: Any
    ) -> None:
        html = client.get("/evidence").content.decode()
        for label in ("Reported dose-effect bands", "PsychonautWiki", "TripSit", "Grundmann"):
            assert label in html, label
        assert html.count("Anecdotal</strong>") >= 3

    def test_the_pk_studies_are_side_by_side_with_their_spread_and_the_one_in_use(
        self, client: Client, alice: Any
    ) -> None:
        html = client.get("/evidence").content.decode()
        assert "45.3 (31.9-50.2)" in html  # tanna2022 half-life, median (range)
        assert "23.24 ± 16.07 (SD)" in html  # trakulsrichai2015 half-life, mean ± SD
        assert "in use</span>" in html

    def test_every_page_links_to_the_evidence(self, client: Client, alice: Any) -> None:
        assert 'href="/evidence">Evidence and sources</a>' in client.get("/").content.decode()


def test_choosing_a_capsule_product_selects_capsules_even_when_the_form_said_grams(
    client: Client, alice: Any, powder: Any, capsules: Any
) -> None:
    html = client.get(
        f"/doses/units?product_id={capsules.pk}&unit=g", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert re.search(r'<option value="capsule"[^>]*selected', html)


def test_a_typed_amount_whose_unit_changes_with_the_product_is_pointed_out(
    client: Client, alice: Any, powder: Any, capsules: Any
) -> None:
    """Editing 4 capsules and choosing the leaf powder instead turned the unit to g and kept
    the 4: the dose was saved as 4 g with nothing said."""
    html = client.get(
        f"/doses/units?product_id={powder.pk}&unit=capsule&amount=4", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert re.search(r'<option value="g"[^>]*selected', html)
    note = re.search(r'<div class="helptext" id="([^"]+)">([^<]*)</div>', html)
    assert note is not None
    assert note[2] == (
        "Now grams, the unit Green powder is counted in (was capsules): check the amount."
    )
    assert re.search(rf'<select[^>]*aria-describedby="{note[1]}"', html)
    # Nothing to check when no amount is typed yet, or the unit stays as it was.
    for query in ("unit=capsule&amount=", "unit=g&amount=4"):
        html = client.get(f"/doses/units?product_id={powder.pk}&{query}").content.decode()
        assert "check the amount" not in html


def test_a_product_name_in_the_unit_note_is_shown_as_text(client: Client, alice: Any) -> None:
    product = services.add_product(alice, {"name": "<b>Bold</b> powder"})
    html = client.get(f"/doses/units?product_id={product.pk}&unit=capsule&amount=4").content
    assert b"&lt;b&gt;Bold&lt;/b&gt; powder is counted in" in html


def test_the_welcome_page_leads_to_settings_once_set_up(client: Client, alice: Any) -> None:
    response = client.get("/welcome")
    assert response.status_code == 302
    assert response["Location"] == "/settings"


def test_editing_a_dose_of_a_removed_product_keeps_its_product(
    client: Client, alice: Any, powder: Any, capsules: Any
) -> None:
    dose = services.log_dose(
        alice,
        {"product_id": capsules.pk, "taken_at": datetime.now(UTC), "amount": 4, "unit": "capsule"},
    )
    services.delete_product(alice, capsules.pk)
    page = client.get(f"/journal/dose/{dose.pk}").content.decode()
    assert re.search(rf'<option value="{capsules.pk}"[^>]*selected', page)
    at = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/journal/dose/{dose.pk}",
        {
            "product_id": capsules.pk,
            "amount": "4",
            "unit": "capsule",
            "taken_at": at,
            "note": "new note",
        },
    )
    assert response.status_code == 302
    dose.refresh_from_db()
    assert (dose.product_id, dose.grams, dose.note) == (capsules.pk, 2.0, "new note")


def test_paging_the_journal_neither_loses_nor_repeats_entries_logged_in_the_same_minute(
    client: Client, alice: Any, powder: Any
) -> None:
    same_minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    for n in range(51):
        services.add_checkin(alice, {"at": same_minute, "anxiety": n % 11, "note": f"entry {n}"})
    seen: list[str] = []
    page = client.get("/journal").content.decode()
    while True:
        seen += re.findall(r"entry \d+", page)
        link = re.search(r'href="(\?cursor=[^"]+)"', page)
        if not link:
            break
        page = client.get("/journal" + link.group(1).replace("&amp;", "&")).content.decode()
    assert sorted(seen) == sorted(f"entry {n}" for n in range(51))


def test_a_nonsense_journal_cursor_shows_the_first_page(client: Client, alice: Any) -> None:
    assert client.get("/journal?cursor=WyIwMDAxLTAxLTAxIiwgMF0").status_code == 200
    assert client.get("/journal?cursor=yesterday").status_code == 200


def test_a_time_in_the_repeated_hour_when_clocks_go_back_is_accepted_as_the_earlier_one(
    client: Client, alice: Any
) -> None:
    services.set_up_person({"time_zone": "America/New_York"})
    response = client.post("/checkins", {"token": "dst", "at": "2025-11-02T01:30", "anxiety": "3"})
    assert response.status_code == 302
    assert CheckIn.objects.get().at == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_an_intake_is_edited_from_the_journal_even_of_a_substance_removed_since(
    client: Client, alice: Any
) -> None:
    wine = services.add_substance(alice, {"name": "wine"})
    services.add_substance(alice, {"name": "sertraline"})
    intake = services.log_intake(
        alice, {"substance_id": wine.pk, "taken_at": datetime.now(UTC), "unit": ""}
    )
    services.delete_substance(alice, wine.pk)
    journal = client.get("/journal").content.decode()
    assert f'href="/journal/intake/{intake.pk}">Edit' in journal
    page = client.get(f"/journal/intake/{intake.pk}").content.decode()
    assert "<h1>Edit use of wine</h1>" in page
    assert re.search(rf'<option value="{wine.pk}"[^>]*selected', page)
    at = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    form = {"substance_id": wine.pk, "amount": "-2", "unit": "glasses", "taken_at": at,
            "note": "with dinner"}  # fmt: skip
    refused = client.post(f"/journal/intake/{intake.pk}", form)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'value="glasses"' in text  # the rest kept
    assert "with dinner" in text
    response = client.post(f"/journal/intake/{intake.pk}", form | {"amount": "2"})
    assert response.status_code == 302
    intake.refresh_from_db()
    assert (intake.substance_id, intake.amount, intake.unit, intake.note) == (
        wine.pk, 2.0, "glasses", "with dinner"
    )  # fmt: skip


def test_a_dose_form_sent_again_after_a_change_says_so_and_saves_on_the_next_send(
    client: Client, alice: Any, powder: Any
) -> None:
    """Going back to a sent form, changing the amount and sending it again: the first dose
    stands, the new amount is not dropped in silence (the page says so, with the form kept
    and a new token), and sending it again saves it."""
    token = _token(client.get("/").content.decode(), "/doses")
    form = {"token": token, "product_id": powder.pk, "amount": "2", "unit": "g",
            "taken_at": _local()}  # fmt: skip
    assert client.post("/doses", form).status_code == 302
    changed = client.post("/doses", form | {"amount": "3"})
    assert changed.status_code == 422
    html = changed.content.decode()
    first = Dose.objects.get()
    assert f"This form was sent before with other values (dose {first.pk} was saved then)" in html
    assert 'name="amount" value="3"' in html
    fresh = _token(html, "/doses")
    assert fresh != token
    assert client.post("/doses", form | {"amount": "3", "token": fresh}).status_code == 302
    assert sorted(Dose.objects.values_list("amount", flat=True)) == [2.0, 3.0]


def test_an_edit_form_shows_an_amount_as_typed_with_every_digit(
    client: Client, alice: Any, powder: Any
) -> None:
    now = datetime.now(UTC)
    two = services.log_dose(alice, {"product_id": powder.pk, "taken_at": now, "amount": 2,
                                    "unit": "g"})  # fmt: skip
    fine = services.log_dose(alice, {"product_id": powder.pk, "taken_at": now,
                                     "amount": 0.412, "unit": "g"})  # fmt: skip
    assert 'name="amount" value="2"' in client.get(f"/journal/dose/{two.pk}").content.decode()
    page = client.get(f"/journal/dose/{fine.pk}").content.decode()
    assert 'name="amount" value="0.412"' in page


def test_the_report_forms_fields_point_at_their_help_and_error_by_ids_that_exist(
    client: Client, alice: Any
) -> None:
    """A screen reader reads a field's help and its error through aria-describedby: each id
    it names is on the page (the report form named ids its own template did not make)."""
    html = client.get("/report?days=9999").content.decode()
    ids = set(re.findall(r'id="([^"]+)"', html))
    named = [i for ref in re.findall(r'aria-describedby="([^"]+)"', html) for i in ref.split()]
    assert "id_days_error" in named
    assert [i for i in named if i not in ids] == []


def test_an_entry_before_the_day_starts_shows_its_date_and_the_journal_says_why(
    client: Client, alice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A questionnaire at 00:25 was listed under the day before with nothing to say why, and
    above the evening's entries of that day: the page now names the hour days start at, and
    such an entry carries its own date beside its time."""
    from mitra.journal.models import Person

    Person.objects.filter(pk=alice.pk).update(day_boundary_hour=4)
    berlin = ZoneInfo("Europe/Berlin")
    late = datetime(2026, 3, 11, 0, 25, tzinfo=berlin)
    services.add_checkin(alice, {"at": datetime(2026, 3, 10, 16, 0, tzinfo=berlin), "anxiety": 2})
    services.add_checkin(alice, {"at": late, "anxiety": 5})
    html = " ".join(client.get("/journal").content.decode().split())
    assert "Your days start at 04:00: an entry made before then is on the day before" in html
    day = html[html.index('id="day-2026-03-10"') :]
    assert '00:25 <span class="muted">(11 Mar)</span></time>' in day
    assert "16:00</time>" in day
    # The terminal says it as the page does, and its JSON (the API's document) holds the hour.
    from mitra.cli import main

    main(["entries"])
    printed = capsys.readouterr().out
    assert "Your days start at 04:00: an entry made before then is on the day before" in printed
    assert "00:25 (11 Mar)" in printed
    assert client.get("/api/v1/entries").json()["day_starts"] == "04:00"
    Person.objects.filter(pk=alice.pk).update(day_boundary_hour=0)
    assert "Your days start at" not in client.get("/journal").content.decode()
    assert client.get("/api/v1/entries").json()["day_starts"] == ""


def test_every_stacked_table_labels_its_cells_for_a_phone() -> None:
    """On a phone a stacked table (class "stack") hides its header, so a cell without its
    column's name reads as a bare value: the API tokens table's rows read "Laptop / mt_ab12… /
    read / 1 Dec 2026 21:40 / never". Every cell carries its column's name, but a cell that
    holds only its own control (an Edit link, a Take button), which says what it does."""
    from pathlib import Path

    import mitra.web

    templates = Path(mitra.web.__file__).parent / "templates"
    unlabelled = []
    for template in sorted(templates.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        stacked = r'<table[^>]*class="[^"]*\bstack\b[^"]*"[^>]*>.*?</table>'
        for table in re.findall(stacked, text, re.S):
            for cell in re.findall(r"<td(?![^>]*data-label)[^>]*>(.*?)</td>", table, re.S):
                if not re.fullmatch(r"\s*<(a|button)\b.*</\1>\s*", cell, re.S):
                    unlabelled.append(f"{template.name}: {cell.strip()[:50]}")
    assert unlabelled == []
