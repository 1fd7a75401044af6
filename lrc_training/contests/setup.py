"""Setting up a competition: items and criteria, eligibility, registration, judges (no conflicts of interest)
and the draw of anonymous contestant codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ..auth.models import Organization, User
from ..auth.roles import ADMIN, JUDGE, ORG_STAFF, TRAINEE
from ..certificates.issuing import highest_level_of
from ..core.audit import record_audit
from ..core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ..core.notifications import notify
from ..db import utcnow
from ..extensions import db
from .models import TIERS, Competition, CompetitionItem, Criterion, JudgeAssignment, JudgingSheet, Registration


class Ineligible(DomainError):
    status = 422
    code = "ineligible"


@dataclass
class CompetitionInput:
    title: str
    tier: str
    level: int
    registration_closes_at: datetime
    items: list[dict]
    award_ratios: dict = field(default_factory=lambda: {"first": 0.1, "second": 0.2, "third": 0.3})
    award_mode: str = "ratio"
    aggregation: str = "auto"
    eligibility: dict = field(default_factory=dict)
    notice_days: int = 5


def _dec(value, where: str, errors: dict, low: Decimal, high: Decimal) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[where] = "应为数字"
        return None
    if not (low <= number <= high) or number.as_tuple().exponent < -2:
        errors[where] = f"应在 {low} 到 {high} 之间，最多两位小数"
        return None
    return number


def _validate(data: CompetitionInput) -> list[dict]:
    errors: dict[str, str] = {}
    if not (data.title or "").strip() or len(data.title) > 200:
        errors["title"] = "竞赛名称不能为空且不超过 200 个字符"
    if data.tier not in TIERS:
        errors["tier"] = "级别应为 city、provincial 或 national"
    if data.level not in (1, 2, 3, 4):
        errors["level"] = "标准等级应为 1–4"
    elif data.tier == "provincial" and data.level > 3:
        errors["level"] = "省级竞赛以三级（高级工）及以上为标准"
    if data.award_mode not in ("ratio", "national"):
        errors["award_mode"] = "奖项规则应为 ratio 或 national"
    if data.aggregation not in ("auto", "mean", "trimmed", "median"):
        errors["aggregation"] = "汇总方式应为 auto、mean、trimmed 或 median"
    ratios = data.award_ratios or {}
    if set(ratios) - {"first", "second", "third"} or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in ratios.values()):
        errors["award_ratios"] = "获奖比例应为 first/second/third，取值 0 到 1"
    elif sum(ratios.values()) > 1:
        errors["award_ratios"] = "获奖比例之和不能超过 1"
    items = []
    if not isinstance(data.items, list) or not data.items:
        errors["items"] = "至少需要一个竞赛项目"
    else:
        total = Decimal("0")
        for index, raw in enumerate(data.items):
            where = f"items[{index}]"
            name = (raw.get("name") or "").strip() if isinstance(raw, dict) else ""
            if not name or len(name) > 100 or raw.get("kind") not in ("theory", "practical"):
                errors[where] = "项目需要名称（不超过 100 字）和类型 theory/practical"
                continue
            weight = _dec(raw.get("weight"), f"{where}.weight", errors, Decimal("0.01"), Decimal("100"))
            criteria = raw.get("criteria") or []
            if not isinstance(criteria, list) or not criteria:
                errors[f"{where}.criteria"] = "每个项目至少需要一条评分标准"
                continue
            clean_criteria = []
            for c_index, criterion in enumerate(criteria):
                c_where = f"{where}.criteria[{c_index}]"
                c_name = (criterion.get("name") or "").strip() if isinstance(criterion, dict) else ""
                points = _dec(criterion.get("max_points") if isinstance(criterion, dict) else None,
                              c_where, errors, Decimal("0.5"), Decimal("1000"))
                if not c_name or len(c_name) > 100:
                    errors[c_where] = "评分标准需要名称"
                elif points is not None:
                    clean_criteria.append({"name": c_name, "max_points": points})
            if weight is not None:
                total += weight
                items.append({"name": name, "kind": raw["kind"], "weight": weight, "criteria": clean_criteria})
        if not any(k.startswith("items") for k in errors) and total != 100:
            errors["items"] = f"各项目权重之和应为 100（当前 {total}）"
    eligibility = data.eligibility or {}
    if not isinstance(eligibility, dict) or set(eligibility) - {"min_level", "min_work_years", "regions",
                                                                   "quota_per_organization"}:
        errors["eligibility"] = "报名条件只支持 min_level、min_work_years、regions、quota_per_organization"
    if errors:
        raise ValidationFailed("竞赛设置有误：" + "；".join(errors.values()), errors)
    return items


def create_competition(actor, data: CompetitionInput) -> Competition:
    if not actor.has_role(ORG_STAFF) or actor.organization_id is None:
        raise Forbidden("只有竞赛组委会（机构工作人员）可以创建竞赛")
    items = _validate(data)
    competition = Competition(
        organization_id=actor.organization_id, title=data.title.strip(), tier=data.tier, level=data.level,
        registration_closes_at=data.registration_closes_at, award_mode=data.award_mode,
        award_ratios=data.award_ratios, aggregation=data.aggregation, eligibility=data.eligibility or {},
        notice_days=data.notice_days, state="registration")
    for position, item in enumerate(items):
        competition.items.append(CompetitionItem(
            position=position, name=item["name"], kind=item["kind"], weight=item["weight"],
            criteria=[Criterion(position=i, name=c["name"], max_points=c["max_points"])
                      for i, c in enumerate(item["criteria"])]))
    db.session.add(competition)
    db.session.flush()
    competition.number_prefix = f"{utcnow().year}JS{competition.id:04d}-"
    record_audit("competition.create", "competition", competition.id,
                 new={"title": competition.title, "tier": competition.tier, "items": len(items)})
    return competition


def is_committee(actor, competition: Competition) -> bool:
    return actor is not None and (actor.has_role(ADMIN) or (
        actor.has_role(ORG_STAFF) and actor.organization_id == competition.organization_id))


def get_competition_for_committee(actor, competition_id: int) -> Competition:
    competition = db.session.get(Competition, competition_id)
    if competition is None or not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    return competition


def check_eligibility(competition: Competition, user: User, work_years=None) -> None:
    rules = competition.eligibility or {}
    if "min_level" in rules:
        held = highest_level_of(user.id)
        if held is None or held > int(rules["min_level"]):
            raise Ineligible(f"报名需持有{rules['min_level']}级或更高等级的职业技能等级证书",
                             {"eligibility": "证书等级不足"})
    if "min_work_years" in rules and Decimal(str(work_years or 0)) < Decimal(str(rules["min_work_years"])):
        raise Ineligible(f"报名需从事本职业工作满 {rules['min_work_years']} 年", {"eligibility": "工作年限不足"})
    org = db.session.get(Organization, user.organization_id) if user.organization_id else None
    if rules.get("regions"):
        if org is None or not any(org.region_code.startswith(str(r).rstrip("0") or str(r)) for r in rules["regions"]):
            raise Ineligible("所在单位不在本竞赛的报名地区范围内", {"eligibility": "地区不符"})
    if rules.get("quota_per_organization") and org is not None:
        used = db.session.execute(select(func.count()).where(
            Registration.competition_id == competition.id, Registration.organization_id == org.id,
            Registration.status != "rejected")).scalar_one()
        if used >= int(rules["quota_per_organization"]):
            raise Ineligible(f"{org.name} 的报名名额（{rules['quota_per_organization']} 人）已满",
                             {"eligibility": "单位名额已满"})


def register(actor, competition_id: int, user_id: int, work_years=None) -> Registration:
    """A trainee registers themself (pending); the committee's staff register someone (approved)."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise NotFound("竞赛不存在")
    committee = is_committee(actor, competition)
    if not committee and not (actor.has_role(TRAINEE) and actor.id == user_id):
        raise Forbidden("学员只能为本人报名")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    if competition.state != "registration" or utcnow() > competition.registration_closes_at:
        raise ValidationFailed("报名已截止", {"competition": "报名已截止"}, code="closed")
    if db.session.execute(select(Registration.id).where(
            Registration.competition_id == competition.id, Registration.user_id == user.id)).scalar():
        raise Conflict("已报名该竞赛", {"user_id": "不能重复报名"}, code="duplicate")
    check_eligibility(competition, user, work_years)
    registration = Registration(competition_id=competition.id, user_id=user.id, organization_id=user.organization_id,
                                status="approved" if committee else "pending", registered_by_id=actor.id)
    db.session.add(registration)
    db.session.flush()
    record_audit("competition.register", "competition_registration", registration.id,
                 new={"user_id": user.id, "status": registration.status})
    return registration


