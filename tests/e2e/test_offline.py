"""Offline on a phone: the service worker keeps the app shell and queues check-ins and doses made
without a connection; each is stored once when the connection returns, however often it is sent."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Every entry the worker queued on this phone goes back to waiting, as if its answer had been lost.
FORGET_ANSWERS_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("mitra-offline");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("queue", "readwrite");
    const store = tx.objectStore("queue");
    store.getAll().onsuccess = (e) => {
      for (const entry of e.target.result) {
        store.put({ ...entry, state: "waiting", answeredAt: null });
      }
    };
    tx.oncomplete = () => { open.result.close(); resolve(true); };
  };
})"""


@pytest.fixture
def page(new_tab: Any) -> Any:
    """A tab of its own, its service worker at work (the shared tab blocks it)."""
    return new_tab


def _counts(person: Any) -> tuple[int, int]:
    from mitra.journal.models import CheckIn, Dose

    return CheckIn.objects.filter(person=person).count(), Dose.objects.filter(person=person).count()


def test_mitra_installs_and_a_check_in_and_a_dose_made_offline_are_stored_once_when_online(
    page: Any, alice: Any, powder: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(page.base_url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Chromium finds nothing that keeps mitra from being installed (manifest, icons, worker), but
    # that the test's browser profile is a private one.
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")
    status = page.locator("#sync-status li")

    # Opened without a connection, Today is the copy the worker kept, and says so.
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_text("No connection: this page is as it was at ")).to_be_visible()
    page.get_by_role("group", name="Anxiety right now").get_by_label("6", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()
    expect(status).to_have_count(1)
    expect(status).to_contain_text("Check-in: anxiety 6/10, logged at ")
    expect(status).to_contain_text("Saved on this phone, will sync.")

    page.get_by_label("Amount").fill("2.5")
    page.get_by_role("button", name="Save dose").click()
    expect(status).to_have_count(2)
    expect(status.nth(1)).to_contain_text("Dose: 2.5 g, logged at ")
    expect(status.nth(1)).to_contain_text("Saved on this phone, will sync.")
    # A second check-in from the same kept page, whose form carries the first one's token: it is a
    # new entry, not a replay of the first.
    page.get_by_role("group", name="Anxiety right now").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()
    expect(status).to_have_count(3)
    expect(status.nth(2)).to_contain_text("Check-in: anxiety 3/10, logged at ")
    assert _counts(alice) == (0, 0)

    # A page the worker does not keep: the offline page, which lists what waits, like every page.
    page.goto(page.base_url + "/journal")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    expect(status).to_have_count(3)

    # The connection returns: the page asks the worker to send what it holds.
    page.context.set_offline(False)
    expect(page.locator("#sync-status li.sync-synced")).to_have_count(3, timeout=15_000)
    expect(status.first).to_contain_text("Synced at ")
    assert _counts(alice) == (2, 1)

    page.goto(page.base_url + "/journal")
    expect(page.locator("li.entry strong")).to_have_count(3)
    expect(page.locator("li.entry strong", has_text="Check-in: anxiety 6/10")).to_have_count(1)
    expect(page.locator("li.entry strong", has_text="Check-in: anxiety 3/10")).to_have_count(1)
    expect(page.locator("li.entry strong", has_text="2.5 g")).to_have_count(1)

    # Both sent again, as after an answer lost on the way back: the journal keeps one of each.
    page.evaluate(FORGET_ANSWERS_JS)
    page.reload()
    expect(page.locator("#sync-status li.sync-synced")).to_have_count(3)
    assert _counts(alice) == (2, 1)


#: What the worker keeps, by path.
KEPT_JS = """async () => {
  const names = await caches.keys();
  const kept = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) {
      kept.push(new URL(request.url).pathname);
    }
  }
  return kept;
}"""


def test_signed_out_the_sign_in_page_installs_mitra_and_keeps_no_page_of_a_journal(
    page: Any, alice: Any, settings: Any
) -> None:
    """With accounts on, the sign-in page's worker, manifest and icon are served without a
    redirect to it: the worker installs, keeping the crisis and offline pages but not the sign-in
    page in Today's place; Today is kept once it is shown, signed in."""
    from mitra.accounts import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    services.add_account("alice", "person", "correct horse battery staple")
    said: list[str] = []
    page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
    page.goto(page.base_url + "/")
    assert page.url.endswith("/login")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert not [s for s in said if s.startswith("error") or "redirect" in s], said
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    kept = page.evaluate(KEPT_JS)
    assert {"/crisis", "/offline", "/static/mitra/app.css"} <= set(kept), kept
    assert "/" not in kept

    page.get_by_label("Account name").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == page.base_url + "/"
    page.wait_for_function(
        "async () => (await (await caches.open((await caches.keys())[0])).keys())"
        ".some((r) => new URL(r.url).pathname === '/')"
    )
