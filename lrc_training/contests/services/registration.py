"""Registering contestants: the eligibility conditions checked at registration (level, work years, region,
quotas), whom a staff member may register (their own people; the committee its region), and the committee's
decisions on pending registrations."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ...auth.models import Organization, User
from ...auth.roles import ADMIN, ORG_STAFF, TRAINEE
from ...certificates.queries import highest_level_of
from ...core.audit import record_audit
from ...core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.regions import in_region, region_display
from ...db import utcnow
from ...extensions import db
from ..models import Competition, Registration
from .access import is_committee
from .eligibility import stored_rules


class Ineligible(DomainError):
    status = 422
    code = "ineligible"


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
