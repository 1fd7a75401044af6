"""docs/api.md "Conventions": every class of bad input gets the documented status in the documented error format
({"error", "message", "fields"}), never a 500, and leaves the database exactly as it was."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import Field
from sqlalchemy import select

from lrc_training.auth.models import ApiToken, Organization, User
from lrc_training.core.api import ApiError, ApiModel, page_args, parse_json
from lrc_training.extensions import db
from tests.conftest import api_token
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number

ORGS = "/api/v1/organizations"
USERS = "/api/v1/users"
TOKEN = "/api/v1/auth/token"
MB = 1024 * 1024
_CJK = re.compile(r"[\u4e00-\u9fff]")


# -- helpers -----------------------------------------------------------------------------------------------------

def snapshot() -> dict[str, list[str]]:
    """Every row of every table, so "changes nothing" means nothing: no insert, update or delete."""
    db.session.expire_all()
    return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables}


def assert_error(response, status: int, *, code: str | None = None, fields: tuple[str, ...] = ()) -> dict:
    """The answer has `status` and docs/api.md's error format, with a Chinese message and the named fields."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:400])
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert set(body) >= {"error", "message", "fields"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["message"], str) and _CJK.search(body["message"]), body
    assert isinstance(body["fields"], dict), body
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in body["fields"].items()), body
    if code is not None:
        assert body["error"] == code, body
    for name in fields:
        assert name in body["fields"], (name, body)
    return body


def post_raw(client, path: str, data: bytes | str, headers: dict, content_type: str = "application/json"):
    return client.post(path, data=data, content_type=content_type, headers=headers)


@pytest.fixture
def admin(client):
    org = make_org("约定测试机构")
    user = make_user("admin", username="conv_admin", org=org)
    return {"user": user, "org": org, "headers": api_token(client, "conv_admin")}


@pytest.fixture
def headers(admin):
    return admin["headers"]


def org_body(**overrides) -> dict:
    return {"name": "聊城市技师学院", "kind": "school", "region_code": "371500", **overrides}


def user_body(**overrides) -> dict:
    return {"username": "new_user", "password": NEW_PASSWORD, "name": "李四", "id_number": valid_id_number(seq=901),
            "phone": "13912340000", "roles": ["trainee"], **overrides}


# -- malformed and non-object JSON (400) ---------------------------------------------------------------------------

MALFORMED = [
    b"{",
    b'{"name": }',
    b'{"name": "x",}',
    b"{'name': 'x'}",
    b"not json at all",
    b'{"name": "x"} trailing',
    b"\xff\xfe\x00{",
    b'{"name": "\xff"}',
    b'{"name": "a\\ud800b", "kind": "school", "region_code": "371500"}',  # lone surrogate
    b"[" * 100_000 + b"]" * 100_000,  # nesting far deeper than any parser should recurse
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"NaN",
]


@pytest.mark.parametrize("path", [ORGS, USERS, TOKEN])
@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_json_is_400(client, headers, path, data):
    before = snapshot()
    assert_error(post_raw(client, path, data, headers), 400, code="bad_request", fields=("body",))
    assert snapshot() == before


@pytest.mark.parametrize("path", [ORGS, USERS, TOKEN])
@pytest.mark.parametrize("data", ["", "   ", "\n"])
def test_empty_body_is_400(client, headers, path, data):
    before = snapshot()
    assert_error(post_raw(client, path, data, headers), 400, fields=("body",))
    assert snapshot() == before


@pytest.mark.parametrize("path", [ORGS, USERS, TOKEN])
@pytest.mark.parametrize("value", [[], [{"name": "x", "kind": "school", "region_code": "371500"}], "a string", 42,
                                   3.5, True, None], ids=repr)
def test_json_that_is_not_an_object_is_400(client, headers, path, value):
    before = snapshot()
    assert_error(post_raw(client, path, json.dumps(value), headers), 400, code="bad_request", fields=("body",))
    assert snapshot() == before


