"""The home page's to-dos from the registry: for 人社 (hrss) staff the risk reports (风险隐患) still open in their
region scope, counted in one statement. Further registry to-dos (reports due, …) are further functions registered
beside this one in create_app."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import case, func, select

from ..core.todo import NORMAL, NOW, TodoItem
from ..extensions import db
from .models import RiskReport
from .work import is_hrss_staff, report_scope


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
