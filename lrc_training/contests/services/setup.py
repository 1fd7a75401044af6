"""Setting up a competition: who may organize which tier, and creating one with its items and criteria (an item
may be scored by the committee's own online exam). Registration is in registration.py, judges in panels.py, the
draw of anonymous codes in checkin.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ...auth.models import Organization
from ...auth.roles import ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Forbidden, ValidationFailed
from ...core.regions import region_scope
from ...db import utcnow
from ...exams.queries import session_owner_and_parts, theory_sessions_of
from ...extensions import db
from ..models import AWARD_LABELS, STAGES, TIE_BREAKS, TIERS, Competition, CompetitionItem, Criterion
from .eligibility import eligibility_errors


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


def exam_sessions_for_items(actor) -> list[tuple[int, str]]:
    """The committee's own exam sessions with a theory paper, for an exam-scored theory item."""
    if actor.organization_id is None:
        return []
    return theory_sessions_of(actor.organization_id)
