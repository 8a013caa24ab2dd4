"""The `mitra` command: logging, reading with --json, and one-line refusals with exit status 2."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest

from mitra.cli import main
from mitra.journal.models import CheckIn, Dose, Product


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.django_db
class TestLogging:
    def test_a_dose_is_logged_by_product_name_in_its_own_unit(
        self, capsys: pytest.CaptureFixture[str], alice: Any, capsules: Any
    ) -> None:
        code, out, _ = run(capsys, "dose", "red caps", "6", "--at", "2026-03-10 08:00", "--json")
        assert code == 0
        data = json.loads(out)
        assert data["grams"] == pytest.approx(3.0)
        assert data["unit"] == "capsule"
        # 08:00 on Alice's clock in Berlin (UTC+1 in March).
        assert data["taken_at"] == "2026-03-10T07:00:00+00:00"

    @pytest.mark.parametrize("command", [["dose", "Green", "3"], ["checkin", "4"]])
    def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_named(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, command: list[str]
    ) -> None:
        # Berlin: the clocks skip 02:00-03:00 on 30 March 2025 and repeat it on 26 October.
        message = refused(capsys, *command, "--at", "2025-03-30 02:30")
        assert message == (
            "mitra: --at: 02:30 does not exist on 2025-03-30 in Europe/Berlin: the clocks skip "
            "that hour; give a time before or after the change"
        )
        assert not Dose.objects.exists()
        assert not CheckIn.objects.exists()
        code, _, err = run(capsys, *command, "--at", "2025-10-26 02:30", "--json")
        assert code == 0
        assert "02:30 happened twice on 2025-10-26 (the clocks went back); mitra took the " in err
        assert "(CEST, UTC+02:00)" in err
        saved = (Dose if command[0] == "dose" else CheckIn).objects.get()
        when = saved.taken_at if command[0] == "dose" else saved.at
        assert when.astimezone(UTC).isoformat() == "2025-10-26T00:30:00+00:00"

    def test_the_same_dose_command_run_twice_is_stored_once(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
    ) -> None:
        assert run(capsys, "dose", "Green", "3", "--at", "2026-03-10 08:00")[0] == 0
        message = refused(capsys, "dose", "Green", "3", "--at", "2026-03-10 08:00")
        assert "already in the journal" in message
        assert Dose.objects.count() == 1

    @pytest.mark.parametrize(
        "command",
        [["dose", "Green", "3"], ["checkin", "4"], ["checkin", "4", "--sleep-hours", "6"]],
    )
    def test_an_entry_at_the_same_minute_with_another_value_is_another_entry(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, command: list[str]
    ) -> None:
        """Any other value (a note, sleep hours) makes another command, stored as another
        entry: never refused as a replay of the first, or dropped for one."""
        at = ["--at", "2026-03-10 08:00"]
        assert run(capsys, *command, *at)[0] == 0
        code, _, err = run(capsys, *command, *at, "--note", "the second")
        assert code == 0, err
        model = Dose if command[0] == "dose" else CheckIn
        assert sorted(model.objects.values_list("note", flat=True)) == ["", "the second"]

    @pytest.mark.parametrize(
        ("command", "kind"),
        [
            (["dose", "Green", "3"], "dose"),
            (["checkin", "4"], "check-in"),
            (["intake", "sertraline", "50mg"], "intake"),
            (["practice", "yoga", "20"], "practice"),
        ],
    )
    def test_the_same_entry_at_one_instant_typed_two_ways_is_stored_once(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, command: list[str],
        kind: str,
    ) -> None:  # fmt: skip
        """08:00 on Alice's clock in Berlin (UTC+1 in March) is 07:00Z: the replay token was
        made from the text typed, so the same dose was stored twice."""
        from mitra.journal import services
        from mitra.journal.models import Intake, Practice

        services.add_substance(alice, {"name": "sertraline"})
        assert run(capsys, *command, "--at", "2026-03-10 08:00")[0] == 0
        for typed in ("2026-03-10T07:00:00Z", "2026-03-10T09:00+02:00", "2026-03-10T08:00:30"):
            message = refused(capsys, *command, "--at", typed)
            assert message.startswith(f"mitra: this {kind} is already in the journal")
        model = {"dose": Dose, "check-in": CheckIn, "intake": Intake, "practice": Practice}
        assert model[kind].objects.count() == 1

    def test_a_dose_above_the_highest_band_is_refused_until_yes_is_added(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
    ) -> None:
        message = refused(capsys, "dose", "Green", "20g", "--at", "2026-03-10 08:00")
        assert "at or above 15 g" in message
        assert "Prozialeck" in message
        assert message.endswith("run the command again with --yes")
        assert Dose.objects.count() == 0
        assert run(capsys, "dose", "Green", "20g", "--at", "2026-03-10 08:00", "--yes")[0] == 0
        assert Dose.objects.get().grams == 20

    def test_a_check_in_with_practices_and_symptoms(
        self, capsys: pytest.CaptureFixture[str], alice: Any
    ) -> None:
        code, _, _ = run(
            capsys,
            "checkin",
            "4",
            "--mood",
            "3",
            "--sleep-hours",
            "6.5",
            "--practice",
            "mindfulness=15",
            "--symptom",
            "restless",
            "--at",
            "2026-03-10 09:00",
        )
        assert code == 0
        checkin = CheckIn.objects.get()
        assert (checkin.anxiety, checkin.symptoms) == (4, ["restless"])
        assert checkin.practices.get().minutes == 15
        # 09:00 on Alice's clock in Berlin (UTC+1 in March), like `dose --at` and `exposure`.
        assert checkin.at.astimezone(UTC).isoformat() == "2026-03-10T08:00:00+00:00"

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (["checkin", "11"], "anxiety must be at most 10"),
            (["checkin", "five"], "anxiety must be a whole number, not 'five'"),
            (["checkin", "-1"], "-1: no number this command takes is below zero"),
            (["checkin", "-1.5"], "-1.5: no number this command takes is below zero"),
            (
                ["plan", "goal", "mindfulness", "-70min/week"],
                "mitra: -70min/week: no number this command takes is below zero",
            ),
            (
                ["report", "--days", "9", "--from", "2026-01-01"],
                "--days cannot go with a start date; give a number of days or a start date",
            ),
            (["report", "--from", "2020-01-01"], "--from is too early: the period would be"),
            (
                ["report", "--from", "0001-01-01", "--to", "0001-01-02"],
                "mitra: --from is before 2000-01-01; a journal holds nothing earlier, so check",
            ),
            (["report", "--days", "0", "--from", "2026-01-01"], "mitra: --days cannot go with"),
            (["report", "--days", "0"], "mitra: --days must be between 1 and"),
            (["checkin", "4", "--practice", "yoga"], "use KIND=MINUTES"),
            (["checkin", "4", "--symptom", "glowing"], "unknown symptom glowing"),
            (["dose", "Green", "3", "oz"], "'oz' in '3 oz' is not a unit"),
            (["dose", "Green", "3", "capsule"], "but this product is counted in grams"),
            (["dose", "Green", "0"], "amount must be more than 0"),
            (["dose", "Green", "--", "-3"], "amount must be more than 0"),
            (["dose", "Green", "3", "--at", "2099-01-01 08:00"], "in the future"),
            (["dose", "Green", "3", "--at", "soon"], "is not a time"),
            (["dose", "Purple", "3"], "no product 'Purple'"),
            (["dose"], "Missing argument"),
            (["dosee"], "No such command 'dosee'"),
            (["products", "add", "X", "--mitragynine-mg-per-g", "5000"], "at most 1000"),
            (["export", "--format", "xml"], "--format xml is not available"),
            (["products", "add", "green POWDER"], "name is already the name of one of your"),
            (
                ["products", "add", "Ctl\x01prod"],
                "name must not contain control characters (here U+0001)",
            ),
            (["dose", "Green", "3", "--note", "a\x1bb"], "note must not contain control"),
        ],
    )
    def test_bad_input_is_one_line_on_stderr_with_exit_2_and_nothing_is_stored(
        self,
        capsys: pytest.CaptureFixture[str],
        alice: Any,
        powder: Any,
        argv: list[str],
        expected: str,
    ) -> None:
        assert expected.lower() in refused(capsys, *argv).lower()
        assert Dose.objects.count() == 0
        assert CheckIn.objects.count() == 0
        assert Product.objects.count() == 1


@pytest.mark.django_db
class TestReading:
    def test_products_json_lists_the_products(
        self, capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, capsules: Any
    ) -> None:
        code, out, _ = run(capsys, "products", "--json")
        assert code == 0
        rows = json.loads(out)["products"]
        assert [r["name"] for r in rows] == ["Green powder", "Red capsules"]
        assert rows[1]["grams_per_unit"] == 0.5

    def test_products_add_then_list(self, capsys: pytest.CaptureFixture[str], alice: Any) -> None:
        assert (
            run(capsys, "products", "add", "Bali", "--unit", "capsule", "--grams-per-unit", "0.5")[
                0
            ]
            == 0
        )
        assert "Bali" in run(capsys, "products")[1]

    def test_demo_then_export_json_round_trips_the_counts(
        self, capsys: pytest.CaptureFixture[str], alice: Any
    ) -> None:
        code, out, _ = run(capsys, "demo", "--days", "20", "--seed", "3")
        assert code == 0
        data = json.loads(run(capsys, "export", "--format", "json")[1])
        assert data["format"] == "mitra-journal"
        assert len(data["doses"]) == Dose.objects.count() > 20
        assert len(data["checkins"]) == CheckIn.objects.count() >= 20
        assert f"{len(data['doses'])} doses" in " ".join(out.split())

    def test_demo_says_the_time_zone_it_used_and_takes_another(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "demo", "--days", "3", "--timezone", "Asia/Tokyo")
        assert code == 0
        assert "on the clock of Asia/Tokyo" in " ".join(out.split())

    def test_demo_with_the_same_seed_makes_the_same_person(self) -> None:
        from mitra.simulation import synthetic_journal

        a = synthetic_journal(30, seed=7, time_zone="Europe/Berlin")
        b = synthetic_journal(30, seed=7, time_zone="Europe/Berlin")
        assert a.doses == b.doses
        assert a.checkins == b.checkins


class TestServe:
    @pytest.mark.django_db  # whether accounts exist decides
    @pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org"])
    def test_serve_refuses_a_non_loopback_address_and_says_why(
        self, capsys: pytest.CaptureFixture[str], host: str
    ) -> None:
        message = refused(capsys, "serve", "--host", host)
        assert f"refusing to listen on {host}" in message
        assert "no accounts yet" in message

    @pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
    def test_loopback_addresses_are_accepted(self, host: str) -> None:
        from mitra.cli.serve import _is_loopback

        assert _is_loopback(host)


@pytest.mark.django_db
def test_demo_refuses_to_mix_made_up_entries_into_a_real_journal(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any
) -> None:
    message = refused(capsys, "demo", "--days", "5")
    assert "already has entries" in message
    assert Dose.objects.count() == 0
    assert run(capsys, "demo", "--days", "5", "--into-existing")[0] == 0
    assert Dose.objects.count() > 0
    # A second demo into the same journal puts its doses on the first one's products (it was
    # a traceback: their names were taken), and says it added none.
    products = Product.objects.count()
    code, out, err = run(capsys, "demo", "--days", "5", "--into-existing", "--seed", "2")
    assert code == 0, err
    assert Product.objects.count() == products
    assert ", 0 products." in out.replace("\n", " ")


@pytest.mark.django_db
def test_user_text_with_brackets_is_printed_as_typed_not_read_as_markup(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    assert run(capsys, "products", "add", "Red [/] batch [2]")[0] == 0
    code, out, err = run(capsys, "dose", "Red", "3", "--at", "2026-03-10 08:00")
    assert code == 0, err
    assert "Logged 3 g of Red [/] batch [2] = 3 g" in out
    code, out, err = run(capsys, "products")
    assert code == 0, err


def test_export_to_a_folder_that_does_not_exist_is_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], db: Any
) -> None:
    assert "--output" in refused(capsys, "export", "--output", "/nonexistent/dir/x.json")


@pytest.mark.django_db
def test_an_empty_product_name_is_refused_not_matched_to_the_only_product(
    capsys: pytest.CaptureFixture[str], alice: Any, capsules: Any
) -> None:
    line = refused(capsys, "dose", "", "1")
    assert "product is empty" in line
    assert not Dose.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "grams", "unit"),
    [
        (["2g"], 2.0, "g"),
        (["2 g"], 2.0, "g"),
        (["500mg"], 0.5, "mg"),
        (["4 capsules"], 2.0, "capsule"),
        (["4 Capsules"], 2.0, "capsule"),
        (["1 capsule"], 0.5, "capsule"),
        (["2", "capsule"], 1.0, "capsule"),
        (["2", "capsules"], 1.0, "capsule"),
        (["3"], 1.5, "capsule"),  # a bare number counts in the product's own unit
    ],
)
def test_a_dose_amount_is_read_as_people_type_it(
    capsys: pytest.CaptureFixture[str],
    alice: Any,
    capsules: Any,
    argv: list[str],
    grams: float,
    unit: str,
) -> None:
    code, out, err = run(capsys, "dose", "Red", *argv, "--at", "2026-03-10 08:00", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["grams"], data["unit"]) == (pytest.approx(grams), unit)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2 potatoes", "'potatoes' in '2 potatoes' is not a unit"),
        ("g", "'g' is not an amount"),
        ("-1g", "the amount must be more than 0"),
        ("", "amount is empty"),
        ("1e400g", "'1e400g' is not an amount"),
        ("4 scoops", "is scoops, but this product is counted in capsules"),
    ],
)
def test_a_nonsense_dose_amount_is_one_line_with_exit_2_and_nothing_is_stored(
    capsys: pytest.CaptureFixture[str], alice: Any, capsules: Any, amount: str, expected: str
) -> None:
    assert expected in refused(capsys, "dose", "Red", amount)
    assert Dose.objects.count() == 0


@pytest.mark.django_db
def test_the_first_command_keeps_its_json_pure_and_says_the_time_zone_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    cli_app = importlib.import_module("mitra.cli.app")
    monkeypatch.setattr(cli_app, "_TZ_AT_START", "Europe/Berlin")  # TZ when mitra started
    code, out, err = run(capsys, "checkin", "3", "--json")
    assert code == 0
    assert json.loads(out)["anxiety"] == 3  # stdout is the JSON document alone
    assert "using time zone Europe/Berlin" in err


@pytest.mark.django_db
def test_demo_taper_starts_a_taper_and_needs_enough_days(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    assert "--days 38 or more" in refused(capsys, "demo", "--days", "20", "--taper")
    code, out, _ = run(capsys, "demo", "--days", "45", "--seed", "2", "--taper")
    assert code == 0
    assert "a taper" in out
    status = json.loads(run(capsys, "taper", "status", "--json")[1])
    assert status["active"] is True


@pytest.mark.django_db
def test_demo_taper_never_replaces_a_taper_in_progress(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    plan = ("taper", "plan", "--to", "0", "--pace", "10-per-week", "--from", "8g", "--save")
    assert run(capsys, *plan)[0] == 0
    status = json.loads(run(capsys, "taper", "status", "--json")[1])
    message = refused(capsys, "demo", "--days", "45", "--taper", "--into-existing")
    assert message == (
        "mitra: --taper: a taper is in progress in this journal, and the demo would replace "
        "it; leave out --taper"
    )
    assert not Dose.objects.exists()  # the demo is one transaction: nothing of it stays
    assert json.loads(run(capsys, "taper", "status", "--json")[1]) == status


@pytest.mark.django_db
def test_reminders_lists_the_check_in_and_renews_the_feed_url(
    capsys: pytest.CaptureFixture[str], alice: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    code, out, _ = run(capsys, "reminders", "--days", "3", "--checkin-time", "07:30")
    assert code == 0
    assert out.count("daily check-in") == 3
    first = out.split("/reminders/")[1].split(".ics")[0]
    renewed = run(capsys, "reminders", "--renew")[1].split("/reminders/")[1].split(".ics")[0]
    assert renewed != first
    assert "--checkin-time" in refused(capsys, "reminders", "--checkin-time", "late")


@pytest.mark.django_db
def test_the_feed_url_names_the_address_the_server_answers_at(
    capsys: pytest.CaptureFixture[str], alice: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    out = run(capsys, "reminders", "--days", "1", "--base-url", "http://192.168.1.20:8765/")[1]
    assert "http://192.168.1.20:8765/reminders/" in out
    assert "127.0.0.1:8000" not in out
    assert "--base-url" in refused(capsys, "reminders", "--base-url", "ftp://x")


@pytest.mark.django_db
def test_the_feed_url_is_the_running_servers_and_says_so_when_none_runs(
    capsys: pytest.CaptureFixture[str], alice: Any, settings: Any, tmp_path: Any
) -> None:
    import json
    import os
    from pathlib import Path

    settings.DATA_DIR = tmp_path
    record = tmp_path / "serving.json"
    # `mitra serve --port 8765` running: its address, and nothing more said.
    record.write_text(json.dumps({"url": "http://127.0.0.1:8765", "pid": os.getpid()}))
    code, out, err = run(capsys, "reminders", "--days", "1")
    assert code == 0
    assert "http://127.0.0.1:8765/reminders/" in out
    assert err == ""
    # The server has ended (its file left behind by a kill): the default address, said so.
    # No process has the number pid_max (numbers stop one below it).
    ended = int(Path("/proc/sys/kernel/pid_max").read_text())
    record.write_text(json.dumps({"url": "http://127.0.0.1:8765", "pid": ended}))
    code, out, err = run(capsys, "reminders", "--days", "1")
    assert "http://127.0.0.1:8000/reminders/" in out
    assert "mitra serve is not running" in err
    assert "--base-url" in err


@pytest.mark.django_db
def test_an_unknown_symptom_lists_the_symptoms_there_are(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    line = refused(capsys, "checkin", "5", "--symptom", "anxious")
    assert "unknown symptom anxious; use one of: " in line
    assert "restless" in line
    assert "upper_right_pain" in line
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["checkin", "abc"], "anxiety must be a whole number, not 'abc'"),
        (["checkin", "5", "--mood", "x"], "--mood must be a whole number, not 'x'"),
        (["checkin", "5", "--sleep-hours", "lots"], "--sleep-hours must be a number, not 'lots'"),
        (["score", "GAD-7", "1", "x"], "answers must be a whole number, not 'x'"),
    ],
)
def test_a_value_that_is_not_a_number_is_refused_in_plain_words(
    capsys: pytest.CaptureFixture[str], alice: Any, argv: list[str], expected: str
) -> None:
    line = refused(capsys, *argv)
    assert expected in line
    assert "Input should" not in line
    assert "parse string" not in line


def _command_paths() -> list[list[str]]:
    import typer

    from mitra.cli import app

    paths: list[list[str]] = [[]]

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*path, name])
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_help_shows_flags_without_a_value_and_repeatable_options_by_their_item(
    capsys: pytest.CaptureFixture[str], path: list[str]
) -> None:
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0
    assert "<bool>" not in out
    assert "<list[" not in out


@pytest.mark.django_db
def test_a_refused_entry_names_the_option_and_what_was_typed(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    assert refused(
        capsys, "checkin", "4", "--practice", "walk=10", "--practice", "knitting=15"
    ) == (
        "mitra: --practice 'knitting=15': kind must be one of: 'mindfulness', 'breathing', "
        "'exercise', 'yoga', 'walk', 'therapy' or 'journaling'"
    )
    assert refused(capsys, "checkin", "4", "--practice", "walk=99999") == (
        "mitra: --practice 'walk=99999': minutes must be at most 720"
    )
    assert refused(capsys, "checkin", "4", "--at", "1999-01-01 08:00").startswith(
        "mitra: --at is before the year 2000"
    )


#: What a command Ctrl-C stopped once its entry was saved says: the entry, and where to see it.
_SAVED = (
    "mitra: stopped once {} was saved; it is in the journal, so do not enter it again "
    "(see it: mitra {})"
)


@pytest.mark.django_db(transaction=True)  # committed for real: the refresh runs after it
def test_ctrl_c_after_an_entry_is_saved_leaves_it_saved_and_says_which(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """Ctrl-C while the alerts are refreshed after the commit: the check-in is whole and
    stays, as the README says, and the command says so (a plain "interrupted" read as nothing
    saved, and the check-in was entered again); it still ends with 130, never 0."""

    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mitra.journal.alerts.refresh_covering", interrupted)
    code, _, err = run(capsys, "checkin", "4", "--note", "kept")
    assert code == 130
    kept = CheckIn.objects.get()
    assert kept.note == "kept"
    assert err.strip().splitlines() == [
        _SAVED.format(f"check-in {kept.pk}", "entries --kind checkin")
    ]


@pytest.mark.django_db(transaction=True)  # committed for real: the refresh runs after it
def test_ctrl_c_while_the_alerts_are_refreshed_stops_the_command_once_they_are_stored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    """A crisis answer, and Ctrl-C in the moment its alerts are being worked out: the answer
    is saved and so is its crisis alert (not left for a later write to raise); then the
    command stops, with 130."""
    import os
    import signal

    from mitra.journal import alerts
    from mitra.journal.models import Alert, Response

    real = alerts._refresh

    def ctrl_c_midway(*args: Any, **options: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **options)

    typed = iter(["0"] * 8 + ["1"])  # the PHQ-9's last item: thoughts of self-harm
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    monkeypatch.setattr(alerts, "_refresh", ctrl_c_midway)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        code, out, err = run(capsys, "questionnaire", "PHQ-9")
    finally:
        signal.signal(signal.SIGINT, before)
    assert code == 130
    saved = Response.objects.get()
    assert saved.answers[-1] == 1
    assert Alert.objects.filter(rule="crisis_answer").count() == 1
    # Said saved: answered again, the questionnaire was a second response.
    assert err.strip().splitlines() == [
        _SAVED.format(f"PHQ-9 response {saved.pk}", "entries --kind response")
    ]
    # Its score is still shown, the crisis answer's help first.
    assert out.index("You deserve support right now") < out.index("PHQ-9: 1 of 27")


@pytest.mark.django_db
def test_settings_refused_in_part_change_nothing(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    before = (alice.time_zone, alice.day_boundary_hour)
    line = refused(capsys, "settings", "--timezone", "Asia/Tokyo", "--day-starts", "25")
    assert "day boundary hour must be at most 23" in line
    assert "--timezone is not a time zone" not in line
    alice.refresh_from_db()
    assert (alice.time_zone, alice.day_boundary_hour) == before  # not the zone alone either
    assert refused(
        capsys, "settings", "--timezone", "Nowhere/Else", "--day-starts", "6"
    ).startswith("mitra: --timezone ")
    alice.refresh_from_db()
    assert (alice.time_zone, alice.day_boundary_hour) == before
    code, out, _ = run(capsys, "settings", "--timezone", "Asia/Tokyo", "--day-starts", "6")
    assert code == 0
    assert out.strip() == "Time zone Asia/Tokyo; your day starts at 6:00."
    code, out, _ = run(capsys, "settings", "--day-starts", "5")  # the zone kept
    assert out.strip() == "Time zone Asia/Tokyo; your day starts at 5:00."


@pytest.fixture
def ctrl_c_after_the_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C pressed while a write's alerts are refreshed: the refresh holds it until it has
    ended (alerts._uninterrupted), so it reaches the command just after the refresh returns."""
    from mitra.journal import alerts

    refresh = alerts.refresh_covering

    def refresh_then_ctrl_c(*args: Any, **kwargs: Any) -> None:
        refresh(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(alerts, "refresh_covering", refresh_then_ctrl_c)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("command", "what", "see"),
    [
        (["checkin", "4"], "check-in", "entries --kind checkin"),
        (["dose", "Green", "3"], "dose", "entries --kind dose"),
    ],
)
def test_ctrl_c_once_a_check_in_or_dose_is_saved_says_so(
    capsys: pytest.CaptureFixture[str],
    powder: Any,
    ctrl_c_after_the_refresh: None,
    command: list[str],
    what: str,
    see: str,
) -> None:
    code, _, err = run(capsys, *command)
    assert code == 130
    (entry,) = _entries(capsys)
    assert err.strip().splitlines() == [_SAVED.format(f"{what} {entry['id']}", see)]


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_before_a_check_in_is_committed_saves_nothing_and_says_interrupted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, alice: Any
) -> None:
    def ctrl_c(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    # Inside the entry's transaction, after its rows are written and it has asked to learn of
    # the commit, before the commit: rolled back.
    monkeypatch.setattr("mitra.journal.services.refresh_after_commit", ctrl_c)
    code, _, err = run(capsys, "checkin", "4", "--practice", "walk=20")
    assert code == 130
    assert err.strip().splitlines() == ["mitra: interrupted"]
    assert _entries(capsys) == []


def _entries(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Every entry of the journal, as `mitra entries --json` lists them."""
    code, out, _ = run(capsys, "entries", "--json")
    assert code == 0
    return [entry for day in json.loads(out)["days"] for entry in day["entries"]]


@pytest.mark.django_db
def test_text_from_the_journal_is_shown_by_the_terminal_never_obeyed(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    """A note, a name or an imported file's words holding escape sequences once coloured (or
    could clear) the terminal, and a note's line break could pass for another entry. Each
    control character is shown as its symbol; a listing keeps one line per entry; a refusal
    that quotes the input stays one line. (Such text is refused at input now; a journal from
    before, or an import of another app's file, may still hold it.)"""
    red = "a\x1b[31mRED\x1b[0m\nb  09:00  GAD-7: 0 of 21"
    # At 07:30 and 07:40, so no real entry's line starts with the note's "09:00" (a run at
    # 09:00 in Berlin logged them at 09:00 and failed).
    assert run(capsys, "checkin", "4", "--note", "plain", "--at", "2026-03-10 07:30")[0] == 0
    assert run(capsys, "checkin", "3", "--note", "plain too", "--at", "2026-03-10 07:40")[0] == 0
    assert run(capsys, "products", "add", "Leaf")[0] == 0
    first, second = CheckIn.objects.order_by("pk")
    CheckIn.objects.filter(pk=first.pk).update(note=red)
    # JSON escapes what json.dumps leaves raw (DEL, C1's 8-bit CSI, bidi overrides).
    CheckIn.objects.filter(pk=second.pk).update(note="a\x9b2Jb\u202ec\x7f")
    Product.objects.filter(name="Leaf").update(name="Leaf\x1b]0;pwned\x07")
    code, out, _ = run(capsys, "entries")
    assert code == 0
    assert "\x1b" not in out
    assert "a␛[31mRED␛[0m␤b  09:00  GAD-7" in out
    assert not any(line.lstrip().startswith("09:00") for line in out.splitlines())
    code, out, _ = run(capsys, "products")
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "Leaf␛]0;pwned␇" in out
    said = refused(capsys, "dose", "no\x1b[2Jsuch\nthing", "2")
    assert said.startswith("mitra: no product 'no␛[2Jsuch␤thing'")
    said = refused(capsys, "checkin", "x\x1b[2J")  # Click's own refusal quotes it too
    assert "\x1b" not in said
    assert "x␛[2J" in said
    # The JSON document, parsed, is the same, and holds nothing a terminal obeys.
    code, out, _ = run(capsys, "entries", "--json")
    assert not {"\x9b", "\u202e", "\x7f"} & set(out)
    notes = [e["details"] for d in json.loads(out)["days"] for e in d["entries"]]
    assert any("a\x9b2Jb\u202ec\x7f" in details for details in notes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["checkin", "5", "--note", "a", "--note", "b"], "--note"),
        (["checkin", "5", "--note=a", "--note", "b"], "--note"),
        (["dose", "Green powder", "2", "--at", "2026-11-26 10:00", "--at", "11:00"], "--at"),
        (["taper", "plan", "--to", "0", "--pace", "10-per-week", "--to", "2g"], "--to"),
        (["products", "--limit", "2", "--limit", "3"], "--limit"),
    ],
    ids=["note", "note=", "at", "taper to", "a list's option"],
)
def test_an_option_given_twice_is_refused_not_half_taken(
    capsys: pytest.CaptureFixture[str], alice: Any, powder: Any, args: list[str], option: str
) -> None:
    """Click keeps an option's last value: `--note a --note b` saved "b", dropping "a" in
    silence. Now the command refuses before it runs; options meant to repeat still do."""
    from mitra.journal.models import CheckIn, Dose

    assert refused(capsys, *args) == f"mitra: {option} is given twice; give it once"
    assert not CheckIn.objects.exists()
    assert not Dose.objects.exists()
    code, _, err = run(capsys, "checkin", "5", "--practice", "yoga=10", "--practice", "walk=20")
    assert code == 0, err
    # A value that looks like an option is a value: given once, it is taken.
    at = "2026-11-30 08:00"
    code, _, err = run(capsys, "checkin", "5", "--note", "--at=noon was bad", "--at", at)
    assert code == 0, err
    assert CheckIn.objects.filter(note="--at=noon was bad").exists()


