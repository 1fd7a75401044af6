"""Work areas (职业功能): the editable list, with the national standard's six as defaults."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..extensions import db
from .audit import record_audit
from .errors import Conflict, ValidationFailed
from .models import DEFAULT_WORK_AREAS, WorkArea

CODE_RE = re.compile(r"^[A-Z]{2,8}$")


def ensure_default_work_areas() -> None:
    existing = set(db.session.execute(select(WorkArea.code)).scalars())
    for position, (code, name) in enumerate(DEFAULT_WORK_AREAS):
        if code not in existing:
            db.session.add(WorkArea(code=code, name=name, position=position, active=True))
    db.session.flush()


def active_work_areas() -> list[WorkArea]:
    return list(db.session.execute(
        select(WorkArea).where(WorkArea.active.is_(True)).order_by(WorkArea.position, WorkArea.code)).scalars())


def all_work_areas() -> list[WorkArea]:
    return list(db.session.execute(select(WorkArea).order_by(WorkArea.position, WorkArea.code)).scalars())


def work_area_names() -> dict[str, str]:
    return {area.code: area.name for area in all_work_areas()}


def save_work_area(code: str, name: str, active: bool, *, create: bool) -> WorkArea:
    code = (code or "").strip().upper()
    name = (name or "").strip()
    errors = {}
    if not CODE_RE.match(code):
        errors["code"] = "代码应为 2–8 位大写字母"
    if not name or len(name) > 50:
        errors["name"] = "名称不能为空且不超过 50 个字符"
    if errors:
        raise ValidationFailed("输入有误", errors)
    area = db.session.get(WorkArea, code)
    if create and area is not None:
        raise Conflict("该代码已存在", {"code": "该代码已存在"})
    if area is None:
        position = len(all_work_areas())
        area = WorkArea(code=code, name=name, active=active, position=position)
        db.session.add(area)
        old = None
    else:
        old = {"name": area.name, "active": area.active}
        area.name, area.active = name, active
    db.session.flush()
    record_audit("work_area.save", "work_area", code, old=old, new={"name": name, "active": active})
    return area
