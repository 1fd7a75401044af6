"""The permission walk: every URL rule, every method, anonymous and every role, checked against the view's
declared policy (the pattern of indico's permission tests).

New routes are covered automatically: the walk reads `app.url_map` when it runs. A route passes when

* its view declares a policy (`public`, `login_required` or `roles_required`), and
* anonymous callers of a non-public page are sent to /login with `next`, and of a non-public API get 401 JSON,
* callers without one of the required roles get 403 (HTML for pages, docs/api.md's JSON error for the API),
* callers the policy admits get neither 401 nor 403 (404 or 400 for dummy ids and empty bodies is fine),
* and nobody ever gets a 500.

CSRF. Flask-WTF checks the token in a `before_request` hook, before the access decorator runs, so a token-less
POST to a page answers 400 whoever sends it. Accepting 400 would leave every POST-only page (/logout,
/admin/users/<id>/active, ...) unchecked for anonymous and wrong-role callers. The walk therefore switches
`WTF_CSRF_ENABLED` off for *page* requests only (restored by monkeypatch afterwards); `test_csrf_*` below prove
that CSRF is enforced with the real setting. API requests keep CSRF switched on, as in production: the API
authenticates with bearer tokens and must never ask for a CSRF token, so an API blueprint someone forgot to
exempt shows up here as a 400 where 401/403 was expected.

Side effects. Views run for real, with empty forms and bodies and sample ids. The sample ids point at a
sacrificial organization and user created first (so they are also id 1), never at the signed-in walker, and each
page request restores the walker's session cookie (signing in again when a POST to /logout or a sign-out on the
登录设备 page ended its sign-in record), so neither that nor a revoked token spoils the rest of the walk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, Rule, UUIDConverter

from lrc_training.auth.models import ApiToken, Organization, User, UserSession
from lrc_training.auth.roles import ALL_ROLES
from lrc_training.core.access import Policy, hash_token, login_required, policy_of, public, roles_required
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number

# Endpoints that legitimately have no access policy, each with the reason. Keep this list short.
EXEMPT_ENDPOINTS = {
    "static": "Flask's static files (CSS, JS, fonts): public by nature, no view function of ours",
}

ANONYMOUS = "anonymous"
IDENTITIES = (ANONYMOUS, *ALL_ROLES)
API_PREFIX = "/api/"


# -- the table ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    url: str
    policy: Policy | None

    @property
    def is_api(self) -> bool:
        return self.url.startswith(API_PREFIX)


def walked_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint not in EXEMPT_ENDPOINTS),
                  key=lambda r: (r.rule, r.endpoint))


def methods_to_walk(rule: Rule) -> list[str]:
    """Every method of the rule except the OPTIONS Flask answers by itself (it never reaches the view)."""
    methods = set(rule.methods or ())
    if getattr(rule, "provide_automatic_options", False):
        methods.discard("OPTIONS")
    return sorted(methods)


def sample_value(name: str, converter, ids: dict[str, int]):
    if name in ids:
        return ids[name]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def build_cases(app: Flask, ids: dict[str, int]) -> list[Case]:
    cases = []
    for rule in walked_rules(app):
        values = {name: sample_value(name, rule._converters[name], ids) for name in rule.arguments}
        built = rule.build(values, append_unknown=False)
        assert built is not None, f"cannot build a URL for {rule.endpoint} ({rule.rule}) from {values}"
        url = built[1]
        policy = policy_of(app.view_functions[rule.endpoint])
        cases.extend(Case(rule.endpoint, method, url, policy) for method in methods_to_walk(rule))
    return cases


def expected_outcome(policy: Policy, identity: str) -> str:
    if policy.kind == "public":
        return "allowed"
    if identity == ANONYMOUS:
        return "unauthenticated"
    if policy.kind == "roles" and identity not in policy.roles:
        return "forbidden"
    return "allowed"


# -- checking one answer -------------------------------------------------------------------------------------------

def json_error_problem(response) -> str | None:
    """None when the body is docs/api.md's error format: {"error": str, "message": str, "fields": {str: str}}."""
    body = response.get_json(silent=True)
    if not isinstance(body, dict):
        return f"not a JSON object ({response.mimetype}): {response.get_data(as_text=True)[:120]!r}"
    if not (isinstance(body.get("error"), str) and isinstance(body.get("message"), str) and body["message"]):
        return f"missing error/message: {body}"
    fields = body.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        return f"fields is not an object of strings: {body}"
    return None


