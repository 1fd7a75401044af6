"""Setting up an exam session (认定批次): window, parts, pass marks and the blueprint (双向细目表),
checked against the question bank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ...auth.models import User
from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...auth.services.accreditation import require_accreditation
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...core.levels import LEVEL_NAMES
from ...core.loading import get_allowed
from ...db import utcnow
from ...extensions import db
from ..models import LEVEL_PARTS, PARTS, QUESTION_KINDS, Application, Attempt, ExamSession, Question
from .preparation import discard_papers

DEFAULT_PARTS = {level: list(parts) for level, parts in LEVEL_PARTS.items()}
ALLOWED_KINDS = {4: ("single", "true_false"), 3: ("single", "multiple", "true_false"),
                 2: tuple(QUESTION_KINDS), 1: tuple(QUESTION_KINDS)}


@dataclass
class SessionInput:
    title: str
    level: int
    opens_at: datetime
    closes_at: datetime
    duration_minutes: int = 90
    blueprint: list[dict] = field(default_factory=list)
    pass_mark: object = 60
    applications_close_at: datetime | None = None
    parts: list[str] | None = None
    partial_credit: bool = False
    examiners_per_paper: int = 3
    arbitration_share: object = "0.20"
    allow_review: bool = True
    part_validity_years: int = 2


def _number(value, field_name: str, errors: dict, low: Decimal, high: Decimal) -> Decimal | None:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[field_name] = "应为数字"
        return None
    if not (low <= number <= high):
        errors[field_name] = f"应在 {low} 到 {high} 之间"
        return None
    return number


def _clean_blueprint(level: int, rows, errors: dict) -> list[dict]:
    if not isinstance(rows, list) or not rows:
        errors["blueprint"] = "双向细目表不能为空"
        return []
    clean = []
    for index, row in enumerate(rows):
        where = f"blueprint[{index}]"
        if not isinstance(row, dict):
            errors[where] = "每行应为对象"
            continue
        kind, count, code = row.get("kind"), row.get("count"), row.get("function_code")
        if kind not in ALLOWED_KINDS[level]:
            allowed = "、".join(QUESTION_KINDS[k] for k in ALLOWED_KINDS[level])
            errors[where] = f"{LEVEL_NAMES.get(level, level)}理论考试的题型只能是：{allowed}"
            continue
        if not isinstance(count, int) or isinstance(count, bool) or not (1 <= count <= 500):
            errors[where] = "题量应为 1 到 500 的整数"
            continue
        if not isinstance(code, str) or not code:
            errors[where] = "缺少职业功能代码"
            continue
        points = _number(row.get("points_each"), where, errors, Decimal("0.5"), Decimal("100"))
        difficulty = row.get("difficulty")
        if difficulty is not None and (not isinstance(difficulty, int) or not 1 <= difficulty <= 5):
            errors[where] = "难度应为 1 到 5"
            continue
        if points is not None:
            clean.append({"function_code": code, "kind": kind, "count": count, "points_each": float(points),
                          **({"difficulty": difficulty} if difficulty is not None else {})})
    return clean


def bank_shortfalls(organization_id: int, level: int, blueprint: list[dict]) -> dict[str, str]:
    """Rows the bank cannot fill: {blueprint[i]: reason}. Rows asking for the same pool add up."""
    demand: dict[tuple, int] = defaultdict(int)
    for row in blueprint:
        demand[(row["function_code"], row["kind"], row.get("difficulty"))] += row["count"]
    problems = {}
    for index, row in enumerate(blueprint):
        key = (row["function_code"], row["kind"], row.get("difficulty"))
        stmt = select(func.count()).where(
            Question.organization_id == organization_id, Question.level == level, Question.active.is_(True),
            Question.function_code == row["function_code"], Question.kind == row["kind"])
        if row.get("difficulty") is not None:
            stmt = stmt.where(Question.difficulty == row["difficulty"])
        available = db.session.execute(stmt).scalar_one()
        if available < demand[key]:
            problems[f"blueprint[{index}]"] = (f"题库中 {row['function_code']} 的{QUESTION_KINDS[row['kind']]}只有 "
                                               f"{available} 道，需要 {demand[key]} 道")
    return problems


def _require_staff(actor) -> int:
    if not actor.has_role(ORG_STAFF):
        raise Forbidden("只有评价机构工作人员可以设置认定批次")
    if actor.organization_id is None:
        raise ValidationFailed("您的账号尚未归属评价机构", {"organization_id": "未归属机构"})
    return actor.organization_id


def _validate(org_id: int, data: SessionInput) -> dict:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "批次名称不能为空且不超过 200 个字符"
    if data.level not in (1, 2, 3, 4):
        errors["level"] = "等级应为 4、3、2 或 1"
        return errors  # the rest depends on the level
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        errors["closes_at"] = "结束时间应晚于开始时间"
    if not isinstance(data.duration_minutes, int) or not (10 <= data.duration_minutes <= 600):
        errors["duration_minutes"] = "考试时长应为 10 到 600 分钟"
    elif data.opens_at and data.closes_at and data.closes_at - data.opens_at < timedelta(minutes=data.duration_minutes):
        errors["duration_minutes"] = "考试窗口短于考试时长"
    pass_mark = _number(data.pass_mark, "pass_mark", errors, Decimal("1"), Decimal("100"))
    share = _number(data.arbitration_share, "arbitration_share", errors, Decimal("0.01"), Decimal("1"))
    parts = data.parts or DEFAULT_PARTS[data.level]
    if "theory" not in parts or any(p not in PARTS for p in parts) or len(set(parts)) != len(parts):
        errors["parts"] = "考核部分应包含理论知识考试，且只能是 theory、practical、review"
    if not isinstance(data.part_validity_years, int) or isinstance(data.part_validity_years, bool) or not (
            1 <= data.part_validity_years <= 5):
        errors["part_validity_years"] = "已通过部分的有效期应为 1 到 5 年"
    if not isinstance(data.examiners_per_paper, int) or data.examiners_per_paper not in (1, 3, 5, 7):
        errors["examiners_per_paper"] = "每份试卷的考评员人数应为奇数（1、3、5、7）"
    blueprint = _clean_blueprint(data.level, data.blueprint, errors)
    if blueprint and "blueprint" not in errors and not any(k.startswith("blueprint[") for k in errors):
        errors.update(bank_shortfalls(org_id, data.level, blueprint))
    closes_apps = data.applications_close_at or data.closes_at
    if closes_apps and data.closes_at and closes_apps > data.closes_at:
        errors["applications_close_at"] = "报名截止时间不能晚于考试结束时间"
    if errors:
        raise ValidationFailed("认定批次设置有误：" + "；".join(errors.values()), errors)
    return {"title": title, "level": data.level, "opens_at": data.opens_at, "closes_at": data.closes_at,
            "applications_close_at": closes_apps, "duration_minutes": data.duration_minutes, "pass_mark": pass_mark,
            "practical_pass_mark": pass_mark, "review_pass_mark": pass_mark, "parts": parts, "blueprint": blueprint,
            "partial_credit": bool(data.partial_credit), "examiners_per_paper": data.examiners_per_paper,
            "arbitration_share": share, "allow_review": bool(data.allow_review),
            "part_validity_years": data.part_validity_years}


def _require_accreditation(org_id: int, level) -> None:
    """Only an organization whose filing (备案) covers the level and is valid today sets up its assessment
    (403 not_accredited)."""
    if level in (1, 2, 3, 4):
        require_accreditation(org_id, level)


def create_session(actor, data: SessionInput) -> ExamSession:
    org_id = _require_staff(actor)
    _require_accreditation(org_id, data.level)
    session = ExamSession(organization_id=org_id, state="open", **_validate(org_id, data))
    db.session.add(session)
    db.session.flush()
    record_audit("exam_session.create", "exam_session", session.id,
                 new={"title": session.title, "level": session.level, "blueprint": session.blueprint})
    return session


def update_session(actor, session: ExamSession, data: SessionInput, *, version: int) -> ExamSession:
    _require_staff(actor)
    session.ensure_not_published()
    if version != session.version:
        raise Conflict("认定批次已被他人修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version")
    started = db.session.execute(select(func.count()).select_from(Attempt).join(Application).where(
        Application.session_id == session.id)).scalar_one()
    if data.level != session.level:
        _require_accreditation(session.organization_id, data.level)
    clean = _validate(session.organization_id, data)
    if started and (clean["blueprint"] != session.blueprint or clean["level"] != session.level):
        raise Conflict("已有考生开始答题，不能再修改等级或双向细目表", {"blueprint": "已有考生开始答题"},
                       code="wrong_state")
    old = {"title": session.title, "opens_at": session.opens_at, "closes_at": session.closes_at}
    redraw = any(clean[key] != getattr(session, key) for key in ("blueprint", "level", "parts"))
    for key, value in clean.items():
        setattr(session, key, value)
    db.session.flush()
    if redraw:  # papers drawn ahead no longer follow the session: the preparation job draws them again
        discard_papers(session)
    record_audit("exam_session.update", "exam_session", session.id, old=old,
                 new={"title": session.title, "opens_at": session.opens_at, "closes_at": session.closes_at})
    return session


def set_chief_examiner(actor, session: ExamSession, user_id: int) -> None:
    _require_staff(actor)
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(EXAMINER) or user.organization_id != session.organization_id:
        raise ValidationFailed("主考评员须为本机构的考评员", {"chief_examiner": "须为本机构的考评员"})
    session.chief_examiner_id = user.id
    record_audit("exam_session.chief_examiner", "exam_session", session.id, new={"chief_examiner_id": user.id})


def get_session_for_staff(actor, session_id: int) -> ExamSession:
    return get_allowed(ExamSession, session_id, lambda session: actor.has_role(ADMIN) or (
        actor.has_role(ORG_STAFF) and actor.organization_id == session.organization_id), "认定批次不存在")


def visible_sessions(actor):
    stmt = select(ExamSession).order_by(ExamSession.opens_at.desc())
    if actor.has_role(ADMIN):
        return stmt
    return stmt.where(ExamSession.organization_id == (actor.organization_id or -1))


def open_sessions():
    """Sessions trainees can apply to."""
    return (select(ExamSession).where(ExamSession.state == "open", ExamSession.applications_close_at > utcnow())
            .order_by(ExamSession.opens_at))

