"""Reporting upward (报表上报): county → city → province → ministry, per period, with submit / return / approve.

The reporting regions are the scopes of the active 人社 (hrss) organizations. A region's parent is the nearest
enclosing reporting region (county 371502 → city 3715 → province 37; a county whose city has no 人社 department on
the platform reports to the province); a region with none above it reports to the platform's administrators (the
ministry's place, scope ''). Staff of a region's 人社 department make, refresh and submit its report; staff of the
parent's return or approve it. The parent sees each child's status, and a child's report only once submitted.

Plain functions: they add/flush, audit and notify; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ...auth.models import Organization
from ...auth.roles import ADMIN
from ...auth.services.accreditation import local_today
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.regions import region_name, region_scope
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import REPORT_STATUS_LABELS, Report
from .periods import Period, parse_period
from .snapshot import build_snapshot, rollup, scope_code, with_rollup
from .work import hrss_staff_ids, is_hrss_staff

REASON_MAX = 1000
ROOT = ""  # the platform's administrators, above every province


# -- the hierarchy -------------------------------------------------------------------------------------------------

def reporting_scopes(prefix: str) -> set[str]:
    """The scopes of the active hrss organizations inside a prefix (one statement)."""
    codes = db.session.execute(select(Organization.region_code).distinct().where(
        Organization.kind == "hrss", Organization.active.is_(True),
        Organization.region_code.startswith(prefix))).scalars()
    return {region_scope(code) for code in codes}


def _parent_in(scope: str, scopes: set[str]) -> str:
    above = [s for s in scopes if s != scope and scope.startswith(s)]
    return max(above, key=len) if above else ROOT


def parent_scope(scope: str) -> str:
    """The nearest enclosing reporting region, or ROOT."""
    return _parent_in(scope, reporting_scopes(scope[:2]))


def child_scopes(scope: str) -> list[str]:
    """The reporting regions whose parent is `scope`, by code."""
    scopes = reporting_scopes(scope)
    return sorted(s for s in scopes if s != scope and _parent_in(s, scopes | {scope}) == scope)


def viewer_scope(actor) -> str | None:
    """The reporting region the caller answers for: their hrss organization's scope; ROOT for administrators;
    None for anyone else, to whom every report is invisible (an empty overview, 404 for one), as risk reports are."""
    if is_hrss_staff(actor):
        return region_scope(actor.organization.region_code)
    if actor.has_role(ADMIN):
        return ROOT
    return None


def caller_scope(actor) -> str:
    """As viewer_scope, but 403 for anyone who is neither hrss staff nor an administrator (making a report)."""
    scope = viewer_scope(actor)
    if scope is None:
        raise Forbidden("只有人力资源社会保障部门的工作人员可以填报和审核报表", code="forbidden")
    return scope


@dataclass(frozen=True)
class Loaded:
    report: Report
    role: str  # own or parent
    parent: str


def load_report(actor, report_id: int) -> Loaded:
    """The report and whether the caller is its region (`own`) or the parent region (`parent`); 404 to anyone
    else, as if it did not exist."""
    scope = viewer_scope(actor)
    report = db.session.get(Report, report_id) if scope is not None else None
    if report is not None:
        parent = parent_scope(report.scope)
        if scope == report.scope and scope != ROOT:
            return Loaded(report, "own", parent)
        if scope == parent:
            return Loaded(report, "parent", parent)
    raise NotFound("报表不存在或不在您的管辖范围内", {"id": "不存在"})


def readable_report(actor, report_id: int) -> Loaded:
    """As load_report; a draft is its region's own business: the parent sees only its status (403)."""
    loaded = load_report(actor, report_id)
    if loaded.role == "parent" and loaded.report.status == "draft":
        raise Forbidden("下级尚未上报，草稿不可查看", code="not_submitted")
    return loaded


# -- changes -------------------------------------------------------------------------------------------------------

def _check_version(report: Report, version: int | None) -> None:
    if version is not None and version != report.version:
        raise Conflict("该报表已被他人修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version")


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:  # someone changed the row between our read and our write
        db.session.rollback()
        raise Conflict("该报表已被他人修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version") from None


def _own(actor, report_id: int, version: int | None) -> Report:
    loaded = load_report(actor, report_id)
    if loaded.role != "own":
        raise Forbidden("只有本地区人社部门可以修改和上报本地区的报表", code="forbidden")
    _check_version(loaded.report, version)
    return loaded.report


def _audit(action: str, report: Report, actor, old_status: str | None, reason: str | None = None) -> None:
    record_audit(f"report.{action}", "report", report.id, actor_id=actor.id, reason=reason,
                 old={"status": old_status} if old_status else None,
                 new={"region_code": report.region_code, "period": report.period, "status": report.status,
                      "version": report.version})


