"""Roles in the viewer (run as a browser load would, by AppTest), on this machine without sign-in.

The operator's role comes from FINDINGS_LOCAL_ROLE here; tests/test_signin_browser.py signs real
people in through an OpenID Connect provider.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from pipeline.access.audit import AuditAction, audit, load_events
from pipeline.access.roles import Role
from pipeline.access.signin import Person
from pipeline.queries import Filters
from pipeline.settings import Settings
from pipeline.themes.codebook import load_codebook
from pipeline.viewer import data
from pipeline.viewer.context import PageContext
from tests.conftest import REPO, run_app

# What the named transcript holds that redaction hides.
PERSONAL = ("Tyrone", "Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")


def personal_in(app: AppTest) -> set[str]:
    """The personal details anywhere on the page: quotes, descriptions, keywords, captions."""
    elements = [*app.text, *app.markdown, *app.caption, *app.title, *app.subheader, *app.info]
    shown = " ".join(str(e.value) for e in elements).replace("\\", "")  # Markdown's escapes
    return {item for item in PERSONAL if item in shown}


@pytest.fixture
def start(named_themed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    monkeypatch.setenv("FINDINGS_DB", str(named_themed_db))
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    monkeypatch.setenv("FINDINGS_ACCESS_LIST", str(tmp_path / "access.yaml"))

    def run(role: str, page: str = "national", **query: str) -> AppTest:
        monkeypatch.setenv("FINDINGS_LOCAL_ROLE", role)
        return run_app(page, **query)

    return run


def theme_page(app: AppTest, theme_id: int) -> AppTest:
    app.switch_page("app_pages/theme.py")
    app.query_params["theme"] = str(theme_id)
    return app.run()


def search_page(app: AppTest, words: str) -> AppTest:
    app.switch_page("app_pages/search.py").run()
    app.segmented_control(key="search_mode").set_value("keywords")
    return app.text_input(key="search_query").input(words).run()


def test_a_researcher_reads_quotes_redacted_whatever_the_url_says(
    start: object, team_store_in_tmp: Path
) -> None:
    app = start("researcher", redact="false", unredacted="1", findings_show_unredacted="true")
    assert not app.sidebar.toggle  # no switch to turn redaction off
    for theme_id in (1, 2):
        theme_page(app, theme_id)
        assert not personal_in(app), theme_id
    search_page(app, "package debt")
    assert len(app.text) >= 1 and not personal_in(app)
    assert "[name]" in " ".join(str(t.value) for t in app.text)
    assert load_events(team_store_in_tmp) == []


def test_an_analyst_may_read_quotes_as_written_and_each_page_is_recorded(
    start: object, team_store_in_tmp: Path
) -> None:
    app = search_page(start("analyst"), "package debt")
    assert not personal_in(app)  # redacted until asked
    app.sidebar.toggle(key="findings_show_unredacted").set_value(True).run()
    assert personal_in(app)
    app.run()  # the same page and filters again: recorded once
    theme_page(app, 1)
    events = load_events(team_store_in_tmp)
    assert [e.action for e in events] == [AuditAction.read_unredacted] * 2
    assert [e.detail.split(" page")[0] for e in events] == ["Search", "Theme"]
    assert all(e.role is Role.analyst for e in events)
    app.sidebar.toggle(key="findings_show_unredacted").set_value(False).run()
    assert not personal_in(search_page(app, "package debt"))


@pytest.mark.parametrize(("role", "unredacted"), [("analyst", True), ("researcher", False)])
def test_redact_quotes_false_starts_unredacted_only_for_a_role_that_may(
    start: object, monkeypatch: pytest.MonkeyPatch, role: str, unredacted: bool
) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")
    app = search_page(start(role), "package debt")
    assert bool(personal_in(app)) is unredacted


def test_a_director_reads_the_codebook_but_cannot_change_it(start: object) -> None:
    app = start("director", "codebook")
    assert app.button[0].disabled  # the form's Save
    assert "reads the codebook" in " ".join(i.value for i in app.info)
    exports = start("director", "exports")
    assert "download_qdpx" not in [b.key for b in exports.get("download_button")]
    assert "Show quotes as written" not in [t.label for t in exports.sidebar.toggle]


def test_an_admin_reads_the_audit_and_edits_the_access_list(
    start: object, team_store_in_tmp: Path, tmp_path: Path
) -> None:
    audit(team_store_in_tmp, "ann@unit.example", Role.analyst, AuditAction.exported, "report")
    app = start("admin", "audit")
    shown = app.dataframe[0].value
    assert list(shown["Person"]) == ["ann@unit.example"] and list(shown["Detail"]) == ["report"]
    access = tmp_path / "access.yaml"
    access.write_text("people:\n  ann@unit.example: analyst\n")
    app.switch_page("app_pages/access.py").run()
    app.text_area(key="access_text").input("people:\n  ann@unit.example: superuser\n")
    app.button[0].click().run()
    assert app.error and access.read_text() == "people:\n  ann@unit.example: analyst\n"
    app.text_area(key="access_text").input("people:\n  ann@unit.example: admin\n")
    app.button[0].click().run()
    assert access.read_text() == "people:\n  ann@unit.example: admin\n"
    changed = load_events(team_store_in_tmp, action=AuditAction.changed_access)
    assert [e.detail for e in changed] == ["people ann@unit.example: analyst -> admin"]


@pytest.mark.parametrize("role", ["analyst", "researcher", "director"])
def test_only_admins_find_the_audit_and_access_pages(start: object, role: str) -> None:
    app = start(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/audit.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/access.py")


@pytest.mark.parametrize("page", ["audit", "access"])
def test_an_admin_page_run_directly_checks_the_role_itself(
    named_themed_db: Path, tmp_path: Path, page: str
) -> None:
    settings = Settings(db=named_themed_db, team_db=tmp_path / "team.sqlite")
    source = data.current_source(settings)
    assert source is not None
    person = Person("rob@unit.example", Role.researcher, signed_in=True)
    app = AppTest.from_file(str(REPO / "app_pages" / f"{page}.py"), default_timeout=60)
    app.session_state["findings_context"] = PageContext(
        settings, source, Filters(), load_codebook(REPO / "models" / "codebook.yaml"), person, page
    )
    app.run()
    assert "does not allow this page" in app.error[0].value
    assert not app.title and not app.dataframe and not app.text_area


def test_a_page_run_without_the_front_door_shows_nothing() -> None:
    app = AppTest.from_file(str(REPO / "app_pages" / "search.py"), default_timeout=60).run()
    assert "front page" in app.error[0].value and not app.text_input


def test_without_sign_in_an_address_beyond_this_machine_shows_nothing(
    start: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    finally:
        config.set_option("server.address", before)
    assert "with no sign-in, so it shows nothing" in app.error[0].value
    assert [t.value for t in app.title] == ["Findings"] and not app.text
