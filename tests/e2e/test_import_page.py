"""The Import page in a real browser: a file above the limit is refused before it is sent."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_file_above_the_limit_is_refused_beside_its_field_keeping_the_app_chosen(
    page: Any,
) -> None:
    from playwright.sync_api import expect

    from mitra.journal import services
    from mitra.web.import_views import MAX_UPLOAD

    services.set_up_person({"time_zone": "Europe/Berlin"})
    posts: list[str] = []

    def note(request: Any) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", note)
    try:
        page.goto(page.base_url + "/import")
        page.get_by_label("The app it comes from").select_option("daylio")
        page.get_by_label("Mapping (optional)").fill("Running=exercise:30")
        field = page.get_by_label("The exported file")
        field.set_input_files(
            {"name": "daylio.csv", "mimeType": "text/csv", "buffer": b"x" * (MAX_UPLOAD + 1)}
        )
        page.get_by_role("button", name="Preview").click()
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_be_focused()
        expect(page.locator("#id_file_error")).to_have_text("The file is larger than 10 MB.")
        assert posts == []  # nothing was sent
        expect(page.get_by_label("The app it comes from")).to_have_value("daylio")
        expect(page.get_by_label("Mapping (optional)")).to_have_value("Running=exercise:30")

        # A file within the limit is sent and read; the server's answer replaces the message.
        field.set_input_files({"name": "daylio.csv", "mimeType": "text/csv", "buffer": b"x"})
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#id_file_error")).to_contain_text("Is it a Daylio")
        assert len(posts) == 1
        expect(page.get_by_label("The app it comes from")).to_have_value("daylio")
    finally:
        page.remove_listener("request", note)
