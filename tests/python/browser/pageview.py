"""What the browser test checks on every page: images and stylesheets loaded, and a screenshot.

Images of the shop load lazily; `settle` makes them eager (as scrolling to each would), waits
until every image has finished (loaded or broken), and then fails on any image that did not
decode, any stylesheet without rules or not fetchable, and any 4xx/5xx or failed load in
Chrome's network log since the last page.
"""

from __future__ import annotations

import base64
import os
from collections import Counter
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from browser.chrome import Browser

SHOTS_ENV = "WEAVER_BROWSER_SHOTS"
"""Where screenshots go (pants.toml sets it to dist/browser under the build root for tests)."""
WAIT = 20.0

_EAGER = "for (const img of document.images) { img.loading = 'eager'; }"
_ALL_DONE = "return Array.from(document.images).every(img => img.complete);"
_IMAGES = """return Array.from(document.images).map(
    img => ({src: img.currentSrc || img.src, width: img.naturalWidth}));"""
_SHEETS = """const done = arguments[arguments.length - 1];
const sheets = Array.from(document.styleSheets);
Promise.all(sheets.map(async s => {
  let rules = -1;
  try { rules = s.cssRules.length; } catch (e) { rules = -1; }
  const r = await fetch(s.href, {cache: 'no-store'});
  return {href: s.href, rules: rules, status: r.status, type: r.headers.get('content-type')};
})).then(done, e => done([{href: String(e), rules: -1, status: 0, type: ''}]));"""


def text_of(el: WebElement | webdriver.Chrome, css: str) -> str:
    """The visible text of the first element `css` under `el`."""
    return str(el.find_element(By.CSS_SELECTOR, css).text).strip()


def wait_for(driver: webdriver.Chrome, css: str) -> WebElement:
    """The element `css` of the next page, once that page has loaded (its stylesheet applied)."""
    wait = WebDriverWait(driver, WAIT)
    found: WebElement = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete", f"{css}: page not loaded")
    return found


def shots_dir(fallback: Path, prefix: str = "") -> Path:
    """The screenshot directory: $WEAVER_BROWSER_SHOTS, else `fallback`; older `prefix`NN-*.png removed."""
    configured = os.environ.get(SHOTS_ENV)
    path = Path(configured) if configured else fallback
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob(f"{prefix}[0-9][0-9]-*.png"):
        old.unlink()
    print(f"browser screenshots: {path}")
    return path


class PageChecks:
    """Checks each page the test visits and keeps what it saw, for the session-wide checks."""

    def __init__(self, browser: Browser, shots: Path, prefix: str = "") -> None:
        self.b = browser
        self.shots = shots
        self.prefix = prefix
        self.images: set[str] = set()
        self.sheets: set[str] = set()
        self.saved: list[Path] = []

    def settle(self, name: str) -> None:
        """Check the current page's images, stylesheets and network log; save `name`.png."""
        d = self.b.driver
        d.execute_script(_EAGER)
        WebDriverWait(d, WAIT).until(lambda drv: drv.execute_script(_ALL_DONE), f"{name}: images still loading")
        images: list[dict[str, Any]] = d.execute_script(_IMAGES)
        assert images, f"{name}: a shop page without images"
        broken = [i["src"] for i in images if i["width"] == 0]
        assert not broken, f"{name}: images that did not load: {broken}"
        self.images.update(i["src"] for i in images)
        sheets: list[dict[str, Any]] = d.execute_async_script(_SHEETS)
        assert sheets, f"{name}: no stylesheet"
        for s in sheets:
            assert s["status"] == 200 and s["rules"] > 0, f"{name}: stylesheet not usable: {s}"
            assert str(s["type"]).startswith("text/css"), f"{name}: stylesheet content type: {s}"
        self.sheets.update(s["href"] for s in sheets)
        self.b.network.read(d)
        assert not self.b.network.bad(), f"{name}: failed requests: {self.b.network.bad()}"
        self.screenshot(name)

    def screenshot(self, name: str) -> Path:
        """The whole page (beyond the window) as a PNG under the screenshot directory."""
        d = self.b.driver
        d.execute_script("window.scrollTo(0, 0);")
        metrics = d.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        args = {"format": "png", "captureBeyondViewport": True, "clip": clip}
        shot = d.execute_cdp_cmd("Page.captureScreenshot", args)
        path = self.shots / f"{self.prefix}{len(self.saved) + 1:02d}-{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        self.saved.append(path)
        return path

    def check_session(self) -> None:
        """Every image and stylesheet the pages used was fetched with a good status at least once."""
        self.b.network.read(self.b.driver)
        assert not self.b.network.bad(), f"failed requests: {self.b.network.bad()}"
        fetched = {url for url, status, _ in self.b.network.responses if status < 400}
        missing = sorted((self.images | self.sheets) - fetched)
        assert not missing, f"used but never seen in the network log: {missing}"
        kinds = Counter(f"{kind} {status}" for _, status, kind in self.b.network.responses)
        log = self.b.network
        print(f"network log: {len(log.responses)} responses {dict(kinds)}, {log.from_cache} from the disk cache;")
        print(f"  {len(self.images)} distinct images, {len(self.saved)} pages checked")
