"""axe-core on the pages each demo role reaches (trainee, instructor, org staff, admin, examiner, judge and a city 人社
officer): every page of the main navigation and the first page of every kind linked from them (a course, its
management page, an exam session, its results, a competition...). A serious or critical violation fails the test,
with the role, the page, the rule and the offending elements. A kind of page several roles reach is checked once
per group of roles; every role's dashboard, which carries its navigation, is checked. A page whose kind was checked
already is only read for its links (fetched with the browser's cookies, not rendered): rendering is most of the
walk's cost.

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0, see the README there) is injected into the page by the test
browser; the browser context bypasses the site's CSP for that injection only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from lrc_training.auth.demo import ADMIN_PASSWORD, DEMO_PASSWORD
from lrc_training.core.demo import seed_demo
from lrc_training.extensions import db
from tests.e2e.conftest import DESKTOP, E2E_DIR

pytestmark = pytest.mark.e2e

AXE = E2E_DIR / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
NOT_PAGES = re.compile(r"\.(pdf|xlsx|zip|csv|json)$|^/api/|/logout$|/download|/export")
MAX_PAGES = 45


def _shape(path: str) -> str:
    """/courses/12/manage and /courses/7/manage are the same kind of page."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


class _LinkParser(HTMLParser):
    """The hrefs of the links in <main> and in the main navigation, as the selector in `_links` finds them."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self._main = 0
        self._navs: list[bool] = []  # one per open <nav>: is it the main navigation?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._main += 1
        elif tag == "nav":
            self._navs.append(attrs.get("aria-label") == "主导航")
        elif tag == "a" and attrs.get("href") is not None and (self._main or any(self._navs)):
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "main" and self._main:
            self._main -= 1
        elif tag == "nav" and self._navs:
            self._navs.pop()


def _links(page=None, html: str | None = None) -> list[str]:
    """The site's own page links on a page open in the browser, or in a page's HTML."""
    if html is not None:
        parser = _LinkParser()
        parser.feed(html)
        hrefs = parser.hrefs
    else:
        hrefs = page.eval_on_selector_all("main a[href], nav[aria-label='主导航'] a[href]",
                                          "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(parts.path):
            continue
        out.append(parts.path)
    return out


def _violations(page) -> list[dict]:
    """axe's serious findings on the page (axe comes with every page of the walk's context as an init script;
    other tests' pages get it here)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n')[1])}));
    }""")


# Two groups, one per test (so that two workers share the work): within a group a page's kind is checked by the first
# role that reaches it; the others still read it to follow its links (a role's own pages hang off shared ones).
GROUPS = {"learners": ("trainee", "teacher", "examiner", "judge"), "officers": ("staff", "admin", "city")}


def _sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def _walk(page, username: str, checked_shapes: set[str]) -> tuple[list[str], list[str]]:
    """Open the role's pages breadth-first from its dashboard; run axe on each kind of page not checked yet (a
    role's dashboard always: its navigation is its own), and only read the links of the others. Returns the pages
    checked and the problems found."""
    queue, seen_shapes, opened, checked, problems = ["/dashboard"], set(), 0, [], []
    while queue and opened < MAX_PAGES:
        path = queue.pop(0)
        if _shape(path) in seen_shapes:
            continue
        seen_shapes.add(_shape(path))
        if path != "/dashboard" and _shape(path) in checked_shapes:
            # checked already: only its links are wanted, and reading them needs no rendering
            response = page.request.get(path)
            if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
                continue
            opened += 1
            queue.extend(link for link in _links(html=response.text()) if _shape(link) not in seen_shapes)
            continue
        response = page.goto(path)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state()
        opened += 1
        checked_shapes.add(_shape(path))
        checked.append(path)
        for v in _violations(page):
            if v["impact"] in BLOCKING:
                problems.append(f"{username} {path}: [{v['impact']}] {v['id']} — {v['help']}\n    "
                                + "\n    ".join(v["nodes"]))
        queue.extend(link for link in _links(page) if _shape(link) not in seen_shapes)
    return checked, problems


@pytest.mark.parametrize("group", list(GROUPS))
def test_no_serious_accessibility_violation_on_the_pages_of_each_role(browser, live_server, group):
    seed_demo()
    db.session.commit()
    checked_shapes: set[str] = set()
    problems: list[str] = []
    for username in GROUPS[group]:
        context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
        context.set_default_timeout(30_000)
        context.add_init_script(path=str(AXE))  # before the page's own scripts, on every page
        try:
            page = context.new_page()
            _sign_in(page, username)
            checked, found = _walk(page, username, checked_shapes)
        finally:
            context.close()
        assert len(checked) >= 3, (username, checked)  # the walk really reached the role's own pages
        problems += found
    assert len(checked_shapes) >= 10 * len(GROUPS[group]) // 2, sorted(checked_shapes)
    assert not problems, f"{group}: serious/critical axe violations:\n" + "\n".join(problems)
