"""Headless Chromium for the review-page tests and benchmark.

Drives Debian's ``chromium`` through its ``chromedriver`` with Selenium
(WebDriver): real DOM queries, clicks, keyboard focus, the browser console
log and screenshots.  Never downloads a browser or driver: when either
binary is missing, `require_chromium` skips the test and says why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["find_chromium", "require_chromium", "open_browser", "console_errors"]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_DRIVER_DIRS = ("/usr/bin", "/usr/lib/chromium", "/usr/lib/chromium-browser")


def find_chromium() -> tuple[str, str] | str:
    """(browser, chromedriver) paths, or the reason they cannot be used."""
    browser = os.environ.get("TRANSKIT_CHROMIUM") or next(
        (p for p in map(shutil.which, _BROWSERS) if p), None
    )
    if not browser:
        return "chromium is not installed (Debian: apt-get install chromium chromium-driver)"
    driver = shutil.which("chromedriver") or next(
        (
            str(Path(d) / "chromedriver")
            for d in _DRIVER_DIRS
            if (Path(d) / "chromedriver").exists()
        ),
        None,
    )
    if not driver:
        return "chromedriver is not installed (Debian: apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return browser, driver


def require_chromium() -> tuple[str, str]:
    """The browser and driver paths, or skip the calling test, saying why."""
    import pytest

    found = find_chromium()
    if isinstance(found, str):
        pytest.skip(f"browser test skipped: {found}")
    return found


@contextlib.contextmanager
def open_browser(
    width: int = 1400,
    height: int = 1000,
    *,
    javascript: bool = True,
    paths: tuple[str, str] | None = None,
    arguments: tuple[str, ...] = (),
) -> Iterator[Any]:
    """A headless Chromium WebDriver session with the console log enabled."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = paths or require_chromium()
    profile = tempfile.mkdtemp(prefix="transkit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
        *arguments,
    ):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: Any) -> list[str]:
    """Console messages at error level (JS exceptions, CSP violations, failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
