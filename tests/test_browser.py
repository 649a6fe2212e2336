"""The viewer in a real browser: served on 127.0.0.1, loaded by headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipeline.queries import theme_overview
from pipeline.storage.publish import publish_snapshot
from tests.browser import Browser, chromium_binary, wait_until_healthy
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium on PATH, installed with apt by scripts/ensure_chromium.sh when missing."""
    if chromium_binary() is None:
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "ensure_chromium.sh")], capture_output=True, text=True
        )
        if chromium_binary() is None:
            pytest.fail(f"chromium is missing and could not be installed: {done.stderr[-500:]}")
    return str(chromium_binary())


@contextmanager
def serving(db: Path, codebook: Path, **env: str) -> Iterator[str]:
    """`streamlit run app.py` on a free local port over `db`; yields the page's address."""
    port = free_port()
    env = os.environ | {"FINDINGS_DB": str(db), "FINDINGS_CODEBOOK": str(codebook)} | env
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_until_healthy(url, server, seconds=60):
        server.kill()
        pytest.fail(f"streamlit did not become healthy: {server.stdout.read()[-2000:]!r}")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def copied_codebook(folder: Path) -> Path:
    codebook = folder / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    return codebook


@pytest.fixture(scope="module")
def served_app(themed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The viewer over the themed sample corpus."""
    with serving(themed_db, copied_codebook(tmp_path_factory.mktemp("codebook"))) as url:
        yield url


def test_the_landing_page_shows_a_theme_from_the_database(
    chromium: str, served_app: str, themed_db: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(themed_db), read_only=True) as con:
        top = theme_overview(con).iloc[0]["label"]
    with Browser() as browser:
        browser.open(served_app)
        browser.wait_for_text("What changed in the latest run", timeout=90)  # page done
        text = browser.wait_for_text(top, timeout=30)
        time.sleep(1.5)  # let the data grid and sparklines paint
        shot = browser.screenshot(tmp_path / "national.png")
    assert all(h in text for h in ("National findings", "What is changing", "All themes"))
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
    print(f"screenshot: {shot}")


# Document text that Markdown, HTML or Streamlit's own extensions would turn into something else:
# an image fetched from elsewhere, links, maths, a heading, colour, bold, script, icons, emoji.
HOSTILE_QUOTE = (
    "Hostile quote ![x](http://127.0.0.1:9/x.png) and [link](http://example.invalid/q) cost "
    "$5 to $10\n# Heading\n:red[red] <img src=x onerror=alert(1)> **bold** "
    "<script>alert(2)</script> :streamlit: :smile: :material/bolt: www.example.invalid "
    "me@example.invalid a -> b"
)
HOSTILE_KEYWORDS = ["[link](http://example.invalid/k)", "<img src=x onerror=alert(3)>", "$$x^2$$"]
HOSTILE_DESCRIPTION = "<script>alert(4)</script> http://example.invalid/d :blue-background[d]"
OUTSIDE = ("127.0.0.1:9", "example.invalid", "198.51.100.7")


def hostile_label(theme_id: int) -> str:
    return f"# Heading {theme_id} $5 to $10 :red[red] **bold** ![x](http://127.0.0.1:9/x.png)"


@pytest.fixture(scope="module")
def hostile_db(themed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The themed sample with hostile text in every passage, theme label, keyword list,
    description, title, area, region and police force; published for the viewer."""
    return with_hostile_text(themed_db, tmp_path_factory.mktemp("hostile") / "findings.duckdb")


def with_hostile_text(themed_db: Path, db: Path) -> Path:
    """A published copy of `themed_db` at `db` with the hostile text written in."""
    shutil.copy(themed_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE passages SET text = ? || ' ' || text", [HOSTILE_QUOTE])
        for (theme_id,) in con.execute("SELECT theme_id FROM themes").fetchall():
            con.execute(
                "UPDATE themes SET label = ?, keywords = ?, description = ? WHERE theme_id = ?",
                [hostile_label(theme_id), HOSTILE_KEYWORDS, HOSTILE_DESCRIPTION, theme_id],
            )
        con.execute(
            "UPDATE documents SET title = '1. ' || title || ' [t](http://example.invalid/t)', "
            "area = area || ' ![a](http://198.51.100.7/a.png)', region = region || ' :red[r]', "
            "police_force = police_force || ' [f](http://example.invalid/f)'"
        )
    publish_snapshot(db, "hostile")
    return db


# A function of the outside addresses listing everything on the page that document text must
# never become: images, links, maths, headings, colour, emphasis, icons, handlers, scripts.
FORBIDDEN_IN_DOM = """
(outside => {
  const far = s => outside.some(h => (s || '').includes(h));
  const found = [];
  const say = (what, e) => found.push(what + ': ' + e.outerHTML.slice(0, 160));
  document.querySelectorAll('img').forEach(e => {
    const src = e.getAttribute('src') || '';
    if (far(src) || src === 'x' || e.alt === 'Streamlit logo') say('image', e);
  });
  document.querySelectorAll('a[href]').forEach(e => {
    const href = e.getAttribute('href');
    if (far(href) || href.startsWith('mailto:') || href.startsWith('http://www.')) say('link', e);
  });
  document.querySelectorAll('.katex, .katex-display, math').forEach(e => say('maths', e));
  document.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach(e => {
    const text = e.textContent;
    if (/\\bHeading\\b/.test(text) && !text.includes('# Heading')) say('heading', e);
  });
  document.querySelectorAll(
    '.stMarkdownColoredText, .stMarkdownColoredBackground, .stMarkdownBadge'
  ).forEach(e => say('colour', e));
  document.querySelectorAll('strong, b, em, del').forEach(e => {
    if (['bold', 'red', 'x^2'].includes(e.textContent.trim())) say('emphasis', e);
  });
  document.querySelectorAll(
    '[data-testid="stMarkdownContainer"] [role="img"], ' +
    '[data-testid="stCaptionContainer"] [role="img"]'
  ).forEach(e => say('icon', e));
  document.querySelectorAll('[onerror]').forEach(e => say('handler', e));
  document.querySelectorAll('script').forEach(e => {
    if (e.textContent.includes('alert(')) say('script', e);
  });
  (window.__alerts || []).forEach(m => found.push('alert: ' + m));
  return found;
})
"""
CATCH_ALERTS = "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));"
OPEN_EXPANDERS = (
    "document.querySelectorAll('[data-testid=\"stExpander\"] details:not([open]) summary')"
    ".forEach(s => s.click())"
)


def flat(text: str) -> str:
    """Text as a reader sees it: word joiners dropped, whitespace runs as one space."""
    return " ".join(text.replace("\u2060", "").split())


def test_document_text_shows_as_text_and_fetches_nothing(
    chromium: str, hostile_db: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(hostile_db), read_only=True) as con:
        top = int(theme_overview(con).iloc[0]["theme_id"])
        region = con.execute("SELECT min(region) FROM documents").fetchone()[0]
    label = hostile_label(top)
    # page path, text that says it has drawn, literal text it must show
    pages = [
        ("", "What changed in the latest run", [label, HOSTILE_QUOTE]),
        (
            f"theme?theme={top}",
            "Raised alongside",
            [label, ", ".join(HOSTILE_KEYWORDS), HOSTILE_DESCRIPTION, HOSTILE_QUOTE],
        ),
        ("regions", "What practitioners in", [f"What practitioners in {region} said"]),
        ("search", "Type a few words", []),
        ("matrix", "passages in this cell", [HOSTILE_QUOTE]),
        ("sources", "Theme runs", []),
        ("codebook", "Decisions so far", [", ".join(HOSTILE_KEYWORDS)]),
        ("exports", "For QDA tools", []),
    ]
    codebook = copied_codebook(tmp_path)
    env = {"FINDINGS_REDACT_QUOTES": "false"}  # compare quotes with exactly what is stored
    with serving(hostile_db, codebook, **env) as url, Browser() as browser:
        browser.before_each_page(CATCH_ALERTS)
        found: dict[str, list[str]] = {}
        missing: dict[str, list[str]] = {}
        for path, drawn, literal in pages:
            browser.open(f"{url}/{path}")
            browser.wait_for_text(drawn, timeout=90)
            if path == "search":
                browser.type_into('input[aria-label="Search the passages"]', "cuckooing")
                browser.wait_for_text("passages for", timeout=60)
                literal = [HOSTILE_QUOTE]
            browser.evaluate(OPEN_EXPANDERS)
            time.sleep(2)  # let the grids, charts and expanders paint
            found[path] = browser.evaluate(f"({FORBIDDEN_IN_DOM})({json.dumps(OUTSIDE)})")
            text = flat(browser.text())
            missing[path] = [piece for piece in literal if flat(piece) not in text]
            browser.screenshot(tmp_path / f"{path.split('?')[0] or 'national'}.png")
        requested = browser.requested()
    served = urllib.parse.urlsplit(url)
    outside = [
        u
        for u in requested
        if not u.startswith(("data:", "blob:"))
        and (urllib.parse.urlsplit(u).hostname, urllib.parse.urlsplit(u).port)
        != (served.hostname, served.port)
    ]
    assert {p: f for p, f in found.items() if f} == {}
    assert {p: m for p, m in missing.items() if m} == {}
    assert outside == [], outside
    assert len(requested) > 20  # the listener saw the pages load
