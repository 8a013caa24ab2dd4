"""`mitra reminders`: the coming reminders, the check-in time, and the feed's secret URL."""

from datetime import time
from typing import Annotated

import typer

from mitra.wording import moment

from .app import NOTES, JsonFlag, app, fail, out, print_document, served_url, the_person

#: Where `mitra serve` answers when started as `make run` starts it.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@app.command()
def reminders(
    days: Annotated[int, typer.Option(help="Days ahead to list.", min=1, max=366)] = 14,
    checkin_time: Annotated[
        str | None,
        typer.Option("--checkin-time", help="Remind the check-in at this local time (20:00)."),
    ] = None,
    renew: Annotated[
        bool, typer.Option("--renew", help="Make a new feed URL; the old one stops working.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The address `mitra serve` answers at, for the feed URL (default: the running "
            f"server's, else {DEFAULT_BASE_URL}).",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """List the coming reminders (check-in, GAD-7 due, taper step); their calendar feed URL."""
    person = the_person()
    from mitra.journal import reminders as store
    from mitra.reads.reminders import Reminders, upcoming_reminders

    if checkin_time is not None:
        try:
            store.set_checkin_time(person, time.fromisoformat(checkin_time))
        except ValueError:
            fail(f"--checkin-time: '{checkin_time}' is not a time; use 20:00")
    running = served_url() if base_url is None else None
    base = (base_url or running or DEFAULT_BASE_URL).strip().rstrip("/")
    if not base.startswith(("http://", "https://")) or len(base) > 200 or "\x00" in base:
        fail(f"--base-url: '{base[:60]}' is not an http(s) address; use {DEFAULT_BASE_URL}")
    token = store.renew_token(person) if renew else store.feed_token(person)
    read = upcoming_reminders(person, days=days)
    if json_out:
        print_document(read, Reminders)
        return
    for r in read.reminders:
        out.print(f"{moment(r.at)}  {r.title}")
    out.print(
        f"Calendar feed (keep it private; `mitra reminders --renew` replaces it): "
        f"{base}/reminders/{token}.ics"
    )
    if base_url is None and running is None:
        NOTES.append(
            f"mitra serve is not running: the feed's address assumes {DEFAULT_BASE_URL}; "
            "give another with --base-url"
        )
