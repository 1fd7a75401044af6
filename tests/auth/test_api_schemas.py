"""Every auth endpoint declares its response schema, so /api/v1/openapi.json describes it completely, and what the
endpoints answer has the shape they declare (and nothing more)."""

from datetime import timedelta

from lrc_training.auth.schemas import (
    AccreditationOut,
    OrganizationOut,
    OrganizationPage,
    TokenOut,
    UserOut,
    UserPage,
)
from lrc_training.auth.services.accreditation import local_today
from tests.conftest import api_token
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number


def test_every_auth_endpoint_declares_a_response_schema(app):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("auth_api.")]
    assert len(endpoints) == 12
    undeclared = [e for e in endpoints if not getattr(app.view_functions[e], "_api_responses", None)]
    assert undeclared == []


def test_the_openapi_document_names_the_auth_schemas(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"UserPage", "OrganizationPage", "AccreditationOut", "TokenOut", "TokenUserOut"} <= set(
        document["components"]["schemas"])
    revoke = document["paths"]["/api/v1/auth/token"]["delete"]["responses"]["204"]
    assert "content" not in revoke  # no body


def shaped(schema, response, status=200):
    """The answer validates against the schema and carries no field the schema does not declare."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    schema.model_validate(body)
    assert set(body) <= set(schema.model_fields), set(body) - set(schema.model_fields)
    return body


def test_the_answers_have_the_declared_shapes(client):
    org = make_org("聊城市职业技能评价中心", kind="evaluator", region_code="371500", accredited=False)
    make_user("admin", username="shape_admin", org=org)
    token = client.post("/api/v1/auth/token", json={"username": "shape_admin", "password": "Passw0rd1"})
    assert set(shaped(TokenOut, token)["user"]) == {"id", "username", "roles"}
    admin = api_token(client, "shape_admin")
    me = shaped(UserOut, client.get("/api/v1/users/me", headers=admin))
    assert set(me["organization"]) == set(OrganizationOut.model_fields)
    shaped(UserPage, client.get("/api/v1/users", headers=admin))
    new = {"username": "shape_person", "password": NEW_PASSWORD, "name": "王五",
           "id_number": valid_id_number("371502", "19880808", 321), "phone": "13800138000"}
    person = shaped(UserOut, client.post("/api/v1/users", json=new, headers=admin), 201)
    shaped(UserOut, client.get(f"/api/v1/users/{person['id']}", headers=admin))
    shaped(OrganizationPage, client.get("/api/v1/organizations", headers=admin))
    school = {"name": "聊城高级技工学校", "kind": "school", "region_code": "371502"}
    created = shaped(OrganizationOut, client.post("/api/v1/organizations", json=school, headers=admin), 201)
    shaped(OrganizationOut, client.get(f"/api/v1/organizations/{created['id']}", headers=admin))
    url = f"/api/v1/organizations/{org.id}/accreditation"
    until = (local_today() + timedelta(days=365)).isoformat()
    filing = {"filing_number": "鲁人社职鉴备〔2026〕0001号", "letter": "S", "levels": [4, 3], "valid_until": until}
    shaped(AccreditationOut, client.put(url, json=filing, headers=admin))
    shaped(AccreditationOut, client.get(url, headers=admin))
    shaped(AccreditationOut, client.delete(url, headers=admin))
    assert client.delete("/api/v1/auth/token", headers=admin).status_code == 204