def login_redirect_problem(response, url: str) -> str | None:
    if response.status_code != 302:
        return f"expected 302 to /login, got {response.status_code}"
    location = urlsplit(response.headers.get("Location", ""))
    if location.netloc not in ("", "localhost") or location.path != "/login":
        return f"redirects to {response.headers.get('Location')!r}, not /login"
    nxt = parse_qs(location.query).get("next")
    if nxt != [url]:
        return f"next is {nxt!r}, expected [{url!r}]"
    return None


def check(case: Case, identity: str, response) -> str | None:
    """The problem with this answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    if case.is_api and status >= 400 and case.method != "HEAD":
        problem = json_error_problem(response)
        if problem:
            return f"{status} error is not docs/api.md's JSON format: {problem}"
    expect = expected_outcome(case.policy, identity)
    if expect == "unauthenticated":
        if case.is_api:
            return None if status == 401 else f"expected 401, got {status}"
        return login_redirect_problem(response, case.url)
    if expect == "forbidden":
        return None if status == 403 else f"expected 403, got {status}"
    if status in (401, 403):
        return f"allowed by {case.policy.describe()}, got {status}"
    if not case.is_api and status == 302 and login_redirect_problem(response, case.url) is None:
        return f"allowed by {case.policy.describe()}, but sent to the login page"
    return None


# -- the walker --------------------------------------------------------------------------------------------------

class Walker:
    """Sends requests as one identity: a session for pages, a bearer token for the API."""

    def __init__(self, app: Flask, identity: str, user: User | None):
        self.app = app
        self.identity = identity
        self.username = user.username if user is not None else None
        self.pages = app.test_client()
        self.api = app.test_client()
        self.session_cookie = None
        self.user_id = user.id if user is not None else None
        self.headers: dict[str, str] = {}
        if user is not None:
            self._sign_in()
            self.headers = api_token(self.api, user.username)

    def _sign_in(self) -> None:
        self.pages = self.app.test_client()
        login(self.pages, self.username)
        cookie = self.pages.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        self.session_cookie = cookie.value if cookie else None

    def _session_usable(self) -> bool:
        """POST /logout and the 登录设备 page's sign-outs end the walker's sign-in record on the server, so its
        saved cookie no longer works (that is the point); sign in again, as with a revoked token."""
        return db.session.execute(select(UserSession.id).where(
            UserSession.user_id == self.user_id, UserSession.ended_at.is_(None))).first() is not None

    def _restore_session(self) -> None:
        if self.user_id is not None and not self._session_usable():
            self._sign_in()
        name = self.app.config["SESSION_COOKIE_NAME"]
        self.pages.delete_cookie(self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
        if self.session_cookie is None:
            self.pages.delete_cookie(name)
        else:
            self.pages.set_cookie(name, self.session_cookie)

    def _token_usable(self) -> bool:
        token = self.headers["Authorization"].removeprefix("Bearer ")
        row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).scalar_one()
        db.session.refresh(row)
        return row.revoked_at is None

    def request(self, case: Case):
        if case.is_api:
            if self.headers and not self._token_usable():  # DELETE /api/v1/auth/token revoked it
                self.headers = api_token(self.api, self.username)
            self.app.config["WTF_CSRF_ENABLED"] = True
            return self.api.open(case.url, method=case.method, headers=self.headers)
        self._restore_session()
        self.app.config["WTF_CSRF_ENABLED"] = False
        try:
            return self.pages.open(case.url, method=case.method)
        finally:
            self.app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def walk_world(app, monkeypatch):
    """The sacrificial organization and user the sample ids point at (created first, so they are id 1 too)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # restored after the test whatever we toggle
    target_org = make_org("权限测试目标机构")
    target_user = make_user("trainee", username="walk_target", org=target_org)
    return {"user_id": target_user.id, "org_id": target_org.id, "organization_id": target_org.id,
            "home_org": target_org}


# -- tests -------------------------------------------------------------------------------------------------------

def test_every_view_declares_an_access_policy(app):
    missing = [f"{rule.endpoint} ({rule.rule})" for rule in walked_rules(app)
               if policy_of(app.view_functions[rule.endpoint]) is None]
    assert not missing, ("views without public / login_required / roles_required "
                         "(lrc_training/core/access.py): " + ", ".join(missing))


