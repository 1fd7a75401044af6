"""Competition pages: the committee creates and runs a competition, a trainee registers, a judge scores."""

from datetime import timedelta

from sqlalchemy import select

from lrc_training.contests.models import Competition, JudgingSheet, Registration
from lrc_training.contests.services.finalize import finalize
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.factories import make_org, make_user


def test_committee_trainee_and_judge_through_the_pages(app, client):
    committee = make_org("聊城市总工会", kind="union", region_code="371500")
    make_user("org_staff", username="committee", org=committee)
    company = make_org("参赛企业", kind="enterprise", region_code="371502")
    make_user("trainee", username="p1", name="选手甲", org=company)
    make_user("judge", username="j1", org=make_org("技师学院", kind="school", region_code="370100"))
    make_user("judge", username="insider", org=company)
    login(client, "committee")
    response = post_form(client, "/contests/new", {
        "title": "聊城市劳动关系协调员技能竞赛", "tier": "city", "level": "4",
        "registration_closes_at": "2099-01-01T12:00", "award_mode": "ratio", "first": "0.1", "second": "0.2",
        "third": "0.3", "aggregation": "auto",
        "items-0-name": "理论", "items-0-kind": "theory", "items-0-weight": "30", "items-0-criteria": "客观题:100",
        "items-1-name": "案例分析", "items-1-kind": "practical", "items-1-weight": "70",
        "items-1-criteria": "事实认定:40\n法律适用：60"})
    assert response.status_code == 302
    competition = db.session.execute(select(Competition)).scalar_one()
    assert [c.max_points for c in competition.items[1].criteria] == [40, 60]
    bad = post_form(client, "/contests/new", {"title": "权重不对", "tier": "city", "level": "4",
                                              "registration_closes_at": "2099-01-01T12:00", "award_mode": "ratio",
                                              "aggregation": "auto", "items-0-name": "理论", "items-0-kind": "theory",
                                              "items-0-weight": "50", "items-0-criteria": "客观题:100"},
                    follow_redirects=True)
    assert "权重之和应为 100" in bad.get_data(as_text=True)

    trainee = app.test_client()
    login(trainee, "p1")
    post_form(trainee, f"/contests/{competition.id}/register", {"work_years": "3"}, token_from="/contests/")
    registration = db.session.execute(select(Registration)).scalar_one()
    assert registration.status == "pending"
    detail = f"/contests/{competition.id}"
    post_form(client, f"/contests/registrations/{registration.id}/approve", {}, token_from=detail)
    refused = post_form(client, f"/contests/{competition.id}/judges", {"username": "insider", "item_index": "1"},
                        token_from=detail, follow_redirects=True)
    assert "回避" in refused.get_data(as_text=True)
    for index in ("0", "1"):
        post_form(client, f"/contests/{competition.id}/judges", {"username": "j1", "item_index": index},
                  token_from=detail)
    post_form(client, f"/contests/{competition.id}/draw", {}, token_from=detail)
    db.session.expire_all()
    code = db.session.get(Registration, registration.id).contestant_code
    assert code.startswith("C")

    judge = app.test_client()
    login(judge, "j1")
    page = judge.get("/contests/judging").get_data(as_text=True)
    assert code in page and "选手甲" not in page
    sheets = db.session.execute(select(JudgingSheet).order_by(JudgingSheet.item_id)).scalars().all()
    theory, practical = sheets
    crit = competition.items[1].criteria
    post_form(judge, f"/contests/judging/sheets/{theory.id}", {
        "version": str(theory.version), f"score-{competition.items[0].criteria[0].id}": "88", "submit_sheet": "1"},
        token_from="/contests/judging")
    saved = post_form(judge, f"/contests/judging/sheets/{practical.id}", {
        "version": "1", f"score-{crit[0].id}": "30", f"score-{crit[1].id}": "50", "submit_sheet": "0"},
        token_from="/contests/judging")
    assert saved.status_code == 302
    stale = post_form(judge, f"/contests/judging/sheets/{practical.id}", {
        "version": "1", f"score-{crit[0].id}": "10", "submit_sheet": "0"}, token_from="/contests/judging",
        follow_redirects=True)
    assert "已在别处被修改" in stale.get_data(as_text=True)
    stale_for_script = judge.post(f"/contests/judging/sheets/{practical.id}", data={
        "csrf_token": csrf_token(judge, "/contests/judging"), "version": "1", f"score-{crit[0].id}": "10",
        "submit_sheet": "0"}, headers={"Accept": "application/json"})
    assert stale_for_script.status_code == 409 and "已在别处被修改" in stale_for_script.get_json()["message"]
    over = post_form(judge, f"/contests/judging/sheets/{practical.id}", {
        "version": "2", f"score-{crit[0].id}": "41", "submit_sheet": "0"}, token_from="/contests/judging",
        follow_redirects=True)
    assert "应在 0 到 40" in over.get_data(as_text=True)
    post_form(judge, f"/contests/judging/sheets/{practical.id}", {"version": "2", "submit_sheet": "1"},
              token_from="/contests/judging")
    results = client.get(detail).get_data(as_text=True)
    assert "选手甲" in results and "82.4" in results  # 88×0.3 + 80/100×70
    post_form(client, f"/contests/{competition.id}/publish", {}, token_from=detail)
    # during the notice period (appeals may still come) no award certificate is issued
    early = post_form(client, f"/contests/{competition.id}/certificates", {}, token_from=detail, follow_redirects=True)
    assert "结果确定后才能签发获奖证书" in early.get_data(as_text=True)
    assert "签发获奖证书（结果确定后）" in early.get_data(as_text=True)
    db.session.expire_all()
    published = db.session.get(Competition, competition.id)
    published.published_at -= timedelta(days=published.notice_days + 1)
    finalize(published)
    db.session.commit()
    done = post_form(client, f"/contests/{competition.id}/certificates", {}, token_from=detail, follow_redirects=True)
    assert "已签发 1 张获奖证书" in done.get_data(as_text=True)
