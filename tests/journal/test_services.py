"""Journal services: validation, normalisation, one transaction each, replays stored once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mitra.journal import services, timeline
from mitra.journal.errors import DuplicateSubmission, EntryInvalid, NotFound
from mitra.journal.models import CheckIn, Dose, Practice, Product
from tests.conftest import utc

pytestmark = pytest.mark.django_db


def _dose(product: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "product_id": product.pk,
        "taken_at": utc(2026, 3, 10, 8),
        "amount": 3,
        "unit": "g",
    } | overrides


def _checkin(**overrides: Any) -> dict[str, Any]:
    return {"at": utc(2026, 3, 10, 9), "anxiety": 5} | overrides


class TestDoses:
    def test_a_dose_in_grams_is_stored_with_its_lab_mitragynine(
        self, alice: Any, powder: Any
    ) -> None:
        dose = services.log_dose(alice, _dose(powder))
        assert dose.grams == 3.0
        assert dose.mg_mitragynine == pytest.approx(45.0)

    def test_a_dose_in_capsules_is_normalised_to_grams(self, alice: Any, capsules: Any) -> None:
        dose = services.log_dose(alice, _dose(capsules, amount=6, unit="capsule"))
        assert dose.grams == pytest.approx(3.0)
        assert dose.mg_mitragynine is None

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"amount": 0}, "amount", "must be more than 0"),
            ({"amount": -2}, "amount", "must be more than 0"),
            ({"amount": "lots"}, "amount", "must be a number"),
            ({"amount": float("nan")}, "amount", "must be a finite number"),
            ({"amount": float("inf")}, "amount", "must be a finite number"),
            ({"amount": 250}, "amount", "more than 100 g"),
            ({"unit": "oz"}, "unit", "is unknown"),
            ({"unit": "capsule"}, "unit", "is capsules, but this product is counted in grams"),
            ({"taken_at": datetime.now(UTC) + timedelta(days=2)}, "taken_at", "in the future"),
            ({"taken_at": utc(1999, 12, 31)}, "taken_at", "before the year 2000"),
            ({"taken_at": "yesterday"}, "taken_at", "must be a date and time"),
            ({"taken_at": datetime(2026, 3, 10, 8)}, "taken_at", "time zone"),
        ],
    )
    def test_bad_doses_are_refused_with_a_message_for_the_field_and_nothing_is_stored(
        self, alice: Any, powder: Any, overrides: dict[str, Any], field: str, message: str
    ) -> None:
        with pytest.raises(EntryInvalid) as refused:
            services.log_dose(alice, _dose(powder, **overrides))
        assert message in refused.value.errors[field]
        assert Dose.objects.count() == 0

    def test_a_product_of_another_person_cannot_be_dosed(self, alice: Any, powder: Any) -> None:
        from mitra.journal.models import Person

        bob = Person.objects.create(time_zone="UTC")
        with pytest.raises(EntryInvalid, match="choose one of your products"):
            services.log_dose(bob, _dose(powder))

    def test_a_replayed_submission_is_stored_once(self, alice: Any, powder: Any) -> None:
        first = services.log_dose(alice, _dose(powder), token="form-1")
        with pytest.raises(DuplicateSubmission) as replay:
            services.log_dose(alice, _dose(powder), token="form-1")
        assert replay.value.entry.pk == first.pk
        assert Dose.objects.count() == 1

    def test_two_doses_from_two_forms_are_both_stored(self, alice: Any, powder: Any) -> None:
        services.log_dose(alice, _dose(powder), token="form-1")
        services.log_dose(alice, _dose(powder), token="form-2")
        assert Dose.objects.count() == 2

    def test_editing_a_dose_normalises_it_again(
        self, alice: Any, powder: Any, capsules: Any
    ) -> None:
        dose = services.log_dose(alice, _dose(powder))
        edited = services.edit_dose(alice, dose.pk, _dose(capsules, amount=4, unit="capsule"))
        assert edited.grams == pytest.approx(2.0)
        assert edited.product == capsules

    def test_a_deleted_dose_can_be_restored(self, alice: Any, powder: Any) -> None:
        dose = services.log_dose(alice, _dose(powder))
        services.delete_dose(alice, dose.pk)
        assert timeline(alice, date(2026, 3, 10), date(2026, 3, 10)).dose_grams.size == 0
        services.restore_dose(alice, dose.pk)
        assert timeline(alice, date(2026, 3, 10), date(2026, 3, 10)).dose_grams.tolist() == [3.0]

    def test_deleting_a_missing_dose_says_not_found(self, alice: Any) -> None:
        with pytest.raises(NotFound):
            services.delete_dose(alice, 999)


class TestProducts:
    @pytest.mark.parametrize("name", ["  ", "\u200b", " \u200b\u200d\u2060 ", "\ufeff"])
    def test_a_product_needs_a_name_that_shows(self, alice: Any, name: str) -> None:
        # A zero-width space was taken as a name, and listed as a blank product.
        with pytest.raises(EntryInvalid) as refused:
            services.add_product(alice, {"name": name})
        assert refused.value.errors == {"name": "is required"}
        with pytest.raises(EntryInvalid) as refused:
            services.add_substance(alice, {"name": name})
        assert refused.value.errors == {"name": "is required"}

    def test_a_name_with_a_joiner_among_letters_is_a_name(self, alice: Any) -> None:
        assert services.add_product(alice, {"name": "Bali\u200dred"}).name == "Bali\u200dred"

    def test_invisible_characters_around_a_name_are_taken_off(self, alice: Any) -> None:
        """A "Bali" pasted with a zero-width space after it was a second product that looked the
        same as "Bali" in every list, so a dose could go to either."""
        assert services.add_product(alice, {"name": "\u200bBali\u200b \ufeff"}).name == "Bali"
        with pytest.raises(EntryInvalid) as refused:
            services.add_product(alice, {"name": "Bali\u2060"})
        assert "already" in refused.value.errors["name"]
        assert services.add_substance(alice, {"name": "\u200esertraline\u200f"}).name == (
            "sertraline"
        )

    def test_an_emoji_flag_at_the_end_of_a_name_keeps_its_tag_characters(self, alice: Any) -> None:
        england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
        assert services.add_product(alice, {"name": f"Tea {england}"}).name == f"Tea {england}"
        with pytest.raises(EntryInvalid):  # tag characters alone show nothing
            services.add_product(alice, {"name": "\U000e0067\U000e0062"})

    def test_a_name_stored_with_invisible_characters_around_it_is_still_taken(
        self, alice: Any
    ) -> None:
        # A journal from before names were trimmed may hold "Bali" with a zero-width space.
        from mitra.journal.models import Product

        Product.objects.create(person=alice, name="Bali\u200b")
        with pytest.raises(EntryInvalid) as refused:
            services.add_product(alice, {"name": "bali"})
        assert "already" in refused.value.errors["name"]

    def test_lab_figures_must_be_plausible(self, alice: Any) -> None:
        with pytest.raises(EntryInvalid) as refused:
            services.add_product(alice, {"name": "X", "mitragynine_mg_per_g": 1500})
        assert refused.value.errors["mitragynine_mg_per_g"] == "must be at most 1000"

    def test_changing_grams_per_capsule_recalculates_past_doses(
        self, alice: Any, capsules: Any
    ) -> None:
        dose = services.log_dose(alice, _dose(capsules, amount=4, unit="capsule"))
        services.edit_product(
            alice, capsules.pk, {"name": "Red capsules", "unit": "capsule", "grams_per_unit": 0.75}
        )
        dose.refresh_from_db()
        assert dose.grams == pytest.approx(3.0)

    def test_a_product_cannot_switch_unit_under_doses_logged_in_the_old_one(
        self, alice: Any, capsules: Any
    ) -> None:
        services.log_dose(alice, _dose(capsules, amount=4, unit="capsule"))
        with pytest.raises(EntryInvalid, match="logged in capsule"):
            services.edit_product(
                alice, capsules.pk, {"name": "Red", "unit": "scoop", "grams_per_unit": 2}
            )
        capsules.refresh_from_db()
        assert capsules.unit == "capsule"


class TestCheckIns:
    def test_minus_zero_is_stored_as_zero(self, alice: Any, powder: Any) -> None:
        # A sleepless night sent as -0.0 was stored as -0.0 and shown as "slept -0 h".
        # (SQLite happens to read it back as 0.0; the entry answered, and PostgreSQL, keep -0.0.)
        checkin = services.add_checkin(alice, _checkin(sleep_hours=-0.0, caffeine_cups=-0.0))
        assert str(checkin.sleep_hours) == str(checkin.caffeine_cups) == "0.0"
        lab = services.add_product(alice, {"name": "Lab", "hydroxy_mg_per_g": -0.0})
        assert str(lab.hydroxy_mg_per_g) == "0.0"

    def test_a_check_in_is_stored_with_its_practices(self, alice: Any) -> None:
        checkin = services.add_checkin(
            alice,
            _checkin(
                mood=4,
                sleep_hours=7.5,
                sleep_quality=3,
                symptoms=["restless", "dark_urine"],
                practices=[
                    {"kind": "mindfulness", "minutes": 15},
                    {"kind": "exercise", "minutes": 30},
                ],
            ),
        )
        assert checkin.symptoms == ["dark_urine", "restless"]
        assert sorted(checkin.practices.values_list("kind", "minutes")) == [
            ("exercise", 30),
            ("mindfulness", 15),
        ]

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"anxiety": 11}, "anxiety", "must be at most 10"),
            ({"anxiety": -1}, "anxiety", "must be at least 0"),
            ({"anxiety": 4.5}, "anxiety", "whole number"),
            ({"sleep_hours": 25}, "sleep_hours", "must be at most 24"),
            ({"mood": 6}, "mood", "must be at most 5"),
            ({"symptoms": ["glowing"]}, "symptoms", "unknown symptom glowing"),
            ({"practices": [{"kind": "yoga", "minutes": 0}]}, "practices.0.minutes", "at least 1"),
            (
                {"practices": [{"kind": "juggling", "minutes": 5}]},
                "practices.0.kind",
                "must be one of",
            ),
        ],
    )
    def test_bad_check_ins_are_refused_and_nothing_is_half_written(
        self, alice: Any, overrides: dict[str, Any], field: str, message: str
    ) -> None:
        with pytest.raises(EntryInvalid) as refused:
            services.add_checkin(
                alice, _checkin(practices=[{"kind": "yoga", "minutes": 20}]) | overrides
            )
        assert message in refused.value.errors[field]
        assert CheckIn.objects.count() == 0
        assert Practice.objects.count() == 0

    def test_a_failure_after_the_check_in_row_rolls_back_the_whole_entry(
        self, alice: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(services, "_save_practices", broken)
        with pytest.raises(RuntimeError):
            services.add_checkin(alice, _checkin(practices=[{"kind": "yoga", "minutes": 20}]))
        assert CheckIn.objects.count() == 0

    def test_editing_a_check_in_replaces_its_practices(self, alice: Any) -> None:
        checkin = services.add_checkin(alice, _checkin(practices=[{"kind": "yoga", "minutes": 20}]))
        services.edit_checkin(
            alice, checkin.pk, _checkin(anxiety=3, practices=[{"kind": "walk", "minutes": 40}])
        )
        checkin.refresh_from_db()
        assert checkin.anxiety == 3
        assert list(checkin.practices.values_list("kind", flat=True)) == ["walk"]


class TestTimeline:
    def test_timeline_returns_plain_arrays_on_the_persons_days(
        self, alice: Any, powder: Any
    ) -> None:
        # Alice is in Berlin (UTC+1 in March). 01:00 local on 11 March belongs to 10 March.
        services.log_dose(alice, _dose(powder, taken_at=utc(2026, 3, 10, 7)))
        services.log_dose(alice, _dose(powder, taken_at=utc(2026, 3, 11, 0), amount=2))
        services.add_checkin(alice, _checkin(at=utc(2026, 3, 11, 9), anxiety=6))
        line = timeline(alice, date(2026, 3, 10), date(2026, 3, 11))
        assert line.daily_grams_leaf().tolist() == [5.0, 0.0]
        assert line.daily_anxiety()[1] == 6.0
        assert type(line.dose_time).__module__ == "numpy"
        assert line.dose_product.tolist() == [powder.pk, powder.pk]

    def test_deleted_check_ins_take_their_practices_out_of_the_timeline(self, alice: Any) -> None:
        checkin = services.add_checkin(alice, _checkin(practices=[{"kind": "yoga", "minutes": 20}]))
        services.delete_checkin(alice, checkin.pk)
        line = timeline(alice, date(2026, 3, 10), date(2026, 3, 10))
        assert line.practice_minutes.size == 0
        assert line.anxiety.size == 0


def test_an_over_long_form_token_is_refused_not_a_server_error(alice: Any, powder: Any) -> None:
    with pytest.raises(EntryInvalid) as refused:
        services.log_dose(alice, _dose(powder), token="x" * 100)
    assert "token" in refused.value.errors
    assert Dose.objects.count() == 0


def test_an_extract_without_a_lab_figure_is_not_counted_as_leaf_in_the_exposure(alice: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from mitra.reads.exposure import recent_exposure

    extract = services.add_product(alice, {"name": "Extract", "form": "extract"})
    now = datetime.now(UTC)
    services.log_dose(
        alice,
        {"product_id": extract.pk, "taken_at": now - timedelta(hours=2), "amount": 1, "unit": "g"},
    )
    curve = recent_exposure(alice, now)
    assert (curve.times, curve.doses, curve.skipped_doses) == ([], 0, 1)  # nothing it can count


def test_a_check_in_may_record_mood_without_an_anxiety_rating_but_not_nothing(alice: Any) -> None:
    from mitra.journal import services
    from mitra.journal.errors import EntryInvalid
    from mitra.reads.journal import journal_page

    saved = services.add_checkin(alice, {"at": utc(2026, 3, 1, 9), "mood": 4})
    assert saved.anxiety is None  # never made up
    assert journal_page(alice).days[0].entries[0].title == "Check-in: mood 4/5"
    with pytest.raises(EntryInvalid) as refused:
        services.add_checkin(alice, {"at": utc(2026, 3, 1, 10)})
    assert refused.value.errors == {"anxiety": "is required when nothing else is recorded"}


class TestImplausibleAmounts:
    """A dose or a day at or above the highest dose band is saved only when confirmed."""

    def test_a_dose_at_the_highest_bands_low_edge_needs_confirmation(
        self, alice: Any, powder: Any
    ) -> None:
        from mitra.journal.errors import ConfirmationNeeded

        with pytest.raises(ConfirmationNeeded) as refused:
            services.log_dose(alice, _dose(powder, amount=15))
        assert refused.value.code == "implausible_amount"
        assert "15 g" in refused.value.errors["amount"]
        assert "Prozialeck" in refused.value.errors["amount"]  # the band's source, cited
        assert refused.value.sources == ("prozialeck2012",)
        assert Dose.objects.count() == 0
        services.log_dose(alice, _dose(powder, amount=15, confirm=True))
        assert Dose.objects.count() == 1

    def test_a_dose_just_below_the_band_is_saved_without_asking(
        self, alice: Any, powder: Any
    ) -> None:
        services.log_dose(alice, _dose(powder, amount=14.9))
        assert Dose.objects.count() == 1

    def test_a_day_whose_total_reaches_the_band_needs_confirmation(
        self, alice: Any, powder: Any
    ) -> None:
        from mitra.journal.errors import ConfirmationNeeded

        services.log_dose(alice, _dose(powder, amount=8, taken_at=utc(2026, 3, 10, 8)))
        # The day before, by Alice's clock (her day starts at 4:00 in Berlin), is another day.
        services.log_dose(alice, _dose(powder, amount=8, taken_at=utc(2026, 3, 10, 2)))
        with pytest.raises(ConfirmationNeeded) as refused:
            services.log_dose(alice, _dose(powder, amount=7, taken_at=utc(2026, 3, 10, 18)))
        assert refused.value.code == "implausible_day_total"
        assert "15 g" in refused.value.errors["amount"]
        assert Dose.objects.count() == 2

    def test_an_extracts_grams_are_not_grams_of_leaf_and_are_never_asked_about(
        self, alice: Any
    ) -> None:
        extract = services.add_product(alice, {"name": "Resin", "form": "extract", "unit": "g"})
        services.log_dose(alice, _dose(extract, amount=20))
        assert Dose.objects.count() == 1

    def test_an_extract_whose_lab_mitragynine_fills_the_highest_band_of_leaf_is_asked_about(
        self, alice: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        from mitra.journal.errors import ConfirmationNeeded
        from mitra.journal.models import Alert

        extract = services.add_product(
            alice,
            {
                "name": "Gold extract",
                "form": "extract",
                "unit": "capsule",
                "grams_per_unit": 0.5,
                "mitragynine_mg_per_g": 300,
            },
        )
        # Ten capsules: 1,500 mg of mitragynine, as much as 77-113 g of leaf.
        with pytest.raises(ConfirmationNeeded) as refused:
            services.log_dose(alice, _dose(extract, amount=10, unit="capsule"))
        assert refused.value.code == "implausible_amount"
        message = refused.value.errors["amount"]
        assert message.startswith("holds 1,500 mg of mitragynine by the product's lab figure")
        assert "as much as 77.0 g to 112.8 g of leaf" in message  # as the alert says it
        assert set(refused.value.sources) >= {"prozialeck2012", "tanna2022", "huestis2024"}
        assert Dose.objects.count() == 0
        # One capsule (150 mg: 7.7 g of leaf at the richer leaf) is saved without asking.
        services.log_dose(alice, _dose(extract, amount=1, unit="capsule"))
        with django_capture_on_commit_callbacks(execute=True):
            services.log_dose(
                alice,
                _dose(extract, amount=10, unit="capsule", confirm=True, taken_at=datetime.now(UTC)),
            )
        assert Dose.objects.count() == 2
        (alert,) = Alert.objects.filter(rule="dose_above_band", severity="warning")
        assert "as much mitragynine as 77.0 g of leaf or more" in alert.title

    def test_editing_a_dose_up_to_the_band_needs_confirmation_too(
        self, alice: Any, powder: Any
    ) -> None:
        from mitra.journal.errors import ConfirmationNeeded

        dose = services.log_dose(alice, _dose(powder))
        with pytest.raises(ConfirmationNeeded):
            services.edit_dose(alice, dose.pk, _dose(powder, amount=30))
        assert Dose.objects.get().amount == 3


class TestSubstanceNames:
    """Intakes are logged against a substance, so no two of a person's substances share a name."""

    def test_a_second_substance_of_the_same_name_in_any_case_is_refused(self, alice: Any) -> None:
        from mitra.journal.models import Substance

        services.add_substance(alice, {"name": "Xanax"})
        with pytest.raises(EntryInvalid) as refused:
            services.add_substance(alice, {"name": " xanax"})
        assert refused.value.errors == {
            "name": "is already the name of one of your substances: xanax"
        }
        assert Substance.objects.count() == 1

    def test_renaming_onto_another_substances_name_is_refused_and_a_change_of_case_is_not(
        self, alice: Any
    ) -> None:
        services.add_substance(alice, {"name": "Xanax"})
        wine = services.add_substance(alice, {"name": "wine"})
        with pytest.raises(EntryInvalid):
            services.edit_substance(alice, wine.pk, {"name": "XANAX"})
        assert services.edit_substance(alice, wine.pk, {"name": "Wine"}).name == "Wine"


