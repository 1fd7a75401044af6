"""docs/api.md "People and organizations": POST /organizations, POST /users, GET /users/me, the scoping of
organization staff, and the API's own OpenAPI document and docs page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from lrc_training.auth.models import User
from lrc_training.auth.roles import ALL_ROLES, ORG_KINDS
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.api.test_conventions import assert_error, snapshot
from tests.conftest import api_token
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number

ORGS = "/api/v1/organizations"
USERS = "/api/v1/users"
ME = "/api/v1/users/me"
MASKED_ID = re.compile(r"^\d{4}\*{10}\d{3}[\dX]$")


@pytest.fixture
def home(client):
    """An evaluation organization with an admin and a staff member, and another organization next door."""
    org = make_org("聊城市职业技能评价中心", kind="evaluator", region_code="371500")
    other = make_org("济南市技师学院", kind="school", region_code="370100")
    make_user("admin", username="people_admin", org=org)
    make_user("org_staff", username="people_staff", org=org)
    return {"org": org, "other": other, "admin": api_token(client, "people_admin"),
            "staff": api_token(client, "people_staff")}


def new_user(seq: int = 500, **overrides) -> dict:
    return {"username": f"person{seq}", "password": NEW_PASSWORD, "name": "王五",
            "id_number": valid_id_number("371502", "19880808", seq), "phone": "13800138000",
            "roles": ["trainee"], **overrides}


def user_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


# -- organizations -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ORG_KINDS)
def test_admin_creates_an_organization_of_every_kind(client, home, kind):
    response = client.post(ORGS, json={"name": f"新机构-{kind}", "kind": kind, "region_code": "371502"},
                           headers=home["admin"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in ("name", "kind", "region_code")} == {
        "name": f"新机构-{kind}", "kind": kind, "region_code": "371502"}
    fetched = client.get(f"{ORGS}/{body['id']}", headers=home["admin"]).get_json()
    assert fetched["id"] == body["id"] and fetched["kind"] == kind


def test_the_organization_kinds_are_api_mds(client):
    assert set(ORG_KINDS) == {"school", "evaluator", "enterprise", "union", "employer_org", "platform",
                              "hrss", "federation", "association", "mediation", "law_firm", "social_org"}


def test_the_v11_kinds_and_platform_level_are_accepted(client, home):
    for kind in ("hrss", "federation", "association", "mediation", "law_firm", "social_org"):
        response = client.post(ORGS, json={"name": f"机构-{kind}", "kind": kind, "region_code": "371500"},
                               headers=home["admin"])
        assert response.status_code == 201 and response.get_json()["kind"] == kind
    platform = client.post(ORGS, json={"name": "临清市新华街道劳动关系服务站", "kind": "platform", "region_code": "371581",
                                       "platform_level": "township"}, headers=home["admin"])
    assert platform.status_code == 201 and platform.get_json()["platform_level"] == "township"
    national = client.post(ORGS, json={"name": "全国总工会", "kind": "union", "region_code": "110000",
                                       "national": True}, headers=home["admin"])
    assert national.status_code == 201 and national.get_json()["national"] is True
    wrong_level = client.post(ORGS, json={"name": "某街道", "kind": "platform", "region_code": "371581",
                                          "platform_level": "city"}, headers=home["admin"])
    assert wrong_level.status_code == 422 and "platform_level" in wrong_level.get_json()["fields"]
    not_a_platform = client.post(ORGS, json={"name": "某企业", "kind": "enterprise", "region_code": "371581",
                                             "platform_level": "park"}, headers=home["admin"])
    assert not_a_platform.status_code == 422 and "platform_level" in not_a_platform.get_json()["fields"]


def test_creating_an_organization_is_audited(client, home):
    body = client.post(ORGS, json={"name": "阳谷县总工会", "kind": "union", "region_code": "371521"},
                       headers=home["admin"]).get_json()
    record = db.session.execute(select(AuditLog).where(AuditLog.action == "organization.create",
                                                       AuditLog.object_id == str(body["id"]))).scalar_one()
    assert record.new["name"] == "阳谷县总工会"


@pytest.mark.parametrize("region_code", ["37150", "3715000", "991500", "370015", "ABCDEF"])
def test_region_code_must_be_a_six_digit_division_code(client, home, region_code):
    before = snapshot()
    assert_error(client.post(ORGS, json={"name": "某机构", "kind": "school", "region_code": region_code},
                             headers=home["admin"]), 422, fields=("region_code",))
    assert snapshot() == before


@pytest.mark.parametrize("who", ["staff", "trainee", None])
def test_only_admins_create_organizations(client, home, who):
    make_user("trainee", username="people_trainee", org=home["org"])
    headers = {"trainee": lambda: api_token(client, "people_trainee"), "staff": lambda: home["staff"],
               None: dict}[who]()
    before = snapshot()
    response = client.post(ORGS, json={"name": "越权机构", "kind": "school", "region_code": "371500"}, headers=headers)
    assert_error(response, 401 if who is None else 403)
    assert snapshot() == before


def test_staff_see_only_their_own_organization(client, home):
    assert client.get(f"{ORGS}/{home['org'].id}", headers=home["staff"]).status_code == 200
    assert_error(client.get(f"{ORGS}/{home['other'].id}", headers=home["staff"]), 404)
    listed = client.get(ORGS, headers=home["staff"]).get_json()
    assert [item["id"] for item in listed["items"]] == [home["org"].id] and listed["total"] == 1


# -- users -------------------------------------------------------------------------------------------------------

def test_admin_creates_a_user_and_the_answer_masks_the_id_number(client, home):
    payload = new_user(organization_id=home["org"].id, roles=["trainee", "judge"])
    response = client.post(USERS, json=payload, headers=home["admin"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    number = payload["id_number"]
    assert isinstance(body["id"], int)
    assert body["username"] == "person500" and body["name"] == "王五"
    assert set(body["roles"]) == {"trainee", "judge"}
    assert body["organization_id"] == home["org"].id
    assert body["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert MASKED_ID.match(body["id_number_masked"])
    text = response.get_data(as_text=True)
    assert number not in text and number[4:14] not in text
    assert NEW_PASSWORD not in text and "password" not in body and "id_number" not in body
    assert "13800138000" not in text
    stored = db.session.get(User, body["id"])
    assert stored.id_number == number and stored.check_password(NEW_PASSWORD)


def test_the_new_user_can_sign_in_and_see_themself(client, home):
    client.post(USERS, json=new_user(organization_id=home["org"].id, roles=["examiner"]), headers=home["admin"])
    me = client.get(ME, headers=api_token(client, "person500", NEW_PASSWORD)).get_json()
    assert me["username"] == "person500" and me["roles"] == ["examiner"]
    assert me["organization"]["id"] == home["org"].id and me["organization"]["name"] == "聊城市职业技能评价中心"


def test_roles_default_to_trainee(client, home):
    payload = new_user(organization_id=home["org"].id)
    del payload["roles"]
    body = client.post(USERS, json=payload, headers=home["admin"]).get_json()
    assert body["roles"] == ["trainee"]


def test_a_lower_case_x_check_character_is_stored_upper_case(client, home):
    number = next(n for n in (valid_id_number("371502", "19900101", s) for s in range(1000)) if n.endswith("X"))
    body = client.post(USERS, json=new_user(id_number=number.lower(), organization_id=home["org"].id),
                       headers=home["admin"]).get_json()
    assert body["id_number_masked"].endswith("X")
    assert db.session.get(User, body["id"]).id_number == number


def test_creating_a_user_is_audited_without_the_full_id_number(client, home):
    payload = new_user(organization_id=home["org"].id)
    body = client.post(USERS, json=payload, headers=home["admin"]).get_json()
    record = db.session.execute(select(AuditLog).where(AuditLog.action == "user.create",
                                                       AuditLog.object_id == str(body["id"]))).scalar_one()
    assert payload["id_number"] not in json.dumps(record.new, ensure_ascii=False)
    assert record.actor_id == db.session.execute(select(User.id).where(User.username == "people_admin")).scalar()


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize("id_number", [
    _wrong_check_digit(valid_id_number("371502", "19880808", 501)),
    _wrong_check_digit("11010519491231002X"),
    "37150219881332001X",  # month 13
    "371502198808080",  # 15 characters
    "9915021988080800" + "1" + "0",  # no such province
    "37150219880808001Y",
])
def test_an_invalid_id_number_is_422_naming_the_field(client, home, id_number):
    before = snapshot()
    body = assert_error(client.post(USERS, json=new_user(id_number=id_number, organization_id=home["org"].id),
                                    headers=home["admin"]), 422, fields=("id_number",))
    assert id_number not in json.dumps(body, ensure_ascii=False) or len(id_number) < 18
    assert snapshot() == before


def test_a_wrong_check_digit_says_so(client, home):
    number = _wrong_check_digit(valid_id_number("371502", "19880808", 502))
    body = assert_error(client.post(USERS, json=new_user(id_number=number), headers=home["admin"]), 422,
                        fields=("id_number",))
    assert "校验码" in body["fields"]["id_number"]


def test_duplicate_username_or_id_number_is_409(client, home):
    first = new_user(organization_id=home["org"].id)
    assert client.post(USERS, json=first, headers=home["admin"]).status_code == 201
    before = snapshot()
    same_name = new_user(501, username=first["username"])
    assert_error(client.post(USERS, json=same_name, headers=home["admin"]), 409, fields=("username",))
    same_person = new_user(502, id_number=first["id_number"])
    assert_error(client.post(USERS, json=same_person, headers=home["admin"]), 409, fields=("id_number",))
    both = new_user(503, username=first["username"], id_number=first["id_number"])
    assert_error(client.post(USERS, json=both, headers=home["admin"]), 409, fields=("username", "id_number"))
    assert snapshot() == before


def test_the_same_id_number_with_a_lower_case_x_is_a_duplicate(client, home):
    number = next(n for n in (valid_id_number("371502", "19900101", s) for s in range(1000)) if n.endswith("X"))
    client.post(USERS, json=new_user(id_number=number), headers=home["admin"])
    assert_error(client.post(USERS, json=new_user(504, id_number=number.lower()), headers=home["admin"]), 409,
                 fields=("id_number",))


def test_user_answers_never_carry_a_full_id_number(client, home):
    payload = new_user(organization_id=home["org"].id)
    created = client.post(USERS, json=payload, headers=home["admin"]).get_json()
    answers = [
        client.get(f"{USERS}/{created['id']}", headers=home["admin"]),
        client.get(USERS, headers=home["admin"]),
        client.get(USERS, headers=home["staff"]),
        client.get(ME, headers=api_token(client, "person500", NEW_PASSWORD)),
    ]
    for response in answers:
        assert response.status_code == 200
        assert payload["id_number"] not in response.get_data(as_text=True)
    listed = answers[1].get_json()["items"]
    assert all(MASKED_ID.match(item["id_number_masked"]) for item in listed)


# -- what organization staff may do -------------------------------------------------------------------------------

def test_staff_create_users_in_their_own_organization(client, home):
    explicit = client.post(USERS, json=new_user(510, organization_id=home["org"].id, roles=["instructor"]),
                           headers=home["staff"])
    assert explicit.status_code == 201, explicit.get_json()
    implicit = client.post(USERS, json=new_user(511), headers=home["staff"])  # no organization_id: their own
    assert implicit.status_code == 201, implicit.get_json()
    assert implicit.get_json()["organization_id"] == home["org"].id
    assert explicit.get_json()["organization"]["id"] == home["org"].id


def test_staff_cannot_create_users_in_another_organization(client, home):
    before = snapshot()
    for organization_id in (home["other"].id, 999_999):
        response = client.post(USERS, json=new_user(520, organization_id=organization_id), headers=home["staff"])
        assert_error(response, 403, fields=("organization_id",))  # docs/api.md: 403 when ownership forbids
    assert snapshot() == before


def test_staff_cannot_create_users_without_an_organization_by_sending_null(client, home):
    response = client.post(USERS, json=new_user(521, organization_id=None), headers=home["staff"])
    # null means "the caller's own organization" for staff: the person lands there, never outside it.
    assert response.status_code == 201
    assert response.get_json()["organization_id"] == home["org"].id


@pytest.mark.parametrize("roles", [["admin"], ["trainee", "admin"]])
def test_staff_cannot_grant_admin(client, home, roles):
    before = snapshot()
    response = client.post(USERS, json=new_user(530, organization_id=home["org"].id, roles=roles),
                           headers=home["staff"])
    assert_error(response, 403, fields=("roles",))  # docs/api.md: 403 when the caller's role forbids
    assert snapshot() == before


def test_staff_may_grant_every_role_but_admin(client, home):
    roles = [r for r in ALL_ROLES if r != "admin"]
    response = client.post(USERS, json=new_user(531, roles=roles), headers=home["staff"])
    assert response.status_code == 201, response.get_json()
    assert set(response.get_json()["roles"]) == set(roles)


def test_staff_without_an_organization_cannot_create_users(client):
    """Nothing is theirs to manage: `None != None` must not let them create people outside any organization."""
    make_org()
    make_user("org_staff", username="orphan_staff")
    headers = api_token(client, "orphan_staff")
    before = user_count()
    for organization_id in (None, 1):
        assert_error(client.post(USERS, json=new_user(550, organization_id=organization_id), headers=headers), 403)
    assert user_count() == before


def test_staff_see_only_people_of_their_organization(client, home):
    outsider = make_user("trainee", username="outsider", org=home["other"])
    insider = make_user("trainee", username="insider", org=home["org"])
    assert client.get(f"{USERS}/{insider.id}", headers=home["staff"]).status_code == 200
    assert_error(client.get(f"{USERS}/{outsider.id}", headers=home["staff"]), 404)
    admin_id = db.session.execute(select(User.id).where(User.username == "people_admin")).scalar()
    assert_error(client.get(f"{USERS}/{admin_id}", headers=home["staff"]), 404)  # admins are not theirs to manage
    names = {item["username"] for item in client.get(USERS, headers=home["staff"]).get_json()["items"]}
    assert "outsider" not in names and "insider" in names


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in ("admin", "org_staff")])
def test_other_roles_cannot_create_users(client, home, role):
    make_user(role, username=f"plain_{role}", org=home["org"])
    headers = api_token(client, f"plain_{role}")
    before = snapshot()
    assert_error(client.post(USERS, json=new_user(560), headers=headers), 403)
    assert snapshot() == before


# -- /users/me ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ALL_ROLES)
def test_me_shows_roles_and_organization(client, home, role):
    user = make_user(role, "trainee", username=f"me_{role}", org=home["org"])
    body = client.get(ME, headers=api_token(client, f"me_{role}")).get_json()
    assert body["id"] == user.id and body["username"] == f"me_{role}"
    assert set(body["roles"]) == {role, "trainee"}
    assert body["organization_id"] == home["org"].id
    org = body["organization"]
    assert org["id"] == home["org"].id and org["kind"] == "evaluator" and org["region_code"] == "371500"
    assert MASKED_ID.match(body["id_number_masked"])
    assert user.id_number not in json.dumps(body)


def test_me_without_an_organization(client):
    make_user("trainee", username="loner")
    body = client.get(ME, headers=api_token(client, "loner")).get_json()
    assert body["organization_id"] is None and body["organization"] is None


def test_me_needs_a_token(client):
    assert_error(client.get(ME), 401)


# -- OpenAPI and the docs page -----------------------------------------------------------------------------------

@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")  # public: no token
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_openapi_document_describes_users_and_organizations(spec):
    assert spec["openapi"].startswith("3.0")
    assert spec["info"]["title"] and spec["info"]["version"]
    paths = spec["paths"]
    for path, required in (("/api/v1/users", {"username", "password", "name", "id_number", "phone"}),
                           ("/api/v1/organizations", {"name", "kind", "region_code"})):
        post = paths[path]["post"]
        schema = _resolve(spec, post["requestBody"]["content"]["application/json"]["schema"]["$ref"])
        assert schema["type"] == "object"
        assert set(schema["required"]) == required
        assert required <= set(schema["properties"])
        assert "201" in post["responses"]
        assert post["security"] == [{"bearer": []}]
        for status in ("400", "401", "403", "409", "413", "422"):
            assert status in post["responses"]
    org_in = _resolve(spec, paths["/api/v1/organizations"]["post"]["requestBody"]["content"]
                      ["application/json"]["schema"]["$ref"])
    assert set(org_in["properties"]["kind"]["enum"]) == set(ORG_KINDS)
    user_in = _resolve(spec, paths["/api/v1/users"]["post"]["requestBody"]["content"]
                       ["application/json"]["schema"]["$ref"])
    assert set(user_in["properties"]["roles"]["items"]["enum"]) == set(ALL_ROLES)
    assert user_in["properties"]["organization_id"]["type"] == "integer"
    assert user_in["properties"]["organization_id"]["nullable"] is True
    assert "get" in paths["/api/v1/users/me"]
    assert set(_resolve(spec, "#/components/schemas/Error")["properties"]) == {"error", "message", "fields"}
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_openapi_document_covers_every_api_route(app, spec):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api_docs."):
            continue
        path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(rule.arguments), (path, method)


def test_every_success_answer_names_its_shape_and_every_path_argument_its_type(app, spec):
    """A JSON answer names its schema (never a bare object), a file says its type, and a path argument is typed as its
    URL converter parses it: the certificate number is text, ids are integers."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    (mimetype, content), = answer["content"].items()
                    if mimetype == "application/json":
                        assert "$ref" in content["schema"], (method, path, status)
                    else:
                        assert content["schema"] == {"type": "string", "format": "binary"}, (method, path)
    pdf = spec["paths"]["/api/v1/certificates/{number}.pdf"]["get"]
    assert set(pdf["responses"]["200"]["content"]) == {"application/pdf"}
    assert [p["schema"] for p in pdf["parameters"] if p["in"] == "path"] == [{"type": "string"}]
    user = spec["paths"]["/api/v1/users/{user_id}"]["get"]
    assert [p["schema"] for p in user["parameters"] if p["in"] == "path"] == [{"type": "integer"}]


