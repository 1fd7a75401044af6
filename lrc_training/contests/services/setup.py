"""Setting up a competition: items and criteria, eligibility, registration, judges (no conflicts of interest)
and the draw of anonymous contestant codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ...auth.models import Organization, User
from ...auth.roles import ADMIN, JUDGE, ORG_STAFF, TRAINEE
from ...certificates.queries import highest_level_of
from ...core.audit import record_audit
from ...core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.regions import in_region, region_display, region_scope
from ...db import utcnow
from ...exams.queries import session_owner_and_parts, theory_sessions_of
from ...extensions import db
from ..models import (
    AWARD_LABELS,
    STAGES,
    TIE_BREAKS,
    TIERS,
    Competition,
    CompetitionItem,
    Criterion,
    JudgeAssignment,
    JudgingSheet,
    Registration,
)
from .duties import require_may_change, require_no_other_duty
from .eligibility import eligibility_errors, stored_rules


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
    stage: str = "single"
    advance_count: int | None = None
    tie_break: list = field(default_factory=lambda: ["practical", "theory"])
    appeal_hours: int = 2
    promotion_awards: list = field(default_factory=list)
    promotion_requires_certificate: bool = True
    honor_top_n: int = 0
    honor_title: str = "技术能手"
    registration_opens_at: datetime | None = None
    venue: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


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


def _exam_item_error(kind: str, exam_session_id, organization_id: int | None) -> str | None:
    """A theory item scored by an online exam: the session must be the committee's own."""
    if kind != "theory":
        return "只有理论项目可以由在线考试计分"
    session = session_owner_and_parts(exam_session_id) if isinstance(exam_session_id, int) else None
    if session is None or session[0] != organization_id:
        return "考试场次不存在或不属于本机构"
    if "theory" not in session[1]:
        return "该考试场次没有理论知识考试"
    return None


def _validate_rules(data: CompetitionInput, errors: dict) -> None:
    """Stage, tie-break, appeal window and rewards."""
    if data.stage not in STAGES:
        errors["stage"] = "赛段应为 single、preliminary 或 final"
    if data.advance_count is not None and (not isinstance(data.advance_count, int) or not 1 <= data.advance_count <= 10000):
        errors["advance_count"] = "晋级人数应为 1 到 10000"
    if data.stage == "preliminary" and not data.advance_count:
        errors["advance_count"] = "初赛需要填写晋级决赛的人数"
    if not isinstance(data.tie_break, list) or len(set(data.tie_break)) != len(data.tie_break) or \
            set(data.tie_break) - set(TIE_BREAKS):
        errors["tie_break"] = "同分比较顺序只能包含 practical、theory，且不重复"
    if not isinstance(data.appeal_hours, int) or not 0 < data.appeal_hours <= 240:
        errors["appeal_hours"] = "申诉时限应为 1 到 240 小时"
    if not isinstance(data.notice_days, int) or not 0 <= data.notice_days <= 30:
        errors["notice_days"] = "公示期应为 0 到 30 天"
    if not isinstance(data.promotion_awards, list) or set(data.promotion_awards) - set(AWARD_LABELS):
        errors["promotion_awards"] = "晋级奖项应为 " + "、".join(AWARD_LABELS)
    if not isinstance(data.promotion_requires_certificate, bool):
        errors["promotion_requires_certificate"] = "应为 true 或 false"
    if not isinstance(data.honor_top_n, int) or not 0 <= data.honor_top_n <= 1000:
        errors["honor_top_n"] = "技术能手人数应为 0 到 1000"
    if not (data.honor_title or "").strip() or len(data.honor_title) > 100:
        errors["honor_title"] = "荣誉称号不能为空且不超过 100 个字符"
    if data.venue is not None and len(data.venue) > 200:
        errors["venue"] = "比赛地点不超过 200 个字符"
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if data.registration_opens_at and data.registration_opens_at >= data.registration_closes_at:
        errors["registration_opens_at"] = "报名开始时间应早于报名截止时间"


