"""A small world for selection tests: 聊城市人社局 (371500) runs a round; two enterprises of the city nominate;
青岛 (370200) is another scope; reviewers with and without an organization."""

from __future__ import annotations

from datetime import timedelta

from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.selection.schemas import RoundIn
from lrc_training.registry.selection.services.rounds import create_round, move_round
from lrc_training.registry.services.work import add_work_record
from tests.factories import make_org, make_user


def build_world() -> dict:
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    orgs = {
        "hrss": make_org("聊城市人社局", kind="hrss", region_code="371500"),
        "hrss_qd": make_org("青岛市人社局", kind="hrss", region_code="370200"),
        "e1": make_org("东昌府企业甲", kind="enterprise", region_code="371502"),
        "e2": make_org("阳谷企业乙", kind="enterprise", region_code="371521"),
        "e_qd": make_org("青岛企业丙", kind="enterprise", region_code="370211"),
        "union": make_org("聊城市总工会", kind="union", region_code="371500"),
    }
    w: dict = {f"org_{k}": v for k, v in orgs.items()}
    staff = {"hrss": "hrss", "hrss_qd": "hrss_qd", "e1staff": "e1", "e2staff": "e2", "qdstaff": "e_qd",
             "unionstaff": "union"}
    for username, org in staff.items():
        w[username] = make_user("org_staff", username=username, org=orgs[org])
    for username, name, org in (("c1", "张三丰", "e1"), ("c2", "李四", "e1"), ("c3", "王五", "e1"),
                                ("d1", "赵六", "e2"), ("q1", "钱七", "e_qd")):
        w[username] = make_user("trainee", username=username, name=name, org=orgs[org])
        issue_certificate(IssueRequest(kind="level", holder_name=name, holder_user_id=w[username].id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=3))
    w["r1"] = make_user("examiner", username="r1", name="评审甲")
    w["r2"] = make_user("trainee", username="r2", name="评审乙", org=orgs["e1"])  # works where c1..c3 work
    w["r3"] = make_user("examiner", username="r3", name="评审丙")
    w["admin"] = make_user("admin", username="admin")
    db.session.commit()
    add_work_record(w["hrss"], w["c1"].id, kind="mediation", occurred_on=local_today(), enterprise_id=orgs["e1"].id,
                    summary="调解一起工资争议", people=12)
    db.session.commit()
    return w


def round_input(**overrides) -> RoundIn:
    now = utcnow()
    values = {"title": "金牌劳动关系协调员", "kind": "person", "standard": "从事协调工作三年以上，成效突出", "quota": 2,
              "per_org_limit": 2, "nomination_deadline": now + timedelta(days=7),
              "review_deadline": now + timedelta(days=14), "notice_days": 5}
    values.update(overrides)
    return RoundIn(**values)


def open_round(w: dict, **overrides):
    rnd = create_round(w["hrss"], round_input(**overrides))
    move_round(w["hrss"], rnd.id, "open")
    db.session.commit()
    return rnd


def pass_deadline(rnd, field: str = "nomination_deadline") -> None:
    setattr(rnd, field, utcnow() - timedelta(minutes=1))
    db.session.commit()