@pytest.mark.django_db
def test_grams_per_unit_for_a_product_counted_in_grams_is_refused_not_dropped(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    """`--unit g --grams-per-unit 0.5` saved the product and dropped the 0.5 in silence (then
    "2 g of V = 2 g", though the person meant capsules). It is refused, naming the option."""
    from mitra.journal.models import Product

    said = refused(capsys, "products", "add", "V", "--form", "capsules", "--unit", "g",
                   "--grams-per-unit", "0.5")  # fmt: skip
    assert said.startswith("mitra: --grams-per-unit is for a product counted in capsules")
    assert not Product.objects.exists()
    code, out, err = run(capsys, "products", "add", "V", "--form", "capsules", "--unit",
                         "capsule", "--grams-per-unit", "0.5", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["grams_per_unit"] == 0.5


@pytest.mark.django_db
def test_small_refusals_point_to_the_right_place(
    capsys: pytest.CaptureFixture[str], alice: Any
) -> None:
    """A missing option value pointed to 'mitra --help', not the command's; a full-width goal
    was refused though every other number reads any digits; a 7-OH dose's exposure refusal
    spoke only of extracts and shots."""
    said = refused(capsys, "checkin", "5", "--mood")
    assert said.endswith("(see: mitra checkin --help)")
    said = refused(capsys, "taper", "plan", "--to")
    assert said.endswith("(see: mitra taper plan --help)")
    code, out, err = run(capsys, "plan", "goal", "yoga", "７０min/week")
    assert code == 0, err
    assert out.startswith("Goal set: yoga, 70 min a week.")
    said = refused(capsys, "exposure", "--dose", "2026-11-25T08:00=2g", "--form", "7oh")
    assert "a 7-OH product does not give at all" in said


@pytest.mark.django_db
def test_a_practice_is_logged_on_its_own_from_the_terminal_as_through_the_api(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Any
) -> None:
    """The API logged a practice on its own; the terminal only with a check-in."""
    code, out, err = run(capsys, "practice", "Yoga", "20", "--at", "2026-11-30 18:00", "--json")
    assert code == 0, err
    logged = json.loads(out)
    page = client.get("/api/v1/entries?kind=practice").json()
    assert page["days"][0]["entries"] == [logged]
    assert logged["title"] == "Yoga: 20 min"
    said = refused(capsys, "practice", "yoga", "20", "--at", "2026-11-30 18:00")
    assert said == f"mitra: this practice is already in the journal (practice {logged['id']})"
    # Deleted since: not "in the journal", but how to bring it back.
    assert run(capsys, "entries", "delete", "practice", str(logged["id"]))[0] == 0
    said = refused(capsys, "practice", "yoga", "20", "--at", "2026-11-30 18:00")
    assert said == (
        f"mitra: this practice was logged before and deleted since (practice {logged['id']}); "
        f"to bring it back: mitra entries restore practice {logged['id']}"
    )
    assert "kind must be one of" in refused(capsys, "practice", "knitting", "5")
    assert refused(capsys, "practice", "walk", "0") == "mitra: minutes must be at least 1"
    code, out, _ = run(capsys, "practice", "walk", "30")
    assert code == 0
    assert out.startswith("Logged Walk outdoors: 30 min (practice ")


@pytest.mark.django_db
def test_a_product_is_changed_from_the_terminal_and_its_doses_counted_again(
    capsys: pytest.CaptureFixture[str], alice: Any, client: Any
) -> None:
    """A capsule product added without its weight could be fixed only on the web; 'mitra
    products edit' changes what is given, keeps the rest, and counts its doses again."""
    assert run(capsys, "products", "add", "W", "--form", "capsules", "--unit", "capsule")[0] == 0
    said = refused(capsys, "dose", "W", "2")
    assert "mitra products edit --grams-per-unit" in said
    code, out, err = run(capsys, "products", "edit", "W", "--grams-per-unit", "0.5")
    assert code == 0, err
    assert out.startswith("Changed product ")
    code, out, _ = run(capsys, "dose", "W", "2")
    assert "= 1 g" in out
    code, out, err = run(capsys, "products", "edit", "W", "--mitragynine-mg-per-g", "18", "--json")
    assert code == 0, err
    edited = json.loads(out)
    assert (edited["form"], edited["grams_per_unit"], edited["mitragynine_mg_per_g"]) == (
        "capsules",
        0.5,
        18.0,
    )
    assert client.get("/api/v1/products").json()["products"] == [edited]
    assert Dose.objects.get().mg_mitragynine == pytest.approx(18.0)  # 1 g at 18 mg/g
    said = refused(capsys, "products", "edit", "W", "--unit", "g")
    assert said == "mitra: unit: doses of this product were logged in capsule: keep that unit"
    # A lab figure found wrong is removed, not only replaced; the doses lose their estimate.
    code, out, err = run(
        capsys, "products", "edit", "W", "--clear", "mitragynine-mg-per-g", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["mitragynine_mg_per_g"] is None
    assert json.loads(out)["grams_per_unit"] == 0.5  # the rest kept
    assert Dose.objects.get().mg_mitragynine != pytest.approx(18.0)
    assert refused(capsys, "products", "edit", "W", "--clear", "colour") == (
        "mitra: --clear takes mitragynine-mg-per-g, hydroxy-mg-per-g, grams-per-unit, vendor, "
        "strain, not 'colour'"
    )
    said = refused(capsys, "products", "edit", "W", "--clear", "vendor", "--vendor", "Acme")
    assert said == "mitra: --clear vendor and a new value for it: give one of the two"