def test_role_policies_name_known_roles(app):
    wrong = []
    for rule in walked_rules(app):
        policy = policy_of(app.view_functions[rule.endpoint])
        if policy is not None and policy.kind == "roles":
            unknown = set(policy.roles) - set(ALL_ROLES)
            if not policy.roles or unknown:
                wrong.append(f"{rule.endpoint}: roles_required{policy.roles} (unknown: {sorted(unknown)})")
    assert not wrong, "a role policy nobody can satisfy: " + "; ".join(wrong)


def test_exemptions_are_real_and_still_needed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint in EXEMPT_ENDPOINTS:
        assert endpoint in endpoints, f"exempt endpoint {endpoint} no longer exists: drop it from the list"
        assert policy_of(app.view_functions[endpoint]) is None, f"{endpoint} has a policy now: drop the exemption"


def test_the_walk_covers_pages_api_and_every_policy_kind(app):
    cases = build_cases(app, {})
    assert any(c.is_api for c in cases) and any(not c.is_api for c in cases)
    kinds = {c.policy.kind for c in cases if c.policy is not None}
    assert kinds == {"public", "authenticated", "roles"}
    assert {"GET", "POST", "DELETE"} <= {c.method for c in cases}


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_route_answers_as_its_policy_says(app, walk_world, identity):
    home_org = walk_world.pop("home_org")
    user = None
    if identity != ANONYMOUS:
        user = make_user(identity, username=f"walk_{identity}", org=home_org)
    walker = Walker(app, identity, user)
    problems = []
    cases = build_cases(app, walk_world)
    for case in cases:
        if case.policy is None:
            problems.append(f"{case.endpoint}: no declared access policy")
            continue
        response = walker.request(case)
        problem = check(case, identity, response)
        if problem:
            problems.append(f"{case.method} {case.url} [{case.endpoint}, {case.policy.describe()}] "
                            f"as {identity}: {problem}")
    assert len(cases) > 20
    assert not problems, f"{len(problems)} of {len(cases)} requests as {identity} broke the policy:\n" + \
        "\n".join(problems)


def test_walk_detects_a_broken_answer():
    """The checker itself: a page letting anonymous in, an API answering HTML, a 500 are all reported."""

    class Fake:
        def __init__(self, status, body=b"", mimetype="text/html", location=None):
            self.status_code = status
            self.mimetype = mimetype
            self.headers = {"Location": location} if location else {}
            self._body = body

        def get_json(self, silent=False):
            import json

            try:
                return json.loads(self._body)
            except ValueError:
                return None

        def get_data(self, as_text=False):
            return self._body.decode() if as_text else self._body

    page = Case("x.page", "GET", "/x", Policy("authenticated"))
    api = Case("x.api", "GET", "/api/v1/x", Policy("roles", ("admin",)))
    assert check(page, ANONYMOUS, Fake(200))
    assert check(page, ANONYMOUS, Fake(302, location="/login?next=/elsewhere"))
    assert check(page, ANONYMOUS, Fake(302, location="/login?next=/x")) is None
    assert check(api, ANONYMOUS, Fake(401, b"<html>", "text/html"))
    assert check(api, "trainee", Fake(403, b'{"error":"forbidden","message":"m","fields":{}}', "application/json")) \
        is None
    assert check(api, "admin", Fake(500, b"{}", "application/json"))
    assert check(page, "trainee", Fake(302, location="/login?next=/x"))


# -- sessions and tokens do not cross over ---------------------------------------------------------------------

def test_a_session_cookie_does_not_authenticate_the_api(client):
    make_user("admin", username="cookie_admin")
    login(client, "cookie_admin")
    assert client.get("/admin/users").status_code == 200
    response = client.get("/api/v1/users/me")
    assert response.status_code == 401
    assert json_error_problem(response) is None


def test_a_bearer_token_does_not_authenticate_pages(client):
    make_user("admin", username="token_admin")
    headers = api_token(client, "token_admin")
    response = client.get("/admin/users", headers=headers)
    assert login_redirect_problem(response, "/admin/users") is None


def test_anonymous_redirect_keeps_the_query_string(client):
    response = client.get("/admin/users?q=张&role=trainee")
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/admin/users?q=张&role=trainee"]


def test_wrong_role_on_a_page_is_a_403_page_not_a_redirect(client):
    make_user("trainee", username="plain_trainee")
    login(client, "plain_trainee")
    response = client.get("/admin/organizations")
    assert response.status_code == 403
    assert response.mimetype == "text/html"