def _validate(data: CompetitionInput, organization_id: int | None = None) -> list[dict]:
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
            exam_session_id = raw.get("exam_session_id")
            if exam_session_id is not None:
                reason = _exam_item_error(raw["kind"], exam_session_id, organization_id)
                if reason:
                    errors[f"{where}.exam_session_id"] = reason
                elif weight is not None:
                    total += weight
                    items.append({"name": name, "kind": "theory", "weight": weight, "criteria": [],
                                  "exam_session_id": int(exam_session_id)})
                continue
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
    errors.update(eligibility_errors(data.eligibility or {}))
    _validate_rules(data, errors)
    if errors:
        raise ValidationFailed("竞赛设置有误：" + "；".join(errors.values()), errors)
    return items


# Who may organize which tier. Competitions are organized by the human-resources departments, the unions,
# the employer organizations and the federations of industry and commerce (the tripartite bodies), or run by an
# evaluation organization; their scope limits the tier: a national body (Organization.national) any tier, a
# province-level body provincial and city, a city-level body city only. Enterprises, schools, platforms,
# associations, mediation bodies, law firms, other social organizations and county-level bodies organize none.
ORGANIZER_KINDS = ("hrss", "union", "employer_org", "federation", "evaluator")
_TIER_SCOPES = {"national": ("national",), "provincial": ("national", "province"),
                "city": ("national", "province", "city")}


def organizer_scope(org: Organization) -> str:
    """national, province, city or local (county and below)."""
    if org.national:
        return "national"
    return {2: "province", 4: "city"}.get(len(region_scope(org.region_code)), "local")


def allowed_tiers(org: Organization | None) -> list[str]:
    if org is None or not org.active or org.kind not in ORGANIZER_KINDS:
        return []
    scope = organizer_scope(org)
    return [tier for tier in TIERS if scope in _TIER_SCOPES[tier]]


def check_tier(org: Organization | None, tier: str) -> None:
    """403 when the organization may not organize a competition of this tier."""
    if tier not in TIERS or tier in allowed_tiers(org):
        return
    allowed = allowed_tiers(org)
    if not allowed:
        message = "本机构不能组织职业技能竞赛：竞赛由人社部门、工会、企业代表组织、工商联或评价机构组织（县级以下不组织）"
    else:
        message = (f"本机构只能组织{'、'.join(TIERS[t] for t in allowed)}竞赛；"
                   f"{TIERS[tier]}竞赛须由{'全国性' if tier == 'national' else '省级及以上'}机构组织")
    raise Forbidden(message, {"tier": message}, code="tier_not_allowed")