class TestProductNames:
    """Doses are logged by a product's name, so no two of a person's products share one."""

    def test_a_second_product_of_the_same_name_in_any_case_is_refused(
        self, alice: Any, powder: Any
    ) -> None:
        with pytest.raises(EntryInvalid) as refused:
            services.add_product(alice, {"name": "GREEN POWDER "})
        assert refused.value.errors == {
            "name": "is already the name of one of your products: GREEN POWDER"
        }
        assert Product.objects.count() == 1

    def test_renaming_onto_another_products_name_is_refused_but_changing_case_is_not(
        self, alice: Any, powder: Any, capsules: Any
    ) -> None:
        with pytest.raises(EntryInvalid):
            services.edit_product(alice, capsules.pk, {"name": "green powder"})
        services.edit_product(alice, powder.pk, {"name": "GREEN powder"})

    def test_a_removed_products_name_can_be_used_again(self, alice: Any, powder: Any) -> None:
        services.delete_product(alice, powder.pk)
        services.add_product(alice, {"name": "Green powder"})

    def test_a_journal_that_already_holds_two_of_a_name_still_loads_and_edits(
        self, alice: Any, powder: Any
    ) -> None:
        twin = Product.objects.create(person=alice, name="Green powder", unit="g")
        services.edit_product(alice, twin.pk, {"name": "Green powder", "vendor": "Kept"})
        assert sorted(Product.objects.values_list("vendor", flat=True)) == ["", "Kept"]
