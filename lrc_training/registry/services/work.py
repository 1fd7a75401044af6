"""Coordinators' work records (工作情况) and the risk reports (劳动关系风险隐患) they open.

Who may record: the coordinator themself, org_staff of an `hrss` organization whose region scope contains the
coordinator, and org_staff of a `platform` organization for the coordinators of that organization. Who may read:
the readers of the coordinator's registry record (access.person_in_scope), and the coordinator themself.
The enterprise a record names must be an enterprise inside the recorder's scope (the hrss or platform
organization's region scope; for a coordinator recording their own work, their own region's scope).

A `risk` record opens a RiskReport. Every hrss organization whose scope contains the enterprise's region sees it
(`risk_reports_query`); a `high` one notifies at once the staff of "the hrss organization of the enterprise's
county": the hrss organizations registered at the enterprise's county, or when that county has none, at the
nearest level above it (city, then province) — `responsible_hrss`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, false, func, or_, select, true, update
from sqlalchemy.orm import aliased

from ...auth.models import Organization, User, UserRole
from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import local_today
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.regions import in_region, region_scope
from ...db import utcnow
from ...extensions import db
from ..models import (
    RISK_STATUS_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    TEXT_MAX,
    WORK_KIND_LABELS,
    WORK_KINDS,
    RiskReport,
    ServiceArea,
    WorkRecord,
)
from .access import is_coordinator, person_in_scope

EARLIEST = date(2000, 1, 1)
MAX_PEOPLE = 1_000_000


# -- who ---------------------------------------------------------------------------------------------------------

def coordinator_region(user: User, org: Organization | None) -> str:
    """A coordinator's region: their organization's, or without one their home region (ID number's first 6)."""
    return org.region_code if org is not None else (user.id_number or "")[:6]


def _is_coordinator(user_id: int) -> bool:
    return bool(db.session.execute(select(is_coordinator(user_id))).scalar())


def readable_person(actor, user_id: int) -> tuple[User, Organization | None]:
    """The coordinator whose work records the actor may read: themself, or a person of their registry scope."""
    if actor is not None and actor.id == user_id:
        return actor, actor.organization
    if not actor.has_role(ORG_STAFF, ADMIN):  # someone they may not know about
        raise NotFound("人员不存在或不在您的管辖范围内", {"user_id": "不存在"})
    return person_in_scope(actor, user_id)


def is_hrss_staff(actor) -> bool:
    return bool(actor is not None and actor.has_role(ORG_STAFF) and actor.organization is not None
                and actor.organization.kind == "hrss")


@dataclass(frozen=True)
class EnterpriseScope:
    """The enterprises a recorder may name: those of a region scope ('' = anywhere) and, for a platform's staff,
    also those of the platform's service area (which the 人社 department may draw beyond the platform's own code)."""

    region: str
    platform_id: int | None = None

    def condition(self):
        """SQL condition on Organization."""
        conditions = []
        if self.region:
            conditions.append(Organization.region_code.startswith(self.region))
        if self.platform_id is not None:
            conditions.append(Organization.id.in_(select(ServiceArea.enterprise_id).where(
                ServiceArea.platform_id == self.platform_id)))
        return or_(*conditions) if conditions else true()


def writable_person(actor, user_id: int) -> tuple[User, Organization | None, EnterpriseScope]:
    """(coordinator, organization, the enterprises the recorder may name) — or 404 for a person the actor may not
    know about, 403 for one they see but may not record for, 422 for someone who is not a coordinator."""
    if actor.id == user_id:
        user, org = actor, actor.organization
        if not _is_coordinator(user.id):
            raise Forbidden("只有劳动关系协调员可以记录本人的工作情况")
        return user, org, EnterpriseScope(region_scope(coordinator_region(user, org)))
    if not actor.has_role(ORG_STAFF, ADMIN):
        raise NotFound("人员不存在或不在您的管辖范围内", {"user_id": "不存在"})
    user, org = person_in_scope(actor, user_id)
    own = actor.organization
    allowed = own is not None and actor.has_role(ORG_STAFF) and (
        (own.kind == "hrss" and in_region(coordinator_region(user, org), own.region_code))
        or (own.kind == "platform" and org is not None and org.id == own.id))
    if not allowed:
        raise Forbidden("只有管辖范围内的人社部门、或协调员所在平台的工作人员可以记录其工作情况")
    if not _is_coordinator(user.id):
        raise ValidationFailed("该人员不是劳动关系协调员", {"user_id": "不是劳动关系协调员"})
    return user, org, EnterpriseScope(region_scope(own.region_code),
                                      own.id if own.kind == "platform" else None)


ENTERPRISE_HITS = 20  # the picker shows this many; a longer list means the name needs another word


def find_enterprises(scope: EnterpriseScope, text: str, limit: int = ENTERPRISE_HITS) -> list[tuple[int, str, str]]:
    """(id, name, region code) of active enterprises the recorder may name whose name contains every word of
    `text`, by name: the work form's enterprise picker (a province officer may name 200,000 of them, too many
    for a list)."""
    terms = [term[:50] for term in (text or "").split()[:4]]
    if not terms:
        return []
    conditions = [Organization.name.like("%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                                         escape="\\") for t in terms]
    return [tuple(row) for row in db.session.execute(
        select(Organization.id, Organization.name, Organization.region_code)
        .where(Organization.kind == "enterprise", Organization.active.is_(True), scope.condition(), *conditions)
        .order_by(Organization.name, Organization.id).limit(limit)).all()]


# -- recording ---------------------------------------------------------------------------------------------------

def _check(kind, occurred_on, enterprise_id, summary, people, severity, scope: EnterpriseScope):
    """Every field's problem at once (Chinese reasons), and the enterprise when it is acceptable."""
    fields: dict[str, str] = {}
    if kind not in WORK_KINDS:
        fields["kind"] = "取值应为：" + "、".join(WORK_KINDS)
    if occurred_on is None:
        fields["occurred_on"] = "必填"
    elif occurred_on > local_today():
        fields["occurred_on"] = "不能晚于今天"
    elif occurred_on < EARLIEST:
        fields["occurred_on"] = "不能早于 2000-01-01"
    enterprise = db.session.execute(select(Organization).where(
        Organization.id == enterprise_id, Organization.kind == "enterprise", Organization.active.is_(True),
        scope.condition())).scalar() if isinstance(enterprise_id, int) else None
    if enterprise is None:
        # The same words whether it does not exist, is no enterprise or lies outside the scope.
        fields["enterprise_id"] = "企业不存在或不在您的管辖范围内"
        enterprise = None
    if not summary:
        fields["summary"] = "不能为空"
    elif len(summary) > TEXT_MAX:
        fields["summary"] = f"长度不能超过 {TEXT_MAX} 个字符"
    if people is None:
        fields["people"] = "必填"
    elif people < 0:
        fields["people"] = "不能小于 0"
    elif people > MAX_PEOPLE:
        fields["people"] = f"不能大于 {MAX_PEOPLE}"
    if kind == "risk" and severity not in SEVERITIES:
        fields["severity"] = "风险隐患报告须注明严重程度：" + "、".join(SEVERITIES)
    elif kind != "risk" and severity is not None:
        fields["severity"] = "仅风险隐患报告填写严重程度"
    return fields, enterprise


def add_work_record(actor, user_id: int, *, kind: str, occurred_on: date | None, enterprise_id: int | None,
                    summary: str | None, people: int | None, severity: str | None = None) -> WorkRecord:
    """Record one piece of work (audited); a `risk` record opens a risk report, a `high` one notifies the
    responsible hrss staff at once. Adds and flushes; the caller commits."""
    user, _, scope = writable_person(actor, user_id)
    summary = (summary or "").strip()
    fields, enterprise = _check(kind, occurred_on, enterprise_id, summary, people, severity, scope)
    if fields:
        raise ValidationFailed("输入不符合要求：" + "；".join(f"{k} {v}" for k, v in fields.items()), fields)
    record = WorkRecord(user_id=user.id, kind=kind, occurred_on=occurred_on, enterprise_id=enterprise.id,
                        summary=summary, people=people, severity=severity if kind == "risk" else None,
                        recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    report = None
    if kind == "risk":
        report = RiskReport(work_record_id=record.id, enterprise_id=enterprise.id,
                            region_code=enterprise.region_code, severity=severity, status="open")
        db.session.add(report)
        db.session.flush()
    record_audit("work_record.create", "work_record", record.id, actor_id=actor.id, new={
        "user_id": user.id, "kind": kind, "occurred_on": occurred_on.isoformat(), "enterprise_id": enterprise.id,
        "people": people, "severity": record.severity, "risk_report_id": report.id if report else None})
    if report is not None and severity == "high":
        for staff_id in hrss_staff_ids(responsible_hrss(enterprise.region_code)):
            notify(staff_id, f"重大劳动关系风险隐患：{enterprise.name}",
                   f"{user.name} 于 {occurred_on.isoformat()} 报告：{summary[:200]}", "/registry/risk-reports",
                   kind="risk_report")
    return record


def responsible_hrss(region_code: str) -> list[int]:
    """The hrss organizations of the enterprise's county: those whose scope is the county's; when the county has
    none, the city's; then the province's. A county-level city (东莞 441900) is its own county."""
    county = region_code[:6]
    levels = [region_scope(county), county[:4], county[:2]]
    found: dict[str, list[int]] = {}
    for org_id, code in db.session.execute(select(Organization.id, Organization.region_code).where(
            Organization.kind == "hrss", Organization.active.is_(True),
            Organization.region_code.startswith(county[:2]))):
        found.setdefault(region_scope(code), []).append(org_id)
    return next((sorted(found[level]) for level in levels if level in found), [])


def hrss_staff_ids(organization_ids: list[int]) -> list[int]:
    if not organization_ids:
        return []
    return list(db.session.execute(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.organization_id.in_(organization_ids), User.active.is_(True), UserRole.role == ORG_STAFF)
        .order_by(User.id)).scalars())


# -- reading -----------------------------------------------------------------------------------------------------

def work_records_query(user_id: int) -> Select:
    """(record, enterprise name, risk report) rows of one coordinator, newest first."""
    return (select(WorkRecord, Organization.name, RiskReport)
            .join(Organization, Organization.id == WorkRecord.enterprise_id)
            .outerjoin(RiskReport, RiskReport.work_record_id == WorkRecord.id)
            .where(WorkRecord.user_id == user_id)
            .order_by(WorkRecord.occurred_on.desc(), WorkRecord.id.desc()))


def work_counts(user_id: int) -> dict[str, int]:
    """How many records of each kind (every kind listed, zero included)."""
    counts = Counter(dict(db.session.execute(select(WorkRecord.kind, func.count()).where(
        WorkRecord.user_id == user_id).group_by(WorkRecord.kind)).all()))
    return {kind: counts.get(kind, 0) for kind in WORK_KINDS}


def work_record_json(record: WorkRecord, enterprise_name: str, report: RiskReport | None) -> dict:
    return {"id": record.id, "user_id": record.user_id, "kind": record.kind,
            "kind_label": WORK_KIND_LABELS[record.kind], "occurred_on": record.occurred_on.isoformat(),
            "enterprise_id": record.enterprise_id, "enterprise_name": enterprise_name, "summary": record.summary,
            "people": record.people, "severity": record.severity, "recorded_by_id": record.recorded_by_id,
            "created_at": record.created_at.isoformat(),
            "risk_report": {"id": report.id, "status": report.status} if report is not None else None}


def report_scope(actor) -> str | None:
    """'' for admins; an hrss organization's region scope for its staff; None for anyone else, to whom every
    report is invisible (an empty list, 404 for one), as records outside a scope are."""
    if actor.has_role(ADMIN):
        return ""
    if not is_hrss_staff(actor):
        return None
    return region_scope(actor.organization.region_code)


Enterprise = aliased(Organization)
Coordinator = aliased(User)


def risk_reports_query(actor, status: str | None = None) -> Select:
    """(report, record, enterprise, coordinator) rows in the actor's scope, newest first."""
    scope = report_scope(actor)
    stmt = (select(RiskReport, WorkRecord, Enterprise, Coordinator)
            .join(WorkRecord, WorkRecord.id == RiskReport.work_record_id)
            .join(Enterprise, Enterprise.id == RiskReport.enterprise_id)
            .join(Coordinator, Coordinator.id == WorkRecord.user_id)
            .order_by(RiskReport.opened_at.desc(), RiskReport.id.desc()))
    if scope is None:
        stmt = stmt.where(false())
    elif scope:
        stmt = stmt.where(RiskReport.region_code.startswith(scope))
    if status:
        stmt = stmt.where(RiskReport.status == status)
    return stmt


def risk_report_json(report: RiskReport, record: WorkRecord, enterprise: Organization, coordinator: User) -> dict:
    return {"id": report.id, "status": report.status, "status_label": RISK_STATUS_LABELS[report.status],
            "severity": report.severity, "severity_label": SEVERITY_LABELS[report.severity],
            "enterprise_id": enterprise.id, "enterprise_name": enterprise.name, "region_code": report.region_code,
            "work_record_id": record.id, "occurred_on": record.occurred_on.isoformat(), "summary": record.summary,
            "people": record.people, "coordinator": {"user_id": coordinator.id, "name": coordinator.name},
            "opened_at": report.opened_at.isoformat(),
            "closed_at": report.closed_at.isoformat() if report.closed_at else None,
            "closed_by_id": report.closed_by_id, "handling": report.handling}


def get_risk_report(actor, report_id: int) -> tuple:
    row = db.session.execute(risk_reports_query(actor).where(RiskReport.id == report_id)).first()
    if row is None:
        raise NotFound("风险隐患报告不存在或不在您的管辖范围内", {"id": "不存在"})
    return tuple(row)


def close_risk_report(actor, report_id: int, handling: str | None) -> RiskReport:
    """Close an open report in the actor's scope with how it was handled (hrss staff only; audited).
    409 when it is already closed — also when someone else closed it a moment ago."""
    report = get_risk_report(actor, report_id)[0]
    if not is_hrss_staff(actor):  # an admin reads every report; only the scope's hrss staff close them
        raise Forbidden("仅人力资源社会保障部门的工作人员可以处置风险隐患报告")
    handling = (handling or "").strip()
    if not handling:
        raise ValidationFailed("请填写处置情况", {"handling": "不能为空"})
    if len(handling) > TEXT_MAX:
        raise ValidationFailed(f"处置情况不超过 {TEXT_MAX} 个字符", {"handling": f"长度不能超过 {TEXT_MAX} 个字符"})
    now = utcnow()
    changed = db.session.execute(update(RiskReport).where(RiskReport.id == report.id, RiskReport.status == "open")
                                 .values(status="closed", closed_at=now, closed_by_id=actor.id, handling=handling)
                                 .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict("该风险隐患报告已处置", {"status": "已处置"}, code="already_closed")
    db.session.refresh(report)
    record_audit("risk_report.close", "risk_report", report.id, actor_id=actor.id, old={"status": "open"},
                 new={"status": "closed", "handling": handling})
    return report