def create_report(actor, period_text: str | None) -> Report:
    """Freeze the caller's region's statistics for a period as a draft: one per region and period (409)."""
    scope = caller_scope(actor)
    if scope == ROOT:
        raise Forbidden("管理员不填报地区报表", code="forbidden")
    period = parse_period(period_text, local_today())
    if db.session.execute(select(Report.id).where(Report.scope == scope, Report.period == period.text)).scalar():
        raise Conflict(f"本地区{period.label}的报表已存在", {"period": "该报告期的报表已存在"}, code="duplicate")
    report = Report(region_code=scope_code(scope), scope=scope, period=period.text, status="draft",
                    snapshot=build_snapshot(scope, period, child_scopes(scope)), created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:  # made a moment ago by a colleague
        raise Conflict(f"本地区{period.label}的报表已存在", {"period": "该报告期的报表已存在"},
                       code="duplicate") from None
    _audit("create", report, actor, None)
    return report


def _period(report: Report) -> Period:
    return parse_period(report.period)


def refresh_report(actor, report_id: int, version: int | None = None) -> Report:
    """Freeze the figures again (a draft, or a report the parent returned)."""
    report = _own(actor, report_id, version)
    report.refresh(build_snapshot(report.scope, _period(report), child_scopes(report.scope)))
    _flush()
    _audit("refresh", report, actor, report.status)
    return report


def submit_report(actor, report_id: int, version: int | None = None) -> Report:
    """Submit to the parent region (the children's roll-up is brought up to date first); its staff are told."""
    report = _own(actor, report_id, version)
    old = report.status
    report.submit()
    report.snapshot = with_rollup(report.snapshot, child_scopes(report.scope), report.period)
    _flush()
    _audit("submit", report, actor, old)
    parent = parent_scope(report.scope)
    name = region_name(report.region_code)
    for user_id in _staff_of(parent):
        notify(user_id, f"{name}报送了{_period(report).label}报表", "请审核：通过或退回修改。",
               f"/registry/reports/{report.id}", kind="report")
    return report


def _decide(actor, report_id: int, version: int | None) -> Report:
    loaded = load_report(actor, report_id)
    if loaded.role != "parent":
        raise Forbidden("只有上级人社部门可以审核本报表", code="forbidden")
    _check_version(loaded.report, version)
    return loaded.report


def return_report(actor, report_id: int, reason: str | None, version: int | None = None) -> Report:
    """The parent sends a submitted report back with a reason (required, 422 naming `reason`)."""
    report = _decide(actor, report_id, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退回原因", {"reason": "不能为空"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"退回原因不超过 {REASON_MAX} 个字符", {"reason": f"长度不能超过 {REASON_MAX} 个字符"})
    report.return_(actor.id, reason)
    _flush()
    _audit("return", report, actor, "submitted", reason=reason)
    _tell_region(report, f"{_period(report).label}报表被退回", f"退回原因：{reason}")
    return report


def approve_report(actor, report_id: int, version: int | None = None) -> Report:
    report = _decide(actor, report_id, version)
    report.approve(actor.id)
    _flush()
    _audit("approve", report, actor, "submitted")
    _tell_region(report, f"{_period(report).label}报表已审核通过", None)
    return report


def _staff_of(scope: str) -> list[int]:
    """Staff of the hrss organizations of a reporting region (none for ROOT: administrators read the page)."""
    if scope == ROOT:
        return []
    org_ids = [org_id for org_id, code in db.session.execute(
        select(Organization.id, Organization.region_code).where(
            Organization.kind == "hrss", Organization.active.is_(True), Organization.region_code.startswith(scope)))
        if region_scope(code) == scope]
    return hrss_staff_ids(org_ids)


def _tell_region(report: Report, title: str, body: str | None) -> None:
    for user_id in _staff_of(report.scope):
        notify(user_id, title, body, f"/registry/reports/{report.id}", kind="report")


# -- reading -------------------------------------------------------------------------------------------------------

def report_overview(actor, period_text: str | None) -> tuple[Period, Report | None, list[dict]]:
    """The caller's own report for the period (None for administrators or when not made yet) and one row per
    child region: region_code, name, report_id, status (missing when there is none)."""
    period = parse_period(period_text, local_today())
    scope = viewer_scope(actor)
    if scope is None:
        return period, None, []
    own = None
    if scope != ROOT:
        own = db.session.execute(select(Report).where(Report.scope == scope, Report.period == period.text)).scalar()
    children = [{k: row[k] for k in ("region_code", "name", "report_id", "status")}
                for row in rollup(child_scopes(scope), period.text)]
    return period, own, children


def report_json(report: Report, *, with_snapshot: bool = True) -> dict:
    data = {"id": report.id, "region_code": report.region_code, "name": region_name(report.region_code),
            "period": report.period, "status": report.status, "status_label": REPORT_STATUS_LABELS[report.status],
            "version": report.version, "created_by_id": report.created_by_id,
            "created_at": iso_local(report.created_at), "snapshot_at": iso_local(report.snapshot_at),
            "submitted_at": iso_local(report.submitted_at), "decided_at": iso_local(report.decided_at),
            "decided_by_id": report.decided_by_id, "return_reason": report.return_reason}
    if with_snapshot:
        data["snapshot"] = report.snapshot
    return data
