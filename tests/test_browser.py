"""The real app in a real browser: every page renders without an exception.

Starts `streamlit run dashboard/app.py` on the fixture database and drives
Debian's chromium through Playwright (no browser download). Screenshots go
to tests/screenshots/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
PAGES = ["today", "share_of_voice", "topics", "mentions", "sources"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(fixture_data, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make browser)")
    pytest.importorskip("playwright.sync_api")
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    port = _free_port()
    env = {**os.environ, "VIGIE_DB": fixture_data["db"], "VIGIE_CONFIG": fixture_data["config"],
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([streamlit, "run", "dashboard/app.py", "--server.headless", "true",
                                 "--server.address", "127.0.0.1", "--server.port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"]', timeout=20_000)
    # The status widget shows while a script runs; wait until it goes away, twice
    # in a row, so a rerun started by a query-parameter write is waited for too.
    for _ in range(2):
        page.wait_for_timeout(600)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    # Elements from the previous run stay greyed ("stale") until replaced.
    page.wait_for_function('document.querySelectorAll(\'[data-stale="true"]\').length === 0', timeout=30_000)
    page.wait_for_timeout(1200)  # charts draw after the script finishes


def test_every_page_renders(server, tmp_path):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    pages = PAGES + (["briefing"] if (ROOT / "dashboard" / "views" / "briefing.py").exists() else [])
    with sync_playwright() as p:
        # Playwright refuses --user-data-dir in launch(); a persistent context on a
        # fresh folder is the same thing (no profile shared with another run).
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium"), executable_path=CHROMIUM, headless=True,
            viewport={"width": 1400, "height": 2400},
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run"])
        try:
            page = browser.pages[0] if browser.pages else browser.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            # The very first request is a deep link: a shared URL must open its page
            # (with the sidebar and filters), not a bare script or "page not found".
            for name in reversed(pages):
                page.goto(f"{server}/{name}")
                _settle(page)
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                errors = page.locator('[data-testid="stException"]')
                assert errors.count() == 0, f"{name}: {errors.first.inner_text()[:2000]}"
                # The <script> title must never run (it would open an alert dialog).
                assert not dialogs, f"{name}: a collected script ran: {dialogs}"
            # English after switching, and the filters carried in the URL across pages.
            page.goto(f"{server}/share_of_voice?lang=en&brands=Bell")
            _settle(page)
            assert page.get_by_role("heading", name="Share of voice").count() >= 1
            page.screenshot(path=str(SHOTS / "share_of_voice_en.png"), full_page=True)
            page.get_by_role("link", name="Mentions").first.click()
            _settle(page)
            assert "brands=Bell" in page.url and "lang=en" in page.url
        finally:
            browser.close()
