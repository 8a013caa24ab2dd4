"""`mitra interactions` and `mitra exposure`."""

from __future__ import annotations

import importlib
import json

import pytest

from tests.cli.test_commands import refused, run


def test_interactions_json_names_each_query_with_its_resolution_and_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "interactions", "Xanax", "Floopazine", "--json")
    assert code == 0
    reports = json.loads(out)["reports"]
    xanax, unknown = reports
    assert (xanax["query"], xanax["resolved"]) == ("Xanax", "alprazolam")
    assert "benzodiazepine" in xanax["classes"]
    finding = xanax["interactions"][0]
    assert {"severity", "mechanism", "advice", "evidence", "sources"} <= set(finding)
    assert finding["sources"][0]["url"].startswith("https://")
    assert (unknown["resolved"], unknown["status"]) == (None, "unknown")
    assert unknown["interactions"] == []


def test_an_unknown_name_is_reported_as_unknown_not_as_no_interaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "interactions", "sertralien")[1]
    assert "sertraline" in out
    out = run(capsys, "interactions", "Floopazine")[1]
    assert "unknown to mitra" in out


def test_interactions_start_with_a_summary_line_and_name_classes_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "interactions", "xanax", "tramadol", "sertraline", "Floopazine")[1]
    assert out.splitlines()[0] == ("4 names checked: 2 danger, 1 caution, 1 unknown to mitra")
    assert "Benzodiazepine, CNS depressant" in out
    assert "cns_depressant" not in out


def test_interactions_keep_the_mechanism_for_details_and_show_every_source_either_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = run(capsys, "interactions", "xanax")[1]
    detailed = run(capsys, "interactions", "xanax", "--details")[1]
    mechanism = "GABA-A receptors"
    assert mechanism not in " ".join(short.split())
    assert mechanism in " ".join(detailed.split())
    assert "add --details" in short
    assert short.count("Source: ") == detailed.count("Source: ") > 0


def test_did_you_mean_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "interactions", "alprazolamine")[1]
    assert out.count("Did you mean") == 1


@pytest.mark.django_db
def test_exposure_json_has_the_curve_its_summary_band_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "exposure", "--dose", "2026-03-10T08:00=2", "--mg-per-g", "19.48", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["parameter_set"] == "tanna2022_two_compartment"  # the default model
    assert len(data["times"]) == len(data["concentration_nM"]) == len(data["low_nM"])
    assert data["tmax_hours"] == pytest.approx(1.0, abs=0.25)
    assert data["half_life_hours"] == pytest.approx(45.3)
    # 2 g of a 19.48 mg/g leaf is the 39 mg of Tanna 2022, whose AUC was 420 nM h.
    assert data["auc_nM_h"] == pytest.approx(420, rel=0.1)
    assert data["dose_details"][0]["estimated"] is False
    assert "tanna2022" in data["sources"]