def test_openapi_document_is_consistent(spec):
    """Every $ref resolves, operation ids are unique, and no JSON Schema 2020-12 construct that OpenAPI 3.0
    (and the bundled Swagger UI 4) does not know is left in."""
    for node in _walk(spec):
        if "$ref" in node:
            _resolve(spec, node["$ref"])
        assert node.get("type") != "null", node
        assert "const" not in node and "prefixItems" not in node and "$defs" not in node, node
        if "$ref" in node:
            assert set(node) == {"$ref"}, f"siblings of $ref are ignored in OpenAPI 3.0: {node}"
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    public_token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert "security" not in public_token


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        for name, value in attrs.items():
            if name.startswith("data-") and value and "/" in value:
                self.urls.append(value)
        self._in_script = tag == "script" and not attrs.get("src")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        self._in_script = False


def test_docs_page_loads_swagger_ui_from_our_own_server(client, spec):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not re.search(r"https?://|//[a-z0-9]", html, re.IGNORECASE), "external URL in the docs page"
    parser = _Assets()
    parser.feed(html)
    assert parser.inline_scripts == 0  # the CSP allows no inline script
    assert any("swagger-ui-bundle.js" in url for url in parser.urls)
    assert any("swagger-ui.css" in url for url in parser.urls)
    assert "/api/v1/openapi.json" in parser.urls
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp


