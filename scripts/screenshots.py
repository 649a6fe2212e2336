"""Screenshots of the viewer for the README: the national page, the regions page, a theme page.

Serves app.py on a free local port over a built warehouse (default data/findings.duckdb, as
`make run` leaves it) and photographs it with headless Chromium.

Run: .venv/bin/python scripts/screenshots.py [--db data/findings.duckdb] [--out docs/img]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.queries import theme_overview  # noqa: E402
from pipeline.storage import connect  # noqa: E402
from pipeline.storage.publish import readable_database  # noqa: E402
from tests.browser import Browser, wait_until_healthy  # noqa: E402
from tests.test_browser import free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "data" / "findings.duckdb")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args()
    with connect(readable_database(args.db), read_only=True) as con:
        overview = theme_overview(con)
    emerging = overview[overview["status"] == "emerging"]
    theme = (emerging if len(emerging) else overview).iloc[0]
    port = free_port()
    env = os.environ | {"FINDINGS_DB": str(args.db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_healthy(url, server, seconds=60):
            raise SystemExit(f"the viewer did not start on {url}")
        args.out.mkdir(parents=True, exist_ok=True)
        with Browser(1400, 1500) as browser:
            browser.open(url)
            browser.wait_for_text("What changed in the latest run", timeout=120)
            time.sleep(2)
            browser.screenshot(args.out / "national.png")
        with Browser(1400, 1500) as browser:
            browser.open(f"{url}/regions")
            browser.wait_for_text("What practitioners in", timeout=120)
            time.sleep(2)
            browser.screenshot(args.out / "regions.png")
        with Browser(1400, 1500) as browser:
            browser.open(f"{url}/theme?theme={int(theme['theme_id'])}")
            browser.wait_for_text("Raised alongside", timeout=120)
            time.sleep(2)
            browser.screenshot(args.out / "theme.png")
    finally:
        server.terminate()
    print(f"wrote national.png, regions.png and theme.png ({theme['label']}) in {args.out}")


if __name__ == "__main__":
    main()
