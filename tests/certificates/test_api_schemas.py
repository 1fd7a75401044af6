"""Every certificates endpoint declares its response schema, so /api/v1/openapi.json describes it completely, and
what the endpoints answer has the shape they declare (the PDF is a file, not JSON)."""

from lrc_training.certificates.schemas import (
    CertificateOut,
    CertificateSettingsOut,
    ManualRequestOut,
    ManualRequestPage,
    SourceIssueRequestPage,
    VerificationOut,
)
from tests.certificates.test_certificate_web import evaluator, issue, staff  # noqa: F401  (fixtures)
from tests.certificates.test_manual_certificates import MANUAL, ask
from tests.certificates.test_manual_certificates import world as world  # noqa: F401  (the fixture)
from tests.conftest import api_token
from tests.factories import make_user

FILES = {"certificates_api.certificates_pdf"}


def test_every_certificates_endpoint_declares_a_response_schema(app, client):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("certificates_api.")]
    assert len(endpoints) >= 16
    undeclared = [e for e in endpoints if not getattr(app.view_functions[e], "_api_responses", None)]
    assert undeclared == sorted(FILES)
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"CertificateOut", "ManualRequestPage", "SourceIssueRequestOut", "VerificationOut"} <= set(schemas)


def shaped(schema, response, status=200):
    """The answer validates against the schema and carries every field the schema declares, and no other."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    schema.model_validate(body)
    assert set(body) == set(schema.model_fields), set(body) ^ set(schema.model_fields)
    return body


def test_the_certificate_answers_have_the_declared_shapes(client, staff):  # noqa: F811
    holder = make_user("trainee", username="holder", name="赵文博")
    cert = issue(staff.organization, name="赵文博", holder_user_id=holder.id)
    headers = api_token(client, "staff")
    settings = f"/api/v1/organizations/{staff.organization_id}/certificate-settings"
    shaped(CertificateSettingsOut, client.get(settings, headers=headers))
    record = shaped(CertificateOut, client.get(f"/api/v1/certificates/{cert.number}", headers=headers))
    assert isinstance(record["level"], int) and record["issued_on"] == cert.issued_on.isoformat()
    shaped(VerificationOut, client.get(f"/api/v1/verify/{cert.number}?name=赵文博"))
    revoked = shaped(CertificateOut, client.post(f"/api/v1/certificates/{cert.number}/revoke", headers=headers,
                                                 json={"reason": "材料不实"}))
    assert revoked["status"] == "revoked"
    page = shaped(SourceIssueRequestPage, client.get("/api/v1/certificates/issue-requests", headers=headers))
    assert page["items"] == []


def test_the_manual_request_answers_have_the_declared_shapes(client, world):  # noqa: F811
    asked = shaped(ManualRequestOut, ask(client, world), 201)
    listed = shaped(ManualRequestPage, client.get(MANUAL, headers=world["checker"]))
    assert [item["id"] for item in listed["items"]] == [asked["id"]]
    approved = shaped(ManualRequestOut, client.post(f"{MANUAL}/{asked['id']}/approve", headers=world["checker"]), 201)
    assert set(approved["requested_by"]) == {"id", "name"} and approved["number"]
    shaped(ManualRequestOut, client.get(f"{MANUAL}/{asked['id']}", headers=world["clerk"]))