def test_typed_doses_are_said_on_the_journals_clock_with_the_real_time_since(
    capsys: pytest.CaptureFixture[str], alice: object
) -> None:
    """Alice is in Berlin: a dose typed as 08:00 peaks about an hour later on her clock, and
    "last dose ... ago" counts to now, not to the end of the curve."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    taken = (datetime.now(UTC) - timedelta(hours=8)).astimezone(berlin).replace(microsecond=0)
    typed = f"{taken:%Y-%m-%dT%H:%M:%S}=2"
    out = " ".join(run(capsys, "exposure", "--dose", typed)[1].split())
    # CET or CEST, never UTC: the zone at the peak's instant (an hour on, by the clock's rules).
    peak = (taken.astimezone(UTC) + timedelta(hours=1)).astimezone(berlin)
    assert f"({peak:%Z})" in out
    assert "Last dose 8.0 h ago." in out
    later = (taken + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    assert "Last dose" not in run(capsys, "exposure", "--dose", f"{later}=2")[1]


@pytest.mark.django_db
def test_exposure_without_a_lab_figure_is_marked_as_an_estimate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(run(capsys, "exposure", "--dose", "2026-03-10T08:00=2", "--json")[1])
    dose = data["dose_details"][0]
    assert dose["estimated"] is True
    assert dose["mg_low"] < dose["mg_mitragynine"] <= dose["mg_high"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["exposure", "--dose", "08:00"], "use TIME=AMOUNT"),
        (["exposure", "--dose", "2026-03-10T08:00=lots"], "is not an amount"),
        (["exposure", "--dose", "2026-03-10T08:00=-1"], "more than 0"),
        (
            ["exposure", "--dose", "2026-03-10T08:00=2", "--params", "nobody2020"],
            "not a modelled parameter set",
        ),
        (
            ["exposure", "--dose", "2026-03-10T08:00=2", "--params", "trakulsrichai2015"],
            "body mass",
        ),
        (
            ["exposure", "--dose", "2026-03-10T08:00=2", "--until", "2026-03-09T08:00"],
            "after the first dose",
        ),
        (["exposure"], "give either --dose"),
    ],
)
def test_bad_exposure_input_is_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in refused(capsys, *argv)


@pytest.mark.django_db
def test_alerts_json_lists_the_journals_alerts_with_sources(
    capsys: pytest.CaptureFixture[str], alice: object, powder: object
) -> None:
    from datetime import UTC, datetime, timedelta

    from mitra.journal import services

    services.add_checkin(
        alice,
        {"at": datetime.now(UTC) - timedelta(hours=1), "anxiety": 3, "symptoms": ["pale_stools"]},
    )
    code, out, _ = run(capsys, "alerts", "--json")
    assert code == 0
    rows = json.loads(out)["alerts"]
    liver = next(r for r in rows if r["rule"] == "liver_symptoms")
    assert liver["severity"] == "warning"
    assert liver["sources"][0]["url"].startswith("https://")
    assert {"title", "text", "advice", "facts", "at"} <= set(liver)


@pytest.mark.django_db
def test_alerts_all_says_which_were_read_and_which_withdrawn_and_why(
    capsys: pytest.CaptureFixture[str], alice: object
) -> None:
    from datetime import UTC, datetime, timedelta

    from mitra.journal import alerts, services
    from mitra.journal.models import Alert

    at = datetime.now(UTC) - timedelta(hours=2)
    mistyped = services.add_checkin(alice, {"at": at, "anxiety": 3, "symptoms": ["pale_stools"]})
    run(capsys, "alerts")  # the terminal's rules look again
    services.delete_entry(alice, "checkin", mistyped.pk)
    said = " ".join(run(capsys, "alerts", "--all")[1].split())
    assert "Withdrawn " in said
    assert ": the entry behind it was deleted or changed." in said
    assert "No open alerts" in run(capsys, "alerts")[1]
    # Another check-in with a sign: the same finding, back, said as it now stands.
    services.add_checkin(alice, {"at": at + timedelta(hours=1), "anxiety": 3,
                                 "symptoms": ["dark_urine"]})  # fmt: skip
    said = " ".join(run(capsys, "alerts")[1].split())
    assert "dark urine" in said
    assert "pale stools" not in said
    (alert,) = Alert.objects.filter(rule="liver_symptoms")
    alerts.acknowledge_alert(alice, alert.pk)
    said = " ".join(run(capsys, "alerts", "--all")[1].split())
    assert said.count("Read ") == 1
    assert "Withdrawn" not in said


@pytest.mark.django_db
def test_alerts_puts_crisis_resources_first_for_a_crisis_answer(
    capsys: pytest.CaptureFixture[str], alice: object
) -> None:
    from datetime import UTC, datetime

    from mitra.journal import services

    services.set_up_person({"time_zone": "America/Chicago"})
    services.submit_response(
        alice, {"instrument": "PHQ-9", "at": datetime.now(UTC), "answers": [0] * 8 + [2]}
    )
    out = run(capsys, "alerts")[1]
    assert out.index("988") < out.index("DANGER")


def test_an_empty_substance_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "names is empty" in refused(capsys, "interactions", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "extra", "grams"),
    [
        ("2", [], 2.0),  # a bare number is grams, as before
        ("2g", [], 2.0),
        ("2 G", [], 2.0),
        ("500mg", [], 0.5),
        ("4 capsules", ["--grams-per-unit", "0.5"], 2.0),
        ("1 capsule", ["--grams-per-unit", "0.5"], 0.5),
    ],
)
def test_exposure_reads_dose_amounts_as_people_type_them(
    capsys: pytest.CaptureFixture[str], amount: str, extra: list[str], grams: float
) -> None:
    argv = ["exposure", "--dose", f"2026-03-10T08:00={amount}", *extra, "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert json.loads(out)["dose_details"][0]["grams"] == pytest.approx(grams)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--dose", "2026-03-10T08:00=2 potatoes"], "'potatoes' in '2 potatoes' is not a unit"),
        (["--dose", "2026-03-10T08:00=g"], "'g' is not an amount"),
        (["--dose", "2026-03-10T08:00=-1g"], "the amount must be more than 0"),
        # The bounds a logged dose has: 100 g at most, nothing before the year 2000.
        (["--dose", "2026-03-10T08:00=99999g"], "a dose of 99999 g is more than 100 g"),
        (["--dose", "1900-11-30T08:00=4g"], "a dose on 30 Nov 1900 (UTC) is before the year 2000"),
        (["--dose", "2026-03-10T08:00="], "the amount is empty"),
        (["--dose", "2026-03-10T08:00=1e400g"], "'1e400g' is not an amount"),
        (["--dose", "2026-03-10T08:00=4 capsules"], "add --grams-per-unit"),
        (
            [
                "--dose",
                "2026-03-10T08:00=4 capsules",
                "--dose",
                "2026-03-10T09:00=1 scoop",
                "--grams-per-unit",
                "0.5",
            ],
            "cannot describe both",
        ),
    ],
)
def test_exposure_refuses_a_nonsense_amount_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in refused(capsys, "exposure", *argv)


@pytest.mark.django_db
def test_exposure_reads_a_time_without_offset_on_the_journals_clock(
    capsys: pytest.CaptureFixture[str], alice: object
) -> None:
    argv = ["exposure", "--dose", "2026-03-10T08:00=2g", "--until", "2026-03-10T10:00", "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    data = json.loads(out)
    # 08:00 on Alice's clock in Berlin (UTC+1 in March), as `mitra dose --at` reads it.
    assert data["dose_details"][0]["time"] == "2026-03-10T07:00:00Z"
    assert data["times"][-1] == "2026-03-10T09:00:00Z"
    assert err == ""


@pytest.mark.django_db
def test_exposure_reads_a_time_with_an_offset_as_given(
    capsys: pytest.CaptureFixture[str], alice: object
) -> None:
    argv = ["exposure", "--dose", "2026-03-10T08:00+00:00=2g", "--json"]
    data = json.loads(run(capsys, *argv)[1])
    assert data["dose_details"][0]["time"] == "2026-03-10T08:00:00Z"


@pytest.mark.django_db
def test_doses_typed_with_offsets_are_said_at_the_offset_typed_not_in_utc(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["exposure", "--dose", "2026-03-10T08:00-05:00=2g"]
    out = " ".join(run(capsys, *argv)[1].split())
    assert "at 10 Mar 2026, 09:00 (UTC-05:00)" in out
    assert "(UTC)" not in out


@pytest.mark.django_db
def test_without_a_journal_exposure_reads_times_on_the_machines_clock_and_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_app = importlib.import_module("mitra.cli.app")  # the module, not the Typer app
    from mitra.journal.models import Person

    monkeypatch.setattr(cli_app, "system_zone", lambda: "America/New_York")
    code, out, err = run(capsys, "exposure", "--dose", "2026-03-10T08:00=2g", "--json")
    assert code == 0, err
    # 08:00 in New York (UTC-4 after 8 March 2026) is 12:00 UTC.
    assert json.loads(out)["dose_details"][0]["time"] == "2026-03-10T12:00:00Z"
    assert err.strip() == (
        "mitra: no journal yet, so times without an offset were read in this machine's time "
        "zone, America/New_York"
    )
    assert not Person.objects.exists()  # reading a time creates no journal


def test_the_machines_zone_survives_djangos_setup_of_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    cli_app = importlib.import_module("mitra.cli.app")  # the module, not the Typer app

    # Django sets TZ to its own TIME_ZONE (UTC) when it starts; the TZ the command was
    # started with is what counts.
    monkeypatch.setattr(cli_app, "_TZ_AT_START", "Asia/Tokyo")
    monkeypatch.setenv("TZ", "UTC")
    assert cli_app.system_zone() == "Asia/Tokyo"
