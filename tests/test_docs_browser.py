"""The built documentation site, opened in a real headless browser as a reader would see it.

Debian's ``chromium`` driven by its ``chromedriver`` (scripts/setup.d/browser.sh installs both), on
the site ``mkdocs build --strict`` wrote, served over HTTP on 127.0.0.1. At a 1,280 px wide window,
each page checked shows no raw Sphinx role or unrendered markup, nothing wider than the window, and
its own content: every API section, the notebook's tables and drawings as loaded images. A
screenshot of each page is saved under build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import base64
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from public_names import PUBLIC_MODULES, documented_ids

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
WIDTH, HEIGHT = 1280, 900

# The pages a new reader opens first, and the ones the issue found broken.
PAGES = {
    "home": "",
    "getting-started": "getting-started/",
    "api": "api/",
    "performance": "performance/",
    "notebook": "notebooks/explore/",
}

# The reader-visible text of the page's content, without code (which may quote anything).
PROSE_JS = """
const content = document.querySelector('.md-content').cloneNode(true);
content.querySelectorAll('style, script, pre, code, .highlight, .jp-InputArea, .jp-OutputArea').forEach(e => e.remove());
return content.textContent;
"""

RAW_MARKUP = [
    ":class:`", ":meth:`", ":func:`", ":attr:`", ":data:`", ":exc:`", ":mod:`",
    ":class:", ":meth:", ":func:",  # a role whose backticks markdown turned into <code>
    "```", "::: ", "][", "](", "**", "{: ", "<code>", "&lt;",
]  # fmt: skip


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    for path in (chromium, driver):
        assert Path(path).exists(), f"{path} missing: run scripts/setup.d/browser.sh"
    return chromium, driver


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    chromium, driver_path = _browser_paths()
    options = Options()
    options.binary_location = chromium
    # Without the background-networking flags Chromium keeps reaching for update and sync
    # services, which a closed network turns into long stalls.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    # The layout viewport exactly 1,280 CSS px wide, whatever the window decorations.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser: webdriver.Chrome, site_url: str, page: str) -> None:
    browser.get(site_url + PAGES[page])
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.images].map(i => i.complete ? null :"
        " new Promise(r => { i.onload = i.onerror = r; }))).then(() => done(true));"
    )
    _screenshot(browser, page)


def _screenshot(browser: webdriver.Chrome, name: str) -> None:
    """The whole page, at most 12,000 px of it, as build/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    metrics = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})
    height = min(int(metrics["cssContentSize"]["height"]), 12_000)
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
        },
    )
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_cleanly_at_1280_px(
    browser: webdriver.Chrome, site_url: str, page: str
) -> None:
    _open(browser, site_url, page)
    assert browser.execute_script("return window.innerWidth") == WIDTH
    title = browser.title
    assert "404" not in title
    assert browser.find_element(By.CSS_SELECTOR, ".md-content h1").text.strip()
    prose = browser.execute_script(PROSE_JS)
    for markup in RAW_MARKUP:
        assert markup not in prose, (
            f"{page}: {markup!r} shows in the page: {_around(prose, markup)}"
        )
    # Nothing wider than the window: not the page, nor a table or code block cut by a scroll bar.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= WIDTH
    # Code may scroll sideways in its own box, as code does; tables and text may not.
    overflowing = browser.execute_script(
        "const CODE = 'pre, code, .highlight, .highlight-ipynb, .jp-InputArea';"
        "return [...document.querySelectorAll('.md-content *')]"
        ".filter(e => getComputedStyle(e).overflowX !== 'visible' && !e.closest(CODE)"
        " && e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + ': ' + e.scrollWidth + ' > ' + e.clientWidth)"
    )
    assert overflowing == [], f"{page}: content wider than its box: {overflowing[:5]}"


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return " ".join(text[max(at - 80, 0) : at + 80].split())


def test_api_reference_documents_every_public_name(
    browser: webdriver.Chrome, site_url: str
) -> None:
    _open(browser, site_url, "api")
    ids = set(
        browser.execute_script("return [...document.querySelectorAll('[id]')].map(e => e.id)")
    )
    for module in PUBLIC_MODULES:
        assert module in ids, f"no section for {module}"
        # The page is longer than one screenshot: one more of the top of each module's section.
        section = browser.find_element(By.ID, module)
        browser.execute_script("arguments[0].scrollIntoView()", section)
        assert section.is_displayed()
        browser.save_screenshot(str(SCREENSHOTS / f"api-{module}.png"))
    missing = {name: id_ for name, id_ in documented_ids().items() if id_ not in ids}
    assert missing == {}
    # Errors are under their public names; no heading names a private module.
    headings = browser.execute_script(
        "return [...document.querySelectorAll('.md-content h2, .md-content h3, .md-content h4')].map(h => h.id)"
    )
    assert "beacon_org.UnknownUserError" in headings
    assert [h for h in headings if "._" in h] == []
    # Roles became links that land on a documented object.
    links = browser.execute_script(
        "return [...document.querySelectorAll('.md-content a.autorefs-internal')]"
        ".map(a => a.getAttribute('href'))"
    )
    assert len(links) > 50
    targets = {href.split("#", 1)[1] for href in links if "#" in href}
    assert targets - ids == set()


def test_notebook_shows_its_tables_and_drawings(browser: webdriver.Chrome, site_url: str) -> None:
    _open(browser, site_url, "notebook")
    images = browser.execute_script(
        "return [...document.querySelectorAll('.md-content img')]"
        ".map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])"
    )
    assert len(images) >= 2, "the drawings are missing"
    for complete, natural_width, natural_height, shown_width in images:
        assert complete
        assert natural_width > 400
        assert natural_height > 300
        assert 0 < shown_width <= WIDTH
    tables = browser.find_elements(By.CSS_SELECTOR, ".md-content table.dataframe")
    assert len(tables) >= 3
    assert "dist-a" in browser.find_element(By.CSS_SELECTOR, ".md-content").text
    # The .ipynb is there to download.
    link = browser.find_element(By.CSS_SELECTOR, "a[href$='explore.ipynb']")
    assert link.get_attribute("href")


def test_copy_button_copies_code_without_prompts_or_output(
    browser: webdriver.Chrome, site_url: str
) -> None:
    _open(browser, site_url, "getting-started")
    block = browser.execute_script(
        "return [...document.querySelectorAll('.md-content pre')]"
        ".find(p => p.textContent.includes('>>> ')) || null"
    )
    assert block is not None
    shown = block.text
    button = block.find_element(By.CSS_SELECTOR, "button.md-clipboard, button.md-code__button")
    browser.execute_script("arguments[0].click()", button)
    copied = button.get_attribute("data-clipboard-text")
    assert copied, "the copy button copies the block as shown"
    assert ">>>" not in copied
    assert "..." not in copied.splitlines()[0]
    statements = [line[4:] for line in shown.splitlines() if line.startswith(">>> ")]
    assert statements
    assert [line for line in copied.splitlines() if not line.startswith(" ")][: len(statements)]
    for statement in statements:
        assert statement in copied.splitlines()
    outputs = [
        line for line in shown.splitlines() if line.strip() and not line.startswith((">>>", "..."))
    ]
    for output in outputs:
        assert output not in copied.splitlines(), f"output {output!r} copied"