def test_swagger_ui_is_not_told_to_call_the_online_validator(client):
    """Swagger UI 4 sends the spec's address to validator.swagger.io unless validatorUrl is null."""
    script = client.get("/static/js/api-docs.js").get_data(as_text=True)
    assert re.search(r"validatorUrl:\s*null", script)
    assert not re.search(r"https?://", script)


@pytest.mark.parametrize("filename", ["index.html", "swagger-initializer.js", "../../../../etc/passwd",
                                      "..%2f..%2fsetup.py", "nope.js"])
def test_docs_assets_serve_only_swagger_ui_files(client, filename):
    assert_error(client.get(f"/api/v1/docs/assets/{filename}"), 404)


# -- look-alike digits ---------------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_an_id_number_with_full_width_digits_is_refused(client, home):
    """\\d matches full-width digits: 37１５０２… would be stored beside 371502…, escaping the duplicate check."""
    number = valid_id_number("371502", "19880808", 570)
    client.post(USERS, json=new_user(570, id_number=number), headers=home["admin"])
    look_alike = number[:2] + number[2:17].translate(_FULL_WIDTH) + number[17]
    response = client.post(USERS, json=new_user(571, id_number=look_alike), headers=home["admin"])
    assert_error(response, 422, fields=("id_number",))


def test_a_region_code_with_full_width_digits_is_refused(client, home):
    response = client.post(ORGS, json={"name": "全角机构", "kind": "school", "region_code": "37１５００"},
                           headers=home["admin"])
    assert_error(response, 422, fields=("region_code",))


def test_a_phone_with_full_width_digits_is_refused(client, home):
    response = client.post(USERS, json=new_user(572, phone="139１２３４００００"), headers=home["admin"])
    assert_error(response, 422, fields=("phone",))