# -- wrong types (400), missing fields (400) -----------------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "field"), [
    (ORGS, org_body(name=123), "name"),
    (ORGS, org_body(region_code=371500), "region_code"),  # int for string
    (ORGS, org_body(kind=5), "kind"),
    (ORGS, org_body(kind=["school"]), "kind"),
    (ORGS, org_body(kind=None), "kind"),
    (ORGS, org_body(name={"zh": "学院"}), "name"),
    (USERS, user_body(organization_id="1"), "organization_id"),  # string for int
    (USERS, user_body(organization_id=1.5), "organization_id"),
    (USERS, user_body(organization_id=True), "organization_id"),
    (USERS, user_body(username=12345), "username"),
    (USERS, user_body(password=None), "password"),
    (USERS, user_body(phone=13912340000), "phone"),
    (USERS, user_body(id_number=37150219900101001), "id_number"),
    (USERS, user_body(roles="trainee"), "roles"),
    (USERS, user_body(roles=[1]), "roles.0"),
    (USERS, user_body(roles={"trainee": True}), "roles"),
    (TOKEN, {"username": 1, "password": "x"}, "username"),
    (TOKEN, {"username": "x", "password": ["x"]}, "password"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_wrong_types_are_400_naming_the_field(client, headers, path, body, field):
    before = snapshot()
    assert_error(client.post(path, json=body, headers=headers), 400, code="bad_request", fields=(field,))
    assert snapshot() == before


@pytest.mark.parametrize(("path", "required"), [
    (ORGS, ("name", "kind", "region_code")),
    (USERS, ("username", "password", "name", "id_number", "phone")),
    (TOKEN, ("username", "password")),
])
def test_missing_fields_are_400_and_all_named(client, headers, path, required):
    before = snapshot()
    body = assert_error(client.post(path, json={}, headers=headers), 400, fields=required)
    assert set(body["fields"]) == set(required)
    assert snapshot() == before


def test_one_missing_field_is_named_alone(client, headers):
    body = org_body()
    del body["kind"]
    answer = assert_error(client.post(ORGS, json=body, headers=headers), 400, fields=("kind",))
    assert set(answer["fields"]) == {"kind"}


def test_unknown_fields_are_ignored(client, headers):
    response = client.post(ORGS, json=org_body(id=999, version=7, extra="x"), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] != 999 and response.get_json()["version"] == 1


# -- empty, over-long and unstorable values (422) ------------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "field"), [
    (ORGS, org_body(name=""), "name"),
    (ORGS, org_body(name="   "), "name"),
    (ORGS, org_body(region_code=""), "region_code"),
    (ORGS, org_body(kind=""), "kind"),
    (USERS, user_body(username=""), "username"),
    (USERS, user_body(password=""), "password"),
    (USERS, user_body(name=" "), "name"),
    (USERS, user_body(id_number=""), "id_number"),
    (USERS, user_body(phone=""), "phone"),
    (USERS, user_body(roles=[]), "roles"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_empty_values_are_422_naming_the_field(client, headers, path, body, field):
    before = snapshot()
    assert_error(client.post(path, json=body, headers=headers), 422, fields=(field,))
    assert snapshot() == before


@pytest.mark.parametrize(("path", "body", "field"), [
    (ORGS, org_body(name="学" * 101), "name"),
    (ORGS, org_body(name="x" * 500_000), "name"),
    (ORGS, org_body(region_code="3715001"), "region_code"),
    (USERS, user_body(username="u" * 33), "username"),
    (USERS, user_body(password=NEW_PASSWORD + "x" * 120), "password"),
    (USERS, user_body(name="张" * 51), "name"),
    (USERS, user_body(id_number=valid_id_number(seq=902) + "1"), "id_number"),
    (USERS, user_body(phone="1" * 21), "phone"),
    (USERS, user_body(roles=["trainee"] * 7), "roles"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_over_long_values_are_422_naming_the_field(client, headers, path, body, field):
    before = snapshot()
    assert_error(client.post(path, json=body, headers=headers), 422, fields=(field,))
    assert snapshot() == before


@pytest.mark.parametrize(("path", "body", "field"), [
    (ORGS, org_body(kind="factory"), "kind"),
    (ORGS, org_body(region_code="991500"), "region_code"),
    (ORGS, org_body(region_code="37150a"), "region_code"),
    (USERS, user_body(roles=["superuser"]), "roles.0"),
    (USERS, user_body(username="has space"), "username"),
    (USERS, user_body(password="onlyletters"), "password"),
    (USERS, user_body(phone="12345"), "phone"),
    (USERS, user_body(name="张三<script>"), "name"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_values_that_break_a_rule_are_422(client, headers, path, body, field):
    before = snapshot()
    assert_error(client.post(path, json=body, headers=headers), 422, fields=(field,))
    assert snapshot() == before


@pytest.mark.parametrize(("path", "body", "field"), [
    (ORGS, org_body(name="学院\u0000"), "name"),  # PostgreSQL refuses NUL in text: a 500 there
    (ORGS, org_body(name="学\x07院"), "name"),
    (USERS, user_body(name="李\x1b四"), "name"),
    (USERS, user_body(organization_id=10**30), "organization_id"),  # OverflowError in SQLite before the fix
    (USERS, user_body(organization_id=-(10**30)), "organization_id"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_values_no_database_can_store_are_422(client, headers, path, body, field):
    before = snapshot()
    assert_error(client.post(path, json=body, headers=headers), 422, fields=(field,))
    assert snapshot() == before


def test_tabs_and_newlines_in_text_are_not_control_characters(client, headers):
    response = client.post(ORGS, json=org_body(name="聊城\t技师学院"), headers=headers)
    assert response.status_code == 201, response.get_json()


# -- unknown ids (404) and duplicates (409) ------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/v1/users/999999", "/api/v1/users/0", "/api/v1/users/" + "9" * 25,
    "/api/v1/organizations/999999", "/api/v1/organizations/" + "9" * 40,
])
def test_unknown_ids_are_404(client, headers, path):
    before = snapshot()
    assert_error(client.get(path, headers=headers), 404, code="not_found")
    assert snapshot() == before


def test_an_unknown_organization_in_a_body_is_named(client, headers):
    before = snapshot()
    assert_error(client.post(USERS, json=user_body(organization_id=999999), headers=headers), 422,
                 fields=("organization_id",))
    assert snapshot() == before


def test_duplicate_organization_name_is_409(client, headers):
    assert client.post(ORGS, json=org_body(), headers=headers).status_code == 201
    before = snapshot()
    for name in ("聊城市技师学院", "  聊城市技师学院  "):
        assert_error(client.post(ORGS, json=org_body(name=name, kind="union"), headers=headers), 409,
                     code="duplicate", fields=("name",))
    assert snapshot() == before


def test_duplicate_username_is_409(client, headers):
    assert client.post(USERS, json=user_body(), headers=headers).status_code == 201
    before = snapshot()
    assert_error(client.post(USERS, json=user_body(id_number=valid_id_number(seq=903)), headers=headers), 409,
                 fields=("username",))
    assert snapshot() == before


# -- body size (413) ---------------------------------------------------------------------------------------------

def _big_body(size: int) -> bytes:
    prefix, suffix = b'{"name": "', b'", "kind": "school", "region_code": "371500"}'
    return prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix


@pytest.mark.parametrize("path", [ORGS, USERS, TOKEN, "/api/v1/no-such-route"])
def test_a_body_over_one_megabyte_is_413(client, headers, path):
    before = snapshot()
    body = _big_body(MB + 1)
    assert len(body) == MB + 1
    assert_error(post_raw(client, path, body, headers), 413, code="too_large")
    assert snapshot() == before


def test_a_chunked_body_over_one_megabyte_is_413(client, headers):
    """No Content-Length: the server de-chunks (gunicorn sets wsgi.input_terminated) and we count as we read."""
    before = snapshot()
    for size in (MB + 1, 5 * MB):
        response = client.post(ORGS, input_stream=io.BytesIO(_big_body(size)), content_type="application/json",
                               headers={**headers, "Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
        assert_error(response, 413, code="too_large")
    assert snapshot() == before


def test_a_chunked_body_of_exactly_one_megabyte_is_read_whole(client, headers):
    response = client.post(ORGS, input_stream=io.BytesIO(_big_body(MB)), content_type="application/json",
                           headers={**headers, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    # Read completely (no truncation into "malformed JSON"): the over-long name is the only complaint.
    assert_error(response, 422, fields=("name",))


def test_a_small_chunked_body_works(client, headers):
    response = client.post(ORGS, input_stream=io.BytesIO(json.dumps(org_body()).encode()),
                           content_type="application/json", headers={**headers, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_json()


def test_the_one_megabyte_limit_is_for_json_not_file_uploads(client, headers):
    """docs/api.md: file uploads have their own limit (MAX_CONTENT_LENGTH); a 2 MB multipart body is not a 413."""
    response = client.post(ORGS, headers=headers,
                           data={"file": (io.BytesIO(b"x" * (2 * MB)), "big.bin")}, content_type="multipart/form-data")
    assert_error(response, 400)


# -- routes and methods ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/no-such-thing"),
    ("POST", "/api/v1/no-such-thing"),
    ("GET", "/api/v1/users/abc"),
    ("GET", "/api/v1/users/-1"),
    ("GET", "/api/v2/users"),
    ("GET", "/api/"),
    ("DELETE", "/api/v1/organizations/1/unknown"),
])
def test_unknown_routes_are_404_json_not_html(client, headers, method, path):
    for sent in (headers, {}):
        assert_error(client.open(path, method=method, headers=sent), 404, code="not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", USERS, {"GET", "POST"}),
    ("PUT", ORGS, {"GET", "POST"}),
    ("PATCH", "/api/v1/users/me", {"GET"}),
    ("GET", TOKEN, {"POST", "DELETE"}),
    ("POST", "/api/v1/openapi.json", {"GET"}),
])
def test_wrong_method_is_405_json_with_allow(client, headers, method, path, allowed):
    before = snapshot()
    response = client.open(path, method=method, headers=headers, json={})
    assert_error(response, 405, code="method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert snapshot() == before


# -- tokens (401) ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Token abc", "bearer",
    "Bearer " + "x" * 5000, "Bearer \u4e2d\u6587",
])
def test_missing_or_bad_tokens_are_401(client, admin, authorization):
    sent = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/users/me", headers=sent)
    assert_error(response, 401)
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_scheme_is_case_insensitive_and_the_token_is_not_read_from_the_query(client, admin):
    token = admin["headers"]["Authorization"].split(" ", 1)[1]
    assert client.get("/api/v1/users/me", headers={"Authorization": f"bearer {token}"}).status_code == 200
    assert_error(client.get(f"/api/v1/users/me?access_token={token}"), 401)


def test_a_token_expires_after_the_configured_hours(app, client, admin, time_machine):
    headers = admin["headers"]
    hours = app.config["LRC_TOKEN_HOURS"]
    assert hours == 12  # docs/api.md: default 12 h
    start = datetime.now(UTC)
    time_machine.move_to(start + timedelta(hours=hours) - timedelta(minutes=1))
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    time_machine.move_to(start + timedelta(hours=hours, minutes=1))
    before = snapshot()
    assert_error(client.get("/api/v1/users/me", headers=headers), 401, code="invalid_token")
    assert_error(client.post(ORGS, json=org_body(), headers=headers), 401)
    assert snapshot() == before


def test_a_token_whose_expiry_is_in_the_past_is_refused(client, admin):
    row = db.session.execute(select(ApiToken)).scalar_one()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get("/api/v1/users/me", headers=admin["headers"]), 401, code="invalid_token")


def test_token_answer_says_when_it_expires(client, admin):
    response = client.post(TOKEN, json={"username": "conv_admin", "password": "Passw0rd1"})
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None  # ISO 8601 with offset
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=12)
    assert body["user"] == {"id": admin["user"].id, "username": "conv_admin", "roles": ["admin"]}


def test_a_revoked_token_fails_and_other_tokens_keep_working(client, admin):
    first = admin["headers"]
    second = api_token(client, "conv_admin")
    response = client.delete(TOKEN, headers=first)
    assert response.status_code == 204
    assert_error(client.get("/api/v1/users/me", headers=first), 401, code="invalid_token")
    assert_error(client.delete(TOKEN, headers=first), 401)
    assert client.get("/api/v1/users/me", headers=second).status_code == 200
    assert db.session.execute(select(ApiToken).where(ApiToken.revoked_at.is_not(None))).scalars().all()


def test_a_stale_token_does_not_stop_signing_in_again(client, admin):
    """Public endpoints ignore a bad token (clients often keep sending the old header)."""
    client.delete(TOKEN, headers=admin["headers"])
    response = client.post(TOKEN, json={"username": "conv_admin", "password": "Passw0rd1"}, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    assert client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer junk"}).status_code == 200


def test_revoking_needs_a_token(client, admin):
    before = snapshot()
    assert_error(client.delete(TOKEN), 401)
    assert snapshot() == before


def test_a_deactivated_users_token_fails(client, admin):
    user = admin["user"]
    user.active = False
    db.session.commit()
    assert_error(client.get("/api/v1/users/me", headers=admin["headers"]), 401)


# -- sign-in and throttling (401, 429) -----------------------------------------------------------------------------

def _login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_bad_credentials_are_401_and_do_not_reveal_which_part_was_wrong(client):
    make_user("trainee", username="known_user")
    before = snapshot()
    wrong_password = assert_error(_login(client, "known_user", "Wrong0000"), 401)
    unknown_user = assert_error(_login(client, "nobody_here", "Wrong0000"), 401)
    assert wrong_password == unknown_user
    after = snapshot()
    # Nothing changes but the audit log, which keeps both failures (see tests/auth/test_sign_in_audit.py).
    assert {k: v for k, v in after.items() if k != "audit_logs"} == {
        k: v for k, v in before.items() if k != "audit_logs"}
    assert len(after["audit_logs"]) == len(before["audit_logs"]) + 2


def test_five_failures_for_one_username_lock_it_with_retry_after(app, client, time_machine):
    make_user("trainee", username="victim")
    time_machine.move_to(datetime.now(UTC))
    for n in range(5):  # from five addresses: it is the username that counts
        assert_error(_login(client, "victim", "Wrong0000", f"10.0.1.{n}"), 401)
    before = snapshot()
    for address in ("10.0.1.200", "10.0.1.201"):
        response = _login(client, "VICTIM ", "Passw0rd1", address)  # right password, case and spaces ignored
        assert_error(response, 429, code="throttled")
        retry_after = int(response.headers["Retry-After"])
        assert 0 < retry_after <= app.config["LRC_LOGIN_LOCK_MINUTES"] * 60
    assert snapshot() == before  # no token issued while locked
    time_machine.shift(timedelta(minutes=app.config["LRC_LOGIN_LOCK_MINUTES"], seconds=1))
    assert _login(client, "victim", "Passw0rd1", "10.0.1.202").status_code == 200


def test_failures_for_other_usernames_do_not_lock_an_address_below_its_own_threshold(app, client, monkeypatch):
    """Five strangers mistyping behind one NAT address do not lock a sixth person out; password spraying from one
    address is locked at LRC_LOGIN_MAX_FAILURES_PER_ADDRESS (lowered here to keep the test fast)."""
    make_user("trainee", username="bystander")
    monkeypatch.setitem(app.config, "LRC_LOGIN_MAX_FAILURES_PER_ADDRESS", 8)
    for n in range(5):
        assert_error(_login(client, f"guess{n}", "Wrong0000", "10.0.2.1"), 401)
    assert _login(client, "bystander", "Passw0rd1", "10.0.2.1").status_code == 200
    for n in range(5, 8):
        assert_error(_login(client, f"guess{n}", "Wrong0000", "10.0.2.1"), 401)
    response = _login(client, "bystander", "Passw0rd1", "10.0.2.1")
    assert_error(response, 429, code="throttled")
    assert int(response.headers["Retry-After"]) > 0
    assert _login(client, "bystander", "Passw0rd1", "10.0.2.2").status_code == 200


def test_four_failures_do_not_lock(client):
    make_user("trainee", username="careless")
    for n in range(4):
        assert_error(_login(client, "careless", "Wrong0000", f"10.0.3.{n}"), 401)
    assert _login(client, "careless", "Passw0rd1", "10.0.3.9").status_code == 200


def test_malformed_sign_in_requests_are_not_counted_as_failures(client):
    make_user("trainee", username="tidy")
    for _ in range(6):
        assert_error(post_raw(client, TOKEN, b"{", {}), 400)
        assert_error(client.post(TOKEN, json={"username": "tidy"}), 400)
    assert _login(client, "tidy", "Passw0rd1", "127.0.0.1").status_code == 200


# -- pagination (400 with fields; per_page capped) -----------------------------------------------------------------

@pytest.mark.parametrize(("query", "fields"), [
    ("page=0", ("page",)),
    ("page=-1", ("page",)),
    ("page=abc", ("page",)),
    ("page=1.5", ("page",)),
    ("page=%C2%B2", ("page",)),  # "²" is a digit to str.isdigit()
    ("page=%EF%BC%91", ("page",)),  # full-width "１"
    ("page=%201", ("page",)),
    ("page=" + "9" * 25, ("page",)),
    ("page=" + "9" * 5000, ("page",)),
    ("page=1000001", ("page",)),
    ("per_page=abc", ("per_page",)),
    ("per_page=0", ("per_page",)),
    ("per_page=-5", ("per_page",)),
    ("per_page=", ()),  # empty means the default
    ("page=0&per_page=x", ("page", "per_page")),
])
@pytest.mark.parametrize("path", [USERS, ORGS])
def test_bad_pagination_is_400_naming_the_parameter(client, headers, path, query, fields):
    before = snapshot()
    response = client.get(f"{path}?{query}", headers=headers)
    if not fields:
        assert response.status_code == 200
        return
    body = assert_error(response, 400, code="bad_request", fields=fields)
    assert set(body["fields"]) == set(fields)
    assert snapshot() == before


def test_pagination_shape_cap_and_pages(app, client, admin, headers):
    for n in range(3):
        make_user("trainee", username=f"paged{n}", org=admin["org"])
    body = client.get(f"{USERS}?per_page=100000", headers=headers).get_json()
    assert body["per_page"] == 200 and body["page"] == 1 and body["total"] == 4 and len(body["items"]) == 4
    default = client.get(USERS, headers=headers).get_json()
    assert default["per_page"] == app.config["LRC_PER_PAGE"]
    pages = [client.get(f"{USERS}?page={p}&per_page=3", headers=headers).get_json() for p in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [3, 1, 0]
    assert {p["total"] for p in pages} == {4}
    ids = [item["id"] for p in pages for item in p["items"]]
    assert len(set(ids)) == 4
    assert client.get(f"{USERS}?page=007&per_page=003", headers=headers).get_json()["page"] == 7


# -- the helpers themselves (future schemas with numbers and nested data) ------------------------------------------

class _Score(ApiModel):
    points: float
    comment: str = Field(default="", max_length=20)
    tags: list[str] = []
    scores: dict[str, int] = {}


@pytest.mark.parametrize(("raw", "status", "field"), [
    (b'{"points": NaN}', 400, "points"),  # not JSON (RFC 8259), though the parser reads it
    (b'{"points": -Infinity}', 400, "points"),
    (b'{"points": 1e400}', 400, "points"),  # JSON, but overflows to infinity
    (b'{"points": "1.5"}', 400, "points"),
    (b'{"points": 1, "tags": ["ok", "bad\\u0000"]}', 422, "tags"),
    (b'{"points": 1, "scores": {"a\\u0001": 1}}', 422, "scores"),
    (b'{"points": 1, "scores": {"a": 100000000000000000000}}', 422, "scores"),
    (b'{"points": 1, "comment": "' + b"x" * 21 + b'"}', 422, "comment"),
])
def test_parse_json_statuses(app, raw, status, field):
    with app.test_request_context("/api/v1/x", method="POST", data=raw, content_type="application/json"):
        with pytest.raises(ApiError) as caught:
            parse_json(_Score)
    assert caught.value.status == status, caught.value.fields
    assert field in caught.value.fields


def test_parse_json_accepts_good_input(app):
    raw = json.dumps({"points": 1.5, "comment": " 好 ", "tags": ["a\tb"], "scores": {"1": 3}}).encode()
    with app.test_request_context("/api/v1/x", method="POST", data=raw, content_type="application/json"):
        body = parse_json(_Score)
    assert body.points == 1.5 and body.comment == "好" and body.scores == {"1": 3}


@pytest.mark.parametrize(("query", "expected"), [
    ("", (1, 50)), ("page=3&per_page=7", (3, 7)), ("per_page=201", (1, 200)), ("page=1000000", (1_000_000, 50)),
])
def test_page_args(app, query, expected):
    with app.test_request_context(f"/api/v1/x?{query}"):
        assert page_args() == expected


def test_no_input_on_this_page_left_users_or_organizations_behind(client, headers):
    """A guard on the guards: the fixtures' own rows are all there is after a burst of bad requests."""
    for data in MALFORMED[:5]:
        post_raw(client, ORGS, data, headers)
        post_raw(client, USERS, data, headers)
    assert db.session.execute(select(Organization.name)).scalars().all() == ["约定测试机构"]
    assert db.session.execute(select(User.username)).scalars().all() == ["conv_admin"]


# -- typed answers ------------------------------------------------------------------------------------------------

FILES = {"certificates_api.certificates_pdf"}  # answers a file, not JSON


def test_every_json_endpoint_declares_its_response_schema(app):
    """So the OpenAPI document describes every answer and types cannot drift (a level is an integer everywhere);
    each area's test_api_schemas.py holds the answers to what they declare."""
    undeclared = sorted(
        f"{rule.endpoint} {rule.rule}" for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api_docs.")
        and rule.endpoint not in FILES and not getattr(app.view_functions[rule.endpoint], "_api_responses", None))
    assert not undeclared, "endpoints without a declared response schema:\n" + "\n".join(undeclared)