def create_competition(actor, data: CompetitionInput) -> Competition:
    if not actor.has_role(ORG_STAFF) or actor.organization_id is None:
        raise Forbidden("只有竞赛组委会（机构工作人员）可以创建竞赛")
    check_tier(db.session.get(Organization, actor.organization_id), data.tier)
    items = _validate(data, actor.organization_id)
    competition = Competition(
        organization_id=actor.organization_id, title=data.title.strip(), tier=data.tier, level=data.level,
        registration_closes_at=data.registration_closes_at, award_mode=data.award_mode,
        award_ratios=data.award_ratios, aggregation=data.aggregation, eligibility=data.eligibility or {},
        notice_days=data.notice_days, state="registration", stage=data.stage,
        advance_count=data.advance_count if data.stage == "preliminary" else None, tie_break=list(data.tie_break),
        appeal_hours=data.appeal_hours, promotion_awards=list(data.promotion_awards), honor_top_n=data.honor_top_n,
        promotion_requires_certificate=data.promotion_requires_certificate,
        honor_title=data.honor_title.strip(), registration_opens_at=data.registration_opens_at,
        venue=(data.venue or "").strip() or None, starts_on=data.starts_on, ends_on=data.ends_on)
    for position, item in enumerate(items):
        competition.items.append(CompetitionItem(
            position=position, name=item["name"], kind=item["kind"], weight=item["weight"],
            exam_session_id=item.get("exam_session_id"),
            criteria=[Criterion(position=i, name=c["name"], max_points=c["max_points"])
                      for i, c in enumerate(item["criteria"])]))
    db.session.add(competition)
    db.session.flush()
    competition.number_prefix = f"{utcnow().year}JS{competition.id:04d}-"
    record_audit("competition.create", "competition", competition.id,
                 new={"title": competition.title, "tier": competition.tier, "items": len(items),
                      "promotion_requires_certificate": competition.promotion_requires_certificate})
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
    rules = stored_rules(competition.eligibility)
    if "min_level" in rules:
        held = highest_level_of(user.id)
        if held is None or held > rules["min_level"]:
            raise Ineligible(f"报名需持有{rules['min_level']}级或更高等级的职业技能等级证书",
                             {"eligibility": "证书等级不足"})
    if "min_work_years" in rules and Decimal(str(work_years or 0)) < rules["min_work_years"]:
        raise Ineligible(f"报名需从事本职业工作满 {rules['min_work_years']} 年", {"eligibility": "工作年限不足"})
    org = db.session.get(Organization, user.organization_id) if user.organization_id else None
    if rules.get("regions"):
        if org is None or not any(in_region(org.region_code, region) for region in rules["regions"]):
            raise Ineligible("所在单位不在本竞赛的报名地区范围内", {"eligibility": "地区不符"})
    if rules.get("quota_per_organization") and org is not None:
        used = db.session.execute(select(func.count()).where(
            Registration.competition_id == competition.id, Registration.organization_id == org.id,
            Registration.status != "rejected")).scalar_one()
        if used >= rules["quota_per_organization"]:
            raise Ineligible(f"{org.name} 的报名名额（{rules['quota_per_organization']} 人）已满",
                             {"eligibility": "单位名额已满"})
    if rules.get("quota_per_city") and org is not None:
        city = org.region_code[:4]
        used = db.session.execute(select(func.count()).select_from(Registration).join(
            Organization, Organization.id == Registration.organization_id).where(
            Registration.competition_id == competition.id, Organization.region_code.startswith(city),
            Registration.status != "rejected")).scalar_one()
        if used >= rules["quota_per_city"]:
            raise Ineligible(f"{region_display(city + '00')}的报名名额（{rules['quota_per_city']} 人）已满",
                             {"eligibility": "本市名额已满"})


NOT_REACHABLE = "未找到或不属于本单位"


def person_in_region(user: User, region_code: str) -> bool:
    """The person belongs to the region: their organization is in it, or — without an organization — their home
    region (the first six digits of the ID number, as the registry counts them) is."""
    if user.organization_id is not None:
        org = db.session.get(Organization, user.organization_id)
        return org is not None and in_region(org.region_code, region_code)
    return bool(user.id_number) and in_region(user.id_number[:6], region_code)


def can_register_for(actor, competition: Competition, user: User) -> bool:
    """Whom a staff member may register (and so look up by username or ID number, and see named): an admin
    anyone; anybody their own organization's people; the committee also people of its own region scope (its
    organization's region). Everyone else is "not found or not yours" — the same answer as for nobody at all."""
    if actor.has_role(ADMIN) or actor.id == user.id:
        return True
    if actor.organization_id is not None and user.organization_id == actor.organization_id:
        return True
    if is_committee(actor, competition):
        return person_in_region(user, competition.organization.region_code)
    return False