def decide_registration(actor, registration: Registration, approve: bool, reason: str | None = None) -> Registration:
    competition = db.session.get(Competition, registration.competition_id)
    if not is_committee(actor, competition):
        raise NotFound("报名记录不存在")
    if registration.status != "pending":
        raise Conflict("该报名已审核", {"status": "已审核"}, code="wrong_state")
    registration.status = "approved" if approve else "rejected"
    registration.decision_reason = (reason or "").strip() or None
    db.session.flush()
    record_audit("competition.registration_" + ("approve" if approve else "reject"), "competition_registration",
                 registration.id, old={"status": "pending"}, new={"status": registration.status}, reason=reason)
    notify(registration.user_id, f"竞赛报名{'已通过' if approve else '未通过'}：{competition.title}",
           registration.decision_reason)
    return registration


def assign_judge(actor, competition: Competition, user_id: int, item_index: int) -> JudgeAssignment:
    """Add a judge to an item's panel; refused when the judge works where any contestant works."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    item = next((i for i in competition.items if i.position == item_index), None)
    if item is None:
        raise ValidationFailed("竞赛项目不存在", {"item_index": "竞赛项目不存在"})
    judge = db.session.get(User, user_id)
    if judge is None or not judge.has_role(JUDGE):
        raise ValidationFailed("该用户不是裁判员", {"user_id": "该用户不是裁判员"})
    if judge.organization_id is not None and db.session.execute(select(Registration.id).where(
            Registration.competition_id == competition.id, Registration.status != "rejected",
            Registration.organization_id == judge.organization_id)).scalar():
        raise ValidationFailed("回避：该裁判员与参赛选手属于同一单位", {"user_id": "与参赛选手同一单位，须回避"},
                               code="conflict_of_interest")
    if db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.item_id == item.id, JudgeAssignment.user_id == judge.id)).scalar():
        raise Conflict("该裁判员已在本项目裁判组中", {"user_id": "已在裁判组中"}, code="duplicate")
    assignment = JudgeAssignment(competition_id=competition.id, item_id=item.id, user_id=judge.id)
    db.session.add(assignment)
    db.session.flush()
    record_audit("competition.assign_judge", "competition", competition.id,
                 new={"judge_id": judge.id, "item_index": item_index})
    notify(judge.id, f"裁判任务：{competition.title}", f"您被安排为“{item.name}”项目的裁判员。")
    return assignment


def draw(actor, competition: Competition) -> list[Registration]:
    """Give every approved contestant a random code (and a station number for practical items)."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    started = db.session.execute(select(func.count()).select_from(JudgingSheet).join(
        CompetitionItem, CompetitionItem.id == JudgingSheet.item_id).where(
        CompetitionItem.competition_id == competition.id, JudgingSheet.version > 1)).scalar_one()
    if started or competition.state in ("published", "final"):
        raise Conflict("评分已开始，不能重新抽签", {"competition": "评分已开始"}, code="scoring_started")
    approved = list(db.session.execute(select(Registration).where(
        Registration.competition_id == competition.id, Registration.status == "approved")).scalars())
    rng = secrets.SystemRandom()
    codes = rng.sample(range(1, 1000 * max(1, len(approved))), len(approved))
    stations = rng.sample(range(1, len(approved) + 1), len(approved))
    for registration in approved:
        registration.contestant_code = None
    db.session.flush()
    for registration, code, station in zip(approved, codes, stations, strict=True):
        registration.contestant_code = f"C{code:05d}"
        registration.station_number = f"{station:03d}"
    competition.state = "drawn"
    db.session.flush()
    record_audit("competition.draw", "competition", competition.id, new={"contestants": len(approved)})
    return approved
