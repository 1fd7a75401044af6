"""Setting up a competition: who may organize which tier, and creating one with its items and criteria (an item
may be scored by the committee's own online exam). Registration is in registration.py, judges in panels.py, the
draw of anonymous codes in checkin.py."""

from __future__ import annotations

from decimal import Decimal

from ...auth.models import Organization
from ...auth.roles import ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Forbidden, ValidationFailed
from ...core.regions import region_scope
from ...db import utcnow
from ...exams.queries import session_owner_and_parts, theory_sessions_of
from ...extensions import db
from ..models import TIERS, Competition, CompetitionItem, Criterion
from ..schemas.inputs import CompetitionIn


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


def _check_exam_items(data: CompetitionIn, organization_id: int | None) -> None:
    errors = {f"items.{index}.exam_session_id": reason for index, item in enumerate(data.items)
              if item.exam_session_id is not None
              and (reason := _exam_item_error(item.kind, item.exam_session_id, organization_id))}
    if errors:
        raise ValidationFailed("竞赛设置有误：" + "；".join(errors.values()), errors)


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


def create_competition(actor, data: CompetitionIn) -> Competition:
    """Create a competition open for registration, with its items and criteria. The schema has checked the input;
    here: the committee may organize this tier, and an exam-scored item uses one of its own theory exams."""
    if not actor.has_role(ORG_STAFF) or actor.organization_id is None:
        raise Forbidden("只有竞赛组委会（机构工作人员）可以创建竞赛")
    check_tier(db.session.get(Organization, actor.organization_id), data.tier)
    _check_exam_items(data, actor.organization_id)
    competition = Competition(
        organization_id=actor.organization_id, title=data.title, tier=data.tier, level=data.level,
        registration_closes_at=data.registration_closes_at, award_mode=data.award_mode,
        award_ratios=data.award_ratios, aggregation=data.aggregation, eligibility=data.rules(),
        notice_days=data.notice_days, state="registration", stage=data.stage,
        advance_count=data.advance_count if data.stage == "preliminary" else None, tie_break=list(data.tie_break),
        appeal_hours=data.appeal_hours, promotion_awards=list(data.promotion_awards), honor_top_n=data.honor_top_n,
        promotion_requires_certificate=data.promotion_requires_certificate,
        honor_title=data.honor_title, registration_opens_at=data.registration_opens_at,
        venue=(data.venue or "").strip() or None, starts_on=data.starts_on, ends_on=data.ends_on)
    for position, item in enumerate(data.items):
        competition.items.append(CompetitionItem(
            position=position, name=item.name, kind=item.kind,
            weight=Decimal(str(item.weight)), exam_session_id=item.exam_session_id,
            criteria=[] if item.exam_session_id else [
                Criterion(position=i, name=c.name, max_points=Decimal(str(c.max_points)))
                for i, c in enumerate(item.criteria)]))
    db.session.add(competition)
    db.session.flush()
    competition.number_prefix = f"{utcnow().year}JS{competition.id:04d}-"
    record_audit("competition.create", "competition", competition.id,
                 new={"title": competition.title, "tier": competition.tier, "items": len(data.items),
                      "promotion_requires_certificate": competition.promotion_requires_certificate})
    return competition


def exam_sessions_for_items(actor) -> list[tuple[int, str]]:
    """The committee's own exam sessions with a theory paper, for an exam-scored theory item."""
    if actor.organization_id is None:
        return []
    return theory_sessions_of(actor.organization_id)