def register(actor, competition_id: int, user_id: int, work_years=None) -> Registration:
    """A trainee registers themself (pending); an organization's staff register their own people (pending); the
    committee's staff register people of its region (approved). Anyone out of the caller's reach is 404 with the
    same message whether the account exists or not, so the API is no oracle for who has an account."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise NotFound("竞赛不存在")
    committee = is_committee(actor, competition)
    self_service = actor.id == user_id and actor.has_role(TRAINEE)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if not self_service:
        if not (committee or actor.has_role(ORG_STAFF)):
            raise Forbidden("只能为本人报名", {"user_id": "只能为本人报名"})
        if user is None or not can_register_for(actor, competition, user):
            raise NotFound(NOT_REACHABLE, {"user_id": NOT_REACHABLE})
    if competition.state != "registration" or utcnow() > competition.registration_closes_at:
        raise ValidationFailed("报名已截止", {"competition": "报名已截止"}, code="closed")
    if competition.registration_opens_at and utcnow() < competition.registration_opens_at:
        raise ValidationFailed("报名尚未开始", {"competition": "报名尚未开始"}, code="closed")
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
           registration.decision_reason, link="/contests/", kind="competition_registration")
    return registration


def conflict_of_interest(competition: Competition, judge: User) -> bool:
    """The judge works in the same organization as a (not rejected) contestant of the competition."""
    return judge.organization_id is not None and db.session.execute(select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.status != "rejected",
        Registration.organization_id == judge.organization_id)).scalar() is not None


def assign_judge(actor, competition: Competition, user_id: int, item_index: int,
                 is_chief: bool = False) -> JudgeAssignment:
    """Add a judge to an item's panel; refused when the judge works where any contestant works, for oneself,
    for a code keeper or supervisor of the competition, and (but for an admin) once check-in has opened."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    item = next((i for i in competition.items if i.position == item_index), None)
    if item is None:
        raise ValidationFailed("竞赛项目不存在", {"item_index": "竞赛项目不存在"})
    if item.exam_session_id is not None:
        raise ValidationFailed("该项目由在线考试计分，不需要裁判组", {"item_index": "在线考试计分的项目"})
    if competition.state in ("published", "final"):
        raise Conflict("结果已公布，不能再调整裁判组", {"competition": "已公布"}, code="frozen")
    after_check_in = require_may_change(actor, competition, user_id, "user_id")
    judge = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if judge is None or not judge.has_role(JUDGE):
        raise ValidationFailed("该用户不是裁判员", {"user_id": "该用户不是裁判员"})
    require_no_other_duty(competition, judge.id, "judge", "user_id")
    if conflict_of_interest(competition, judge):
        raise ValidationFailed("回避：该裁判员与参赛选手属于同一单位", {"user_id": "与参赛选手同一单位，须回避"},
                               code="conflict_of_interest")
    if db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.item_id == item.id, JudgeAssignment.user_id == judge.id)).scalar():
        raise Conflict("该裁判员已在本项目裁判组中", {"user_id": "已在裁判组中"}, code="duplicate")
    if is_chief and db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.item_id == item.id, JudgeAssignment.is_chief.is_(True))).scalar():
        raise Conflict("该项目已有裁判长", {"is_chief": "已有裁判长"}, code="duplicate")
    assignment = JudgeAssignment(competition_id=competition.id, item_id=item.id, user_id=judge.id, is_chief=is_chief)
    db.session.add(assignment)
    db.session.flush()
    record_audit("competition.assign_judge", "competition", competition.id,
                 new={"judge_id": judge.id, "item_index": item_index, "is_chief": is_chief,
                      "after_check_in": after_check_in}, actor_id=actor.id)
    role = "裁判长" if is_chief else "裁判员"
    notify(judge.id, f"裁判任务：{competition.title}", f"您被安排为“{item.name}”项目的{role}。",
           link="/contests/judging", kind="judge_assignment")
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
        registration.checked_in_at = registration.checked_in_at or utcnow()
    competition.state = "drawn"
    db.session.flush()
    record_audit("competition.draw", "competition", competition.id, new={"contestants": len(approved)})
    return approved


def exam_sessions_for_items(actor) -> list[tuple[int, str]]:
    """The committee's own exam sessions with a theory paper, for an exam-scored theory item."""
    if actor.organization_id is None:
        return []
    return theory_sessions_of(actor.organization_id)
