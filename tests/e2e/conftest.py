"""End-to-end fixtures: the session's app served by a real HTTP server in a background thread, and
Debian's Chromium driven by Playwright. Every test here is marked `e2e` and skipped when no Chromium
binary is available (set LRC_CHROMIUM to use another binary than /usr/bin/chromium).

Test data is made with tests/factories.py and committed before the browser acts; the autouse fixture
in tests/conftest.py empties every table after each test, so each journey starts from an empty database.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR.parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("LRC_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000  # generous: a busy 2-core CI machine hashes passwords slowly; passing tests never wait for it


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(
        reason=f"e2e: no Chromium binary at {CHROMIUM} (install Debian's chromium or set LRC_CHROMIUM)"
    )
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if not chromium_available():
                item.add_marker(skip)


class _QuietHandler(WSGIRequestHandler):
    """No access log lines: a failing test's captured log shows the test's own messages."""

    def log_request(self, code="-", size="-"):
        pass


SCREENSHOTS = os.environ.get("LRC_SCREENSHOTS", "") not in ("", "0")


@pytest.fixture(autouse=True)
def _screenshots_only_when_asked(monkeypatch):
    """Screenshots are for a person to look at (test-artifacts/), never asserted on, and a full-page one costs a
    tenth of a second or more: taken only with LRC_SCREENSHOTS=1 (`make screenshots`)."""
    if not SCREENSHOTS:
        from playwright.sync_api import Page

        monkeypatch.setattr(Page, "screenshot", lambda self, *args, **kwargs: b"")


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class BrowserProblems:
    """Console errors (CSP violations among them) and uncaught page errors seen during a test."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda msg: self.messages.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.messages.append(f"page error: {exc}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def new_page(browser, live_server, browser_problems):
    """Factory for pages in fresh browser contexts (own cookies), e.g. a second user's browser.

    At the end of the test, fails on any CSP violation or uncaught script error seen on any of them.
    """
    contexts = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(base_url=live_server, viewport=viewport or DESKTOP, locale="zh-CN",
                                      **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        browser_problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = browser_problems.csp_violations() + [m for m in browser_problems.messages
                                                      if m.startswith("page error:")]
    assert not problems, "browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves test-artifacts/<test name>-<step>.png (full page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def go_to():
    """go_to(page, "管理", "用户管理") clicks through the main navigation by visible names: on a wide screen an
    area with several pages is a dropdown, and the account pages and 退出 are in the menu named after the user."""

    def go(page, *names) -> None:
        page.wait_for_load_state()  # Bootstrap's script has run: the dropdowns open
        nav = page.get_by_role("navigation", name="主导航")
        for name in names:
            exact = not isinstance(name, re.Pattern)
            nav.get_by_role("link", name=name, exact=exact).or_(
                nav.get_by_role("button", name=name, exact=exact)).click()
        # The page reached has its stylesheets: until then a phone-only copy of a list (d-md-none) counts as
        # visible and a locator meant for the table finds two elements.
        page.wait_for_load_state()

    return go


@pytest.fixture
def sign_in():
    """sign_in(page, username, password) signs in through the login form and waits for the dashboard."""
    from playwright.sync_api import expect

    def sign_in(page, username: str, password: str = "Passw0rd1") -> None:
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/dashboard$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
        page.wait_for_load_state()  # the page's scripts have run

    return sign_in
