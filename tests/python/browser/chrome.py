"""Headless Chromium from Debian's packages, driven through Debian's chromedriver by selenium.

`chrome()` installs `chromium`, `chromium-driver` and a font (`fonts-dejavu-core`: Chromium only
recommends fonts, and without one every glyph is a box) when missing (`support.debian`:
as root; skipped with the reason printed otherwise, failed under CI=true), starts chromedriver
on 127.0.0.1 and a Chromium with its own profile directory, and stops both at the end, even on
failure; it then checks that no process of that profile is left (and kills any that is).
Selenium Manager is never used: both paths are given, so nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from support.debian import ensure_programs

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # chromium only recommends fonts
PACKAGES = {CHROMIUM: "chromium", CHROMEDRIVER: "chromium-driver", FONT: "fonts-dejavu-core"}
WINDOW = (1280, 900)
PAGE_LOAD_TIMEOUT = 30.0
EXIT_TIMEOUT = 10.0


@dataclass
class NetworkLog:
    """Responses and failed loads seen by the browser, read from Chrome's performance log.

    Counted from the first navigation to `site` on: what the browser loads at start-up (Debian's
    start page, a search engine's, which cannot resolve here; its new-tab page) is not the shop's.
    """

    site: str = ""
    responses: list[tuple[str, int, str]] = field(default_factory=list)  # url, status, resource type
    from_cache: int = 0  # of the responses, how many Chrome answered from its disk cache
    failures: list[tuple[str, str]] = field(default_factory=list)  # url (if known), error text
    _urls: dict[str, str] = field(default_factory=dict)  # request (or navigation) id -> url
    _started: bool = False

    def read(self, driver: webdriver.Chrome) -> None:
        """Drain the driver's performance log (each call returns the entries since the last)."""
        entries: list[dict[str, Any]] = driver.get_log("performance")  # type: ignore[no-untyped-call]
        for entry in entries:
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            method = message.get("method")
            if method == "Page.frameStartedNavigating":
                self._request(params["loaderId"], params["url"])
            elif method == "Network.requestWillBeSent":
                self._request(params["requestId"], params["request"]["url"])
            elif not self._started:
                continue
            elif method == "Network.responseReceived":
                response = params["response"]
                self.responses.append((response["url"], int(response["status"]), params.get("type", "")))
                self.from_cache += bool(response.get("fromDiskCache"))
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                self.failures.append((self._urls.get(params["requestId"], "?"), params.get("errorText", "")))

    def _request(self, request_id: str, url: str) -> None:
        self._urls[request_id] = url
        self._started = self._started or url.startswith(self.site)

    def bad(self) -> list[str]:
        """Every response with a 4xx/5xx status and every failed load, one line each."""
        out = [f"{status} {kind} {url}" for url, status, kind in self.responses if status >= 400]
        return out + [f"failed {url}: {error}" for url, error in self.failures]


def _options(profile: Path, window: tuple[int, int]) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # the tests run as root on these machines
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={window[0]},{window[1]}",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return options


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose command line contains `marker` (read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            pids.append(int(entry.name))
    return pids


def _kill_leftovers(marker: str) -> list[int]:
    """Kill what is left of this browser (by its profile dir); the pids that were left."""
    left = processes_with(marker)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


@dataclass
class Browser:
    driver: webdriver.Chrome
    network: NetworkLog
    service: Service
    profile: Path


@contextlib.contextmanager
def chrome(tmp: Path, window: tuple[int, int] = WINDOW) -> Iterator[Browser]:
    """A headless Chromium for the block; chromedriver and every browser process stopped after."""
    ensure_programs(PACKAGES)
    profile = tmp / "chromium-profile"
    profile.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8", "TMPDIR": str(tmp)}
    log = open(tmp / "chromedriver.log", "w")  # noqa: SIM115 - closed in the finally below
    service = Service(CHROMEDRIVER, service_args=["--allowed-ips=127.0.0.1"], log_output=log, env=env)
    driver: webdriver.Chrome | None = None
    try:
        driver = webdriver.Chrome(options=_options(profile, window), service=service)
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        yield Browser(driver, NetworkLog(), service, profile)
    finally:
        try:
            if driver is not None:
                driver.quit()  # closes Chromium and stops chromedriver
            else:
                service.stop()
        finally:
            proc: subprocess.Popen[bytes] | None = getattr(service, "process", None)
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(EXIT_TIMEOUT)
            log.close()
            _wait_gone(str(profile))


def _wait_gone(marker: str) -> None:
    """Chromium's helpers exit shortly after the browser: wait for that, bounded; kill the rest."""
    deadline = time.monotonic() + EXIT_TIMEOUT
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)  # polls for process exit; no event orders anything here
    left = _kill_leftovers(marker)
    if left:
        raise AssertionError(f"Chromium processes still running after quit (killed): {left}")
