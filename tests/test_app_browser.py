"""End to end in headless Chromium: upload the sample photo, protect it (fast), wait for the result,
and save a screenshot of the page to ``benchmarks/results/app.png``.

Uses Debian's ``/usr/bin/chromium`` (installed by ``make setup``) through Playwright's Python
package; nothing is downloaded. Locally the test skips when Chromium or Playwright is missing; in
CI (``CI=true``) it fails instead, so a broken set-up cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _app_fixtures import ROOT, SAMPLE, running_app

pytestmark = [pytest.mark.browser, pytest.mark.weights, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "benchmarks" / "results" / "app.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Cold start loads the face models (about 20 s on 2 CPU cores); a fast protect then takes seconds.
PROTECT_TIMEOUT_MS = 240_000


def _require(ok: bool, reason: str) -> None:
    """Skip locally, fail in CI."""
    if ok:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: the set-up must install it; see SYSTEM_PACKAGES in the Makefile)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "the playwright Python package is not installed (pip install -e '.[dev]')")
    _require(CHROMIUM.exists() or shutil.which("chromium") is not None, f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_upload_protect_and_screenshot(browser, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with running_app(tmp_path) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)  # a loaded 2-core CI machine can take long to upload and render
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("protect your selfie before you post it").wait_for()
        page.wait_for_load_state("load")
        # The page's text is there before its scripts are bound; an upload made in that moment is
        # dropped (seen about once in ten runs), so give it a few tries until the file is listed.
        for attempt in range(4):
            page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
            try:
                page.get_by_text("astronaut.png").first.wait_for(timeout=15_000)  # the upload is listed
                break
            except PlaywrightTimeout:
                if attempt == 3:
                    raise
        page.get_by_label("fast", exact=True).check()
        page.get_by_role("button", name="Protect my photos").click()

        report = page.locator("#pg-report")
        report.get_by_text("protected: astronaut.png (fast)").wait_for(timeout=PROTECT_TIMEOUT_MS)
        text = report.inner_text()
        assert "1 found, 1 cloaked, 1 checked protected" in text and "similarity" in text and "PSNR" in text
        # Before/after and face zoom previews are shown, and the protected file is offered for download.
        page.wait_for_function(
            "() => document.querySelectorAll('img').length >= 4 && "
            "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)",
            timeout=30_000,
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        # The download link serves the exact bytes the library wrote.
        link = page.locator('#pg-downloads a[download="astronaut.png"]')
        assert link.count() == 1
        served = page.request.get(link.get_attribute("href")).body()
        written = list(tmp_path.glob("*/0/out/astronaut.png"))
        assert len(written) == 1 and served == written[0].read_bytes()
    assert SCREENSHOT.stat().st_size > 10_000
