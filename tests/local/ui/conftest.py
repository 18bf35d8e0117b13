"""A real browser for the web UI's tests: Debian's Chromium, driven by Playwright.

`make install` installs the `chromium` package when the machine has none. The browser is shared
by the package's tests; each test gets its own context (cookies), signed in or not. Every page a
test looks at is saved as a screenshot under `artifacts/ui/` at the repository root.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "ui"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # tests run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no calls home from a machine without the internet
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is not installed: `make install` installs Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def anonymous(browser: Any) -> Iterator[Any]:
    """A page in a browser context with no session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def sign_in_link(local_ws: LocalWorkspace, path: str = "/") -> str:
    request = urllib.request.Request(
        f"{local_ws.host}/api/2.0/brickyard/ui/sign-in-links",
        data=json.dumps({"path": path}).encode(),
        headers={"Authorization": f"Bearer {local_ws.token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["url"])


@pytest.fixture
def page(anonymous: Any, local_ws: LocalWorkspace) -> Any:
    """A signed-in page (through a one-time link), on the home page."""
    anonymous.goto(sign_in_link(local_ws))
    assert anonymous.url == f"{local_ws.host}/"
    return anonymous


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
