"""The occupation is 劳动关系协调师 (2022 classification, code 4-07-03-02); the workforce in the registry is
劳动关系协调员. Both are settings; certificates, pages and PDFs follow them."""

import io
from datetime import date

from pypdf import PdfReader

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, reissue
from lrc_training.certificates.services.rendering import render_certificate
from lrc_training.extensions import db
from tests.conftest import login
from tests.factories import make_org, make_user


def _text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _level_certificate(org, holder=None, **extra):
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=holder.name if holder else "刘建国", holder_user_id=holder.id if holder else None,
        issuer_organization_id=org.id, source_type="manual", level=3, issued_on=date(2026, 3, 5), **extra))
    db.session.commit()
    return cert


def test_a_level_certificate_prints_the_occupation_name_2022():
    cert = _level_certificate(make_org("聊城市职业技能等级认定中心", kind="evaluator"))
    assert cert.occupation == "劳动关系协调师"
    text = _text(render_certificate(cert))
    assert "职业名称劳动关系协调师" in text
    assert "协调员" not in text


def test_a_corrected_certificate_carries_todays_name_even_when_the_old_one_did_not():
    org = make_org("聊城市职业技能等级认定中心", kind="evaluator")
    old = _level_certificate(org, occupation="劳动关系协调员")  # issued before the fix
    new = reissue(old, "职业名称更正")
    db.session.commit()
    assert new.occupation == "劳动关系协调师" and "职业名称劳动关系协调师" in _text(render_certificate(new))


def test_the_names_are_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LRC_OCCUPATION_NAME", "测试职业师")
    monkeypatch.setitem(app.config, "LRC_WORKFORCE_NAME", "测试队伍员")
    org = make_org("聊城市职业技能等级认定中心", kind="evaluator")
    assert "职业名称测试职业师" in _text(render_certificate(_level_certificate(org)))
    make_user("admin", username="boss")
    login(client, "boss")
    assert "测试队伍员统计" in client.get("/registry/").get_data(as_text=True)
    assert "测试职业师培训认证平台</title>" in client.get("/registry/").get_data(as_text=True)


def test_the_site_is_named_after_the_occupation_and_the_registry_after_the_workforce(client):
    city = make_org("聊城市人社局", kind="platform", region_code="371500")
    make_user("org_staff", username="citystaff", org=city)
    home = client.get("/").get_data(as_text=True)
    assert "<title>首页 · 劳动关系协调师培训认证平台</title>" in home and "职业编码 4-07-03-02" in home
    login(client, "citystaff")
    dashboard = client.get("/registry/").get_data(as_text=True)
    assert "<h1 class=\"h3 mb-0\">劳动关系协调员统计" in dashboard
    assert "· 劳动关系协调师培训认证平台</title>" in dashboard  # the site stays the occupation's
    assert "劳动关系协调员名单" in client.get("/registry/list").get_data(as_text=True)
