"""The home page's to-dos from the registry: for 人社 (hrss) staff the risk reports (风险隐患) still open in their
region scope, counted in one statement, and the reports upward that are due or wait for their decision."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import url_for
from sqlalchemy import case, func, select

from ..core.timeutil import local_zone, to_local
from ..core.todo import NORMAL, NOW, SOON, TodoItem
from ..extensions import db
from .models import Report, RiskReport
from .services.periods import default_period
from .services.reporting import child_scopes, viewer_scope
from .services.work import is_hrss_staff, report_scope


def todo_for(user, now: datetime) -> list[TodoItem]:
    scope = report_scope(user) if is_hrss_staff(user) else None
    if not scope:  # only hrss staff, and never everybody's reports for an organization without a region
        return []
    stmt = select(func.count(), func.coalesce(func.sum(case((RiskReport.severity == "high", 1), else_=0)), 0)).where(
        RiskReport.status == "open", RiskReport.region_code.startswith(scope))
    total, serious = db.session.execute(stmt).one()
    if not total:
        return []
    detail = f"辖区内 {total} 条待处置" + (f"，其中重大 {serious} 条" if serious else "")
    return [TodoItem("处置风险隐患报告", url_for("registry.risk_reports", status="open"), detail,
                     urgency=NOW if serious else NORMAL, action="去处置")]


def reports_todo_for(user, now: datetime) -> list[TodoItem]:
    """报表上报 for 人社 staff: the region's report for the quarter that ended last, while it is missing, a draft or
    returned (urgent once late); and the child regions' reports submitted and waiting for this region's decision.
    Three statements (the reporting regions below, the own report, the waiting ones)."""
    if not is_hrss_staff(user):
        return []
    scope = viewer_scope(user)
    today = to_local(now).date()
    period = default_period(today)
    items = []
    status = db.session.execute(select(Report.status).where(Report.scope == scope, Report.period == period.text)
                                ).scalar() or "missing"
    if status in ("missing", "draft", "returned"):
        late = today > period.due()
        due = datetime.combine(period.due(), time(23, 59), tzinfo=local_zone()).astimezone(UTC)
        detail = {"missing": "尚未生成", "draft": "已生成，尚未上报", "returned": "被上级退回，请修改后重新上报"}[status]
        items.append(TodoItem(f"上报{period.label}报表", url_for("registry.reports", period=period.text), detail,
                              due_at=due, urgency=NOW if late or status == "returned" else SOON, action="去上报"))
    children = child_scopes(scope)
    if children:
        waiting = db.session.execute(select(func.count()).select_from(Report).where(
            Report.scope.in_(children), Report.status == "submitted")).scalar_one()
        if waiting:
            items.append(TodoItem("审核下级报表", url_for("registry.reports", period=period.text),
                                  f"{waiting} 份下级报表等待审核", urgency=NORMAL, action="去审核"))
    return items