def test_inactive_users_are_treated_as_signed_out(client):
    user = make_user("admin", username="soon_inactive")
    login(client, "soon_inactive")
    headers = api_token(client, "soon_inactive")
    user.active = False
    db.session.commit()
    assert login_redirect_problem(client.get("/admin/users"), "/admin/users") is None
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401


# -- the next parameter after signing in ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",  # browsers and Werkzeug's Location header drop the tab: //evil.example/
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "javascript:alert(1)",
    "evil.example",
])
def test_login_never_redirects_off_site(client, target):
    make_user("trainee", username="next_user")
    response = client.post("/login?" + _query(next=target), data={
        "csrf_token": csrf_token(client), "username": "next_user", "password": "Passw0rd1"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/dashboard"


def test_login_follows_a_same_site_next(client):
    make_user("admin", username="next_admin")
    response = client.post("/login?" + _query(next="/admin/users?q=x"), data={
        "csrf_token": csrf_token(client), "username": "next_admin", "password": "Passw0rd1"})
    assert response.headers["Location"] == "/admin/users?q=x"


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# -- the decorators themselves -------------------------------------------------------------------------------------

def test_a_view_cannot_declare_two_policies():
    def view():
        return "x"

    with pytest.raises(TypeError, match="already declares"):
        roles_required("admin")(public(view))
    with pytest.raises(TypeError, match="already declares"):
        public(login_required(view))


# -- CSRF with the real configuration ------------------------------------------------------------------------------

def _counts() -> dict[str, int]:
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


def test_csrf_is_enabled_in_the_test_app(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_csrf_login_without_a_valid_token_is_refused(client, token):
    make_user("trainee", username="csrf_user")
    before = _counts()
    data = {"username": "csrf_user", "password": "Passw0rd1"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _counts() == before
    assert login_redirect_problem(client.get("/dashboard"), "/dashboard") is None  # not signed in


def test_csrf_failures_do_not_count_as_login_failures(client):
    make_user("trainee", username="csrf_throttle")
    for _ in range(8):
        assert client.post("/login", data={"username": "csrf_throttle", "password": "wrong"}).status_code == 400
    login(client, "csrf_throttle")


def test_csrf_register_without_a_token_creates_nobody(client):
    org = make_org()
    before = _counts()
    response = client.post("/register", data={
        "name": "张三", "id_number": valid_id_number(seq=777), "phone": "13912345678",
        "organization_id": str(org.id), "username": "csrf_newcomer", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert _counts() == before
    assert db.session.execute(select(User).where(User.username == "csrf_newcomer")).scalar() is None


def test_csrf_token_from_another_session_is_refused(app, client):
    other = app.test_client()
    stolen = csrf_token(other)
    response = client.post("/register", data={
        "csrf_token": stolen, "name": "张三", "id_number": valid_id_number(seq=778), "phone": "13912345679",
        "organization_id": "0", "username": "csrf_stolen", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert db.session.execute(select(User).where(User.username == "csrf_stolen")).scalar() is None


def test_csrf_logout_and_admin_posts_need_a_token(client):
    make_user("admin", username="csrf_admin")
    login(client, "csrf_admin")
    before = _counts()
    assert client.post("/logout").status_code == 400
    response = client.post("/admin/organizations/new", data={"name": "CSRF 机构", "kind": "school",
                                                              "region_code": "371500"})
    assert response.status_code == 400
    assert _counts() == before
    assert db.session.execute(select(Organization).where(Organization.name == "CSRF 机构")).scalar() is None
    assert client.get("/dashboard").status_code == 200  # still signed in


def test_csrf_with_a_token_the_same_forms_work(client):
    """The control: the refusals above are about the token, not the data."""
    org = make_org()
    response = client.post("/register", data={
        "csrf_token": csrf_token(client, "/register"), "name": "张三", "id_number": valid_id_number(seq=779),
        "phone": "13912345670", "organization_id": str(org.id), "username": "csrf_control",
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert db.session.execute(select(User).where(User.username == "csrf_control")).scalar() is not None


def test_csrf_is_not_required_by_the_api(client):
    make_user("admin", username="csrf_api_admin")
    headers = api_token(client, "csrf_api_admin")
    response = client.post("/api/v1/organizations", headers=headers,
                           json={"name": "无需 CSRF 机构", "kind": "school", "region_code": "371500"})
    assert response.status_code == 201, response.get_json()
