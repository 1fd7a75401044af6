"""Who issues what: a competition records promotions; the committee sends them to an accredited evaluator it
chooses; the evaluator's staff approve (the evaluator issues the level certificate) or decline. The rule
`promotion_requires_certificate` decides whether a promotion needs the lower certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lrc_training.auth.services.accreditation import NotAccredited, current_accreditation, local_today
from lrc_training.certificates.models import Certificate, SourceIssueRequest
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, issue_for_source
from lrc_training.certificates.services.source_requests import approve, decline
from lrc_training.contests.jobs import finalize_due
from lrc_training.contests.models import Competition, Reward
from lrc_training.contests.services.promotions import promotion_rows, send_promotion_requests
from lrc_training.contests.services.results import publish
from lrc_training.core.errors import Conflict, NotFound, ValidationFailed
from lrc_training.core.models import AuditLog, Notification
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.contests.helpers import World
from tests.factories import accredit, make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


@pytest.fixture
def world(app):
    return World()


def final(world, **overrides):
    """Scored, published, notice period over, finalized: first and second prizes earn a promotion."""
    competition = world.ready(promotion_awards=["first", "second"], **overrides)
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    competition.published_at = utcnow() - timedelta(days=6)
    db.session.commit()
    assert finalize_due() == 1
    db.session.refresh(competition)
    return competition


def hold(person, level: int, issuer) -> Certificate:
    cert, _ = issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                             id_number=person.id_number, issuer_organization_id=issuer.id,
                                             level=level, source_type="manual", source_key=f"held-{person.id}"))
    db.session.commit()
    return cert


def evaluator(name="聊城市职业技能等级认定中心", levels=(4, 3, 2, 1)):
    org = make_org(name, kind="evaluator", levels=levels)
    return org, make_user("org_staff", username=f"staff{org.id}", name=f"{name}工作人员", org=org)


def audit_actions() -> list[str]:
    return list(db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars())


def test_a_committee_that_is_not_accredited_cannot_issue_level_certificates_itself(world):
    competition = final(world)
    with pytest.raises(NotAccredited):
        issue_for_source(world.staff, "competition_promotion", competition.id)
    db.session.rollback()
    with pytest.raises(NotAccredited) as chosen_itself:
        send_promotion_requests(world.staff, competition.id, world.committee_org.id)
    assert "evaluator_organization_id" in chosen_itself.value.fields
    db.session.rollback()
    assert db.session.query(Certificate).count() == 0 and db.session.query(SourceIssueRequest).count() == 0


def test_the_request_goes_to_the_chosen_evaluator_which_issues_the_certificate(world, client):
    center, center_staff = evaluator()
    competition = final(world)
    outcome = send_promotion_requests(world.staff, competition.id, center.id)
    db.session.commit()
    assert len(outcome.requested) == 2 and outcome.issued == []
    assert db.session.query(Certificate).filter_by(source_type="competition_promotion").count() == 0
    rows = db.session.execute(select(SourceIssueRequest).order_by(SourceIssueRequest.id)).scalars().all()
    assert {r.issuer_organization_id for r in rows} == {center.id}
    assert {r.requester_organization_id for r in rows} == {world.committee_org.id}
    assert {r.holder_user_id for r in rows} == {world.people[0].id, world.people[1].id}
    # the evaluator's staff see it with the competition, award, name, level and the results as evidence
    login(client, center_staff.username)
    page = client.get("/certificates/issue-requests").get_data(as_text=True)
    assert competition.title in page and world.people[0].name in page and "一等奖，晋升4级" in page
    assert "四级/中级工" in page and "名次与成绩" in page and "第 1 名" in page
    post_form(client, f"/certificates/issue-requests/{rows[0].id}/approve", {"version": rows[0].version},
              token_from="/certificates/issue-requests")
    cert = db.session.execute(select(Certificate).where(Certificate.source_type == "competition_promotion")).scalar_one()
    assert cert.issuer_organization_id == center.id and cert.source_id == str(competition.id)
    assert cert.holder_user_id == rows[0].holder_user_id and cert.level == 4 and cert.event_title == competition.title
    assert db.session.get(SourceIssueRequest, rows[0].id).status == "approved"
    assert {"certificate_request.create", "certificate_request.approve", "certificate.issue"} <= set(audit_actions())
    assert db.session.execute(select(Notification).where(Notification.user_id == rows[0].holder_user_id,
                                                         Notification.title.like("证书已签发%"))).scalar()
    statuses = {p.reward.user_id: p.status for p in promotion_rows(competition)}
    assert statuses == {rows[0].holder_user_id: "issued", rows[1].holder_user_id: "pending"}


def test_the_evaluator_declines_through_the_page_with_a_reason_and_the_version_it_saw(world, client):
    center, center_staff = evaluator()
    send_promotion_requests(world.staff, final(world).id, center.id)
    db.session.commit()
    req = db.session.execute(select(SourceIssueRequest).order_by(SourceIssueRequest.id)).scalars().first()
    login(client, center_staff.username)
    url, page = f"/certificates/issue-requests/{req.id}/decline", "/certificates/issue-requests"
    no_reason = post_form(client, url, {"version": req.version, "reason": ""}, token_from=page, follow_redirects=True)
    assert "未能拒绝" in no_reason.get_data(as_text=True)
    stale = post_form(client, url, {"version": req.version + 1, "reason": "成绩存疑"}, token_from=page,
                      follow_redirects=True)
    assert "未能拒绝" in stale.get_data(as_text=True)
    assert db.session.get(SourceIssueRequest, req.id).status == "pending"
    post_form(client, url, {"version": req.version, "reason": "成绩存疑"}, token_from=page)
    db.session.expire_all()
    declined = db.session.get(SourceIssueRequest, req.id)
    assert (declined.status, declined.decision_reason) == ("declined", "成绩存疑")


def test_staff_of_another_evaluator_cannot_see_or_decide_the_request(world, client):
    center, _ = evaluator()
    other, other_staff = evaluator("济南市职业技能等级认定中心")
    competition = final(world)
    send_promotion_requests(world.staff, competition.id, center.id)
    db.session.commit()
    req = db.session.execute(select(SourceIssueRequest)).scalars().first()
    with pytest.raises(NotFound):
        approve(other_staff, req.id)
    with pytest.raises(NotFound):
        approve(world.staff, req.id)  # nor the committee that asked
    login(client, other_staff.username)
    assert world.people[0].name not in client.get("/certificates/issue-requests").get_data(as_text=True)
    response = post_form(client, f"/certificates/issue-requests/{req.id}/approve", {"version": req.version},
                         token_from="/certificates/issue-requests")
    assert response.status_code == 404
    headers = api_token(client, other_staff.username)
    assert client.post(f"/api/v1/certificates/issue-requests/{req.id}/approve", json={}, headers=headers).status_code == 404
    assert client.get(f"/api/v1/certificates/issue-requests/{req.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/certificates/issue-requests", headers=headers).get_json()["items"] == []
    assert db.session.query(Certificate).count() == 0


def test_only_a_valid_filing_covering_the_level_can_be_chosen(world, client):
    competition = final(world)  # promotions to level 4 only (nobody holds a certificate)
    unaccredited = make_org("未备案的评价机构", kind="evaluator", accredited=False)
    narrow, _ = evaluator("只备案一级的中心", levels=(1,))
    expired, _ = evaluator("备案已过期的中心")
    filing = current_accreditation(expired.id)
    filing.valid_until = local_today() - timedelta(days=1)
    db.session.commit()
    good, _ = evaluator()
    headers = api_token(client, world.staff.username)
    listing = client.get(f"/api/v1/competitions/{competition.id}/promotions", headers=headers).get_json()
    assert [e["organization_id"] for e in listing["evaluators"]] == [good.id]
    for org in (unaccredited, narrow, expired, world.committee_org):
        response = client.post(f"/api/v1/competitions/{competition.id}/promotion-requests",
                               json={"evaluator_organization_id": org.id}, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"] == "not_accredited", org.name
        assert "evaluator_organization_id" in response.get_json()["fields"]
    response = client.post(f"/api/v1/competitions/{competition.id}/promotion-requests",
                           json={"evaluator_organization_id": 999999}, headers=headers)
    assert response.status_code == 422 and "evaluator_organization_id" in response.get_json()["fields"]
    assert db.session.query(SourceIssueRequest).count() == 0
    response = client.post(f"/api/v1/competitions/{competition.id}/promotion-requests",
                           json={"evaluator_organization_id": good.id}, headers=headers)
    assert response.status_code == 201 and response.get_json()["requested"] == 2


def test_the_lower_certificate_rule_on_and_off(app):
    center, _ = evaluator()
    strict, lenient = World(prefix="甲"), World(prefix="乙")
    hold(strict.people[1], 4, center)  # holds level 4 → promoted to 3, eligible
    on = final(strict, level=3)
    off = final(lenient, level=3, promotion_requires_certificate=False)
    assert on.promotion_requires_certificate and not off.promotion_requires_certificate
    reasons = {r.user_id: r.ineligible_reason for r in db.session.query(Reward).filter_by(
        competition_id=on.id, kind="promotion")}
    assert reasons[strict.people[1].id] is None
    assert "未持有四级" in reasons[strict.people[0].id]
    assert all(r.ineligible_reason is None for r in db.session.query(Reward).filter_by(competition_id=off.id))
    outcome = send_promotion_requests(strict.staff, on.id, center.id)
    db.session.commit()
    assert [r.holder_user_id for r in outcome.requested] == [strict.people[1].id]  # the ineligible one gets none
    assert len(send_promotion_requests(lenient.staff, off.id, center.id).requested) == 2
    rows = {p.reward.user_id: p for p in promotion_rows(on)}
    assert rows[strict.people[0].id].status == "ineligible" and "未持有四级" in rows[strict.people[0].id].text


def test_contestants_see_the_rule_and_where_their_promotion_stands(world, client):
    competition = final(world, level=3)
    login(client, world.people[0].username)
    index = client.get("/contests/").get_data(as_text=True)
    assert "获奖晋级须已持有低一级的职业技能等级证书" in index
    mine = client.get(f"/contests/{competition.id}/mine").get_data(as_text=True)
    assert "获奖晋级须已持有低一级的职业技能等级证书" in mine and "不符合晋级条件" in mine and "未持有四级" in mine
    public = client.get(f"/contests/{competition.id}/results").get_data(as_text=True)
    assert "获奖晋级须已持有低一级的职业技能等级证书" in public
    committee = World(prefix="丙")
    waived = committee.competition(promotion_awards=["first"], promotion_requires_certificate=False)
    assert "不要求已持有低一级证书" in client.get("/contests/").get_data(as_text=True)
    assert waived.promotion_rule_text in client.get("/contests/").get_data(as_text=True)


def test_sending_and_approving_are_idempotent_and_a_declined_request_can_go_elsewhere(world):
    center, center_staff = evaluator()
    other, other_staff = evaluator("济南市职业技能等级认定中心")
    competition = final(world)
    assert len(send_promotion_requests(world.staff, competition.id, center.id).requested) == 2
    again = send_promotion_requests(world.staff, competition.id, center.id)
    assert again.requested == [] and db.session.query(SourceIssueRequest).count() == 2
    first, second = db.session.execute(select(SourceIssueRequest).order_by(SourceIssueRequest.id)).scalars().all()
    approve(center_staff, first.id, first.version)
    db.session.commit()
    with pytest.raises(Conflict):
        approve(center_staff, first.id, first.version)
    db.session.rollback()
    with pytest.raises(Conflict):  # a stale version
        decline(center_staff, second.id, "成绩有误", second.version + 5)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        decline(center_staff, second.id, "  ", second.version)
    decline(center_staff, second.id, "本中心本月不受理四级", second.version)
    db.session.commit()
    notified = set(db.session.execute(select(Notification.user_id).where(
        Notification.title.like("评价机构拒绝了晋级发证申请%"))).scalars())
    assert notified == {world.staff.id, second.holder_user_id}
    assert "certificate_request.decline" in audit_actions()
    resent = send_promotion_requests(world.staff, competition.id, other.id)
    db.session.commit()
    assert [r.id for r in resent.requested] == [second.id]
    approve(other_staff, second.id)
    db.session.commit()
    certs = db.session.execute(select(Certificate).where(Certificate.source_type == "competition_promotion")).scalars().all()
    assert sorted(c.issuer_organization_id for c in certs) == sorted([center.id, other.id]) and len(certs) == 2
    assert send_promotion_requests(world.staff, competition.id, center.id).requested == []
    assert db.session.query(Certificate).filter_by(source_type="competition_promotion").count() == 2


def test_a_committee_accredited_for_the_level_issues_directly(world):
    world.committee_org.kind = "evaluator"
    db.session.commit()
    accredit(world.committee_org, levels=(4,))
    competition = final(world)
    outcome = send_promotion_requests(world.staff, competition.id, world.committee_org.id)
    db.session.commit()
    assert outcome.requested == [] and len(outcome.issued) == 2
    assert {c.issuer_organization_id for c in outcome.issued} == {world.committee_org.id}
    assert db.session.query(SourceIssueRequest).count() == 0


def test_the_committee_page_lists_valid_evaluators_and_sends(world, client):
    center, _ = evaluator()
    narrow, _ = evaluator("只备案一级的中心", levels=(1,))
    competition = final(world)
    login(client, world.staff.username)
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "晋级发证" in page and center.name in page and narrow.name not in page and "待发送" in page
    response = post_form(client, f"/contests/{competition.id}/promotions", {"evaluator_organization_id": ""},
                         token_from=f"/contests/{competition.id}", follow_redirects=True)
    assert "发证评价机构：此项为必填项" in response.get_data(as_text=True)
    response = post_form(client, f"/contests/{competition.id}/promotions", {"evaluator_organization_id": narrow.id},
                         token_from=f"/contests/{competition.id}", follow_redirects=True)
    assert "未能发送晋级发证申请" in response.get_data(as_text=True)
    response = post_form(client, f"/contests/{competition.id}/promotions", {"evaluator_organization_id": center.id},
                         token_from=f"/contests/{competition.id}", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已向评价机构发送 2 条晋级发证申请" in text and f"已送交{center.name}" in text


def test_the_rule_is_part_of_the_competition_json_and_the_create_form(world, client):
    headers = api_token(client, world.staff.username)
    body = {"title": "规则测试竞赛", "tier": "city", "level": 4, "registration_closes_at": "2099-01-01T09:00:00+08:00",
            "items": [{"name": "实操", "kind": "practical", "weight": 100, "criteria": [{"name": "A", "max_points": 10}]}]}
    response = client.post("/api/v1/competitions", json=body, headers=headers)
    assert response.status_code == 201 and response.get_json()["promotion_requires_certificate"] is True
    response = client.post("/api/v1/competitions", json={**body, "promotion_requires_certificate": False},
                           headers=headers)
    assert response.status_code == 201 and response.get_json()["promotion_requires_certificate"] is False
    response = client.post("/api/v1/competitions", json={**body, "promotion_requires_certificate": "否"},
                           headers=headers)
    assert response.status_code == 400 and "promotion_requires_certificate" in response.get_json()["fields"]
    login(client, world.staff.username)
    assert "获奖晋级须已持有低一级证书" in client.get("/contests/new").get_data(as_text=True)
    form = {"title": "页面创建的竞赛", "tier": "city", "level": "4", "registration_closes_at": "2099-01-01T12:00",
            "award_mode": "ratio", "first": "0.1", "second": "0.2", "third": "0.3", "aggregation": "auto",
            "promotion_awards": "first", "items-0-name": "实操", "items-0-kind": "practical", "items-0-weight": "100",
            "items-0-criteria": "A:10"}
    assert post_form(client, "/contests/new", form).status_code == 302  # the box left unticked: waived
    assert post_form(client, "/contests/new", {**form, "title": "要求持证的竞赛",
                                               "promotion_requires_certificate": "y"}).status_code == 302
    rules = dict(db.session.execute(select(Competition.title, Competition.promotion_requires_certificate)).all())
    assert rules["页面创建的竞赛"] is False and rules["要求持证的竞赛"] is True


def test_the_issue_request_list_reads_in_constant_queries(world, client, count_queries):
    center, center_staff = evaluator()
    competition = final(world)
    send_promotion_requests(world.staff, competition.id, center.id)
    db.session.commit()
    login(client, center_staff.username)
    with count_queries() as few:
        client.get("/certificates/issue-requests")
    second = World(prefix="丁")
    send_promotion_requests(second.staff, final(second).id, center.id)
    db.session.commit()
    with count_queries() as more:
        page = client.get("/certificates/issue-requests").get_data(as_text=True)
    assert second.people[0].name in page and more.count == few.count
