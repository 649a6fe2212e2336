"""Sign-in end to end: a real OpenID Connect provider, `findings viewer`, headless Chromium.

oidc-provider-mock runs a real provider on this machine (discovery, authorisation, tokens, ID
tokens signed with its own key); the viewer is started by `findings viewer --secrets` as a unit
would start it, and each person signs in through the provider's own page in a fresh browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread

from pipeline.access.audit import AuditAction, AuditEvent, load_events
from pipeline.access.roles import Role
from tests.browser import Browser, wait_until_healthy
from tests.conftest import REPO
from tests.test_browser import chromium, free_port

pytestmark = pytest.mark.slow
__all__ = ["chromium"]  # the fixture, shared with the other browser tests

PEOPLE = [
    User(sub="eve", claims={"email": "eve@elsewhere.example"}),
    User(sub="rob", claims={"email": "rob@unit.example", "groups": ["findings-researchers"]}),
    User(sub="ann", claims={"email": "ann@unit.example", "groups": ["findings-researchers"]}),
]
ACCESS_LIST = "people:\n  ann@unit.example: analyst\ngroups:\n  findings-researchers: researcher\n"
# What the named transcript holds that redaction hides.
PERSONAL = ("Tyrone", "Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")
JOINER = "\u2060"  # the viewer puts one inside addresses in Markdown, so they never become links


@dataclass(frozen=True)
class Served:
    url: str
    team_db: Path

    def events(self, person: str) -> list[AuditEvent]:
        return load_events(self.team_db, person=person)


@pytest.fixture(scope="module")
def served(
    chromium: str, named_themed_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The viewer behind sign-in over the named transcript, with its provider and access list."""
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    with run_server_in_thread(user_claims=PEOPLE) as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-the-sign-in-tests-only-0123456789"\n'
            'client_id = "findings"\n'
            'client_secret = "findings-test-secret"\n'
            'server_metadata_url = "http://localhost:'
            f'{provider.server_port}/.well-known/openid-configuration"\n'
        )
        (folder / "access.yaml").write_text(ACCESS_LIST)
        (folder / "codebook.yaml").write_text((REPO / "models" / "codebook.yaml").read_text())
        team_db = folder / "team.sqlite"
        env = os.environ | {
            "FINDINGS_DB": str(named_themed_db),
            "FINDINGS_CODEBOOK": str(folder / "codebook.yaml"),
            "FINDINGS_ACCESS_LIST": str(folder / "access.yaml"),
            "FINDINGS_TEAM_DB": str(team_db),
        }
        findings = Path(sys.executable).parent / "findings"
        server = subprocess.Popen(
            [str(findings), "viewer", "--port", str(port), "--secrets", str(secrets)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        if not wait_until_healthy(url, server, seconds=90):
            server.kill()
            pytest.fail(f"the viewer did not start: {server.stdout.read()[-2000:]!r}")
        try:
            yield Served(url, team_db)
        finally:
            server.terminate()
            server.wait(timeout=20)


def shown(browser: Browser) -> str:
    return browser.text().replace(JOINER, "")


def sidebar(browser: Browser) -> str:
    return str(
        browser.evaluate(
            "(document.querySelector('[data-testid=stSidebar]') || {innerText: ''}).innerText"
        )
    )


def personal_in(text: str) -> set[str]:
    return {item for item in PERSONAL if item in text}


def click_button(browser: Browser, label: str, timeout: float = 60) -> None:
    """Click the button reading `label` once it is drawn."""
    script = (
        "(() => { const b = [...document.querySelectorAll('button')]"
        f".find(b => b.innerText.trim() === {json.dumps(label)}); if (b) {{ b.click(); }}"
        " return !!b; })()"
    )
    deadline = time.monotonic() + timeout
    while not browser.evaluate(script):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no button {label!r} after {timeout}s: {shown(browser)[:300]!r}")
        time.sleep(0.5)


def sign_in(browser: Browser, served: Served, sub: str) -> None:
    """Open the viewer, press Sign in, and choose `sub` on the provider's own page."""
    browser.open(served.url)
    browser.wait_for_text("Sign in", timeout=90)
    click_button(browser, "Sign in")
    browser.wait_for_text("Authorize", timeout=30)
    browser.evaluate(f"document.querySelector('button[name=sub][value={sub}]').click()")


def page(browser: Browser, served: Served, path: str, done: str) -> str:
    """Load a page by its address, as a bookmark would, and return its text once drawn."""
    browser.open(f"{served.url}/{path}")
    browser.wait_for_text(done, timeout=90)
    time.sleep(1.5)  # let the rest of the page arrive over the websocket
    return shown(browser)


def test_a_visitor_sees_only_the_sign_in_and_an_unlisted_person_no_access(
    served: Served,
) -> None:
    with Browser() as browser:
        for path in ("", "theme?theme=2", "search", "audit"):
            text = page(browser, served, path, "Sign in")
            assert "open to the unit's staff only" in text
            assert not {"National findings", "Filters", "Youth offending"} & set(text.split("\n"))
            assert not personal_in(text)
        sign_in(browser, served, "eve")
        browser.wait_for_text("No access")
        text = browser.wait_for_text("Sign out").replace(JOINER, "")  # the page's last element
        assert "eve@elsewhere.example" in text and "Sign out" in text
        assert "National findings" not in text and "Filters" not in text
        text = page(browser, served, "theme?theme=2", "No access")
        assert "Youth offending" not in text and not personal_in(text)
    events = served.events("eve@elsewhere.example")
    assert events and {e.action for e in events} == {AuditAction.refused_access}
    assert {e.role for e in events} == {None}


# Every page, by address, with what shows it is drawn.
PAGES = {
    "": "All themes",
    "theme?theme=1": "Keywords",
    "theme?theme=2&redact=false&unredacted=1&findings_show_unredacted=true": "Keywords",
    "regions": "Regions",
    "matrix": "Framework matrix",
    "sources": "Sources",
    "exports": "Download the report",
    "codebook": "Decisions so far",
}


def test_a_researcher_reads_every_page_redacted_and_no_url_undoes_it(served: Served) -> None:
    with Browser() as browser:
        sign_in(browser, served, "rob")
        browser.wait_for_text("National findings", timeout=90)
        seen = ""
        for path, done in PAGES.items():
            text = page(browser, served, path, done)
            assert "Signed in as rob@unit.example (researcher)" in text, path
            assert "Show quotes as written" not in sidebar(browser), path
            assert not personal_in(text), (path, personal_in(text))
            seen += text
        assert "[name]" in seen  # the named theme's quotes were there, redacted
        assert "Download the project (.qdpx)" not in seen
        text = page(browser, served, "audit", "National findings")  # no such page for a researcher
        assert "read quotes as written" not in text.lower()
    events = served.events("rob@unit.example")
    assert {e.action for e in events} == {AuditAction.signed_in}
    assert {e.role for e in events} == {Role.researcher}


def test_an_analyst_turns_redaction_off_for_themselves_and_it_is_recorded(
    served: Served,
) -> None:
    with Browser() as browser:
        sign_in(browser, served, "ann")
        browser.wait_for_text("National findings", timeout=90)
        page(browser, served, "search", "Search the passages")
        click_button(browser, "keywords")
        browser.type_into('input[aria-label="Search the passages"]', "package debt")
        browser.wait_for_text("passages for", timeout=60)
        time.sleep(1.5)
        assert not personal_in(shown(browser))  # redacted until asked
        assert "Show quotes as written" in sidebar(browser)
        browser.evaluate(  # the sidebar's one switch
            "document.querySelector('[data-testid=stSidebar] input[type=checkbox]').click()"
        )
        browser.wait_for_text("Quotes are not redacted", timeout=60)
        text = browser.wait_for_text("Tyrone", timeout=60).replace(JOINER, "")
        assert "Signed in as ann@unit.example (analyst)" in text
        assert personal_in(text)
    events = served.events("ann@unit.example")
    assert [e.action for e in events][:1] == [AuditAction.signed_in]
    unredacted = [e for e in events if e.action is AuditAction.read_unredacted]
    assert [e.detail.split(" (")[0] for e in unredacted] == ["Search page"]
    assert {e.role for e in events} == {Role.analyst}
