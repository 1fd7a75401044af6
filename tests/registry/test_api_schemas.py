"""Every registry endpoint declares its response schema, so /api/v1/openapi.json describes it completely, and what
the endpoints answer has the shape they declare."""

from lrc_training.registry.schemas.responses import (
    RecordOut,
    RegistryPage,
    ReportOut,
    ReportOverviewOut,
    RiskReportPage,
    StatisticsOut,
    TargetOut,
    TrendsOut,
    WorkRecordPage,
)
from tests.registry.conftest import QUARTER, TODAY, call, create


def test_every_registry_endpoint_declares_a_response_schema(app):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("registry_api.")]
    assert len(endpoints) >= 30
    undeclared = [e for e in endpoints if not getattr(app.view_functions[e], "_api_responses", None)]
    assert undeclared == []


def shaped(schema, response, status=200):
    """The answer validates against the schema and carries no field the schema does not declare."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    schema.model_validate(body)
    assert set(body) <= set(schema.model_fields), set(body) - set(schema.model_fields)
    return body


def test_the_answers_have_the_declared_shapes(client, report_world):
    person = report_world["coordinator"].id
    target = call(client, "city", "PUT", "/targets/371502", {"year": TODAY.year, "coordinators": 2,
                                                             "coverage_share": 0.5})
    shaped(TargetOut, target)
    statistics = shaped(StatisticsOut, call(client, "county", "GET", "/statistics"))
    assert statistics["target"]["progress"]["coordinators"] == 0.5
    shaped(StatisticsOut, call(client, "province", "GET", "/statistics"))
    shaped(TrendsOut, call(client, "city", "GET", "/statistics/trends"))
    page = shaped(RegistryPage, call(client, "city", "GET", "/registry"))
    assert [row["user_id"] for row in page["items"]] == [person]
    shaped(RecordOut, call(client, "city", "GET", f"/registry/{person}"))
    works = shaped(WorkRecordPage, call(client, "county", "GET", f"/registry/{person}/work-records"))
    assert {item["kind"] for item in works["items"]} == {"mediation", "risk"}
    shaped(RiskReportPage, call(client, "county", "GET", "/risk-reports"))
    report = create(client)
    shaped(ReportOut, call(client, "county", "GET", f"/reports/{report['id']}"))
    shaped(ReportOut, call(client, "county", "POST", f"/reports/{report['id']}/submit"))
    overview = shaped(ReportOverviewOut, call(client, "city", "GET", f"/reports?period={QUARTER}"))
    assert overview["children"][0]["status"] == "submitted"
