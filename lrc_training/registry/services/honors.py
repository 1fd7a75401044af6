"""The register of honors (荣誉): titles staff record for a person in their scope (the list page's form), and
honors granted elsewhere on the platform (a competition's 技术能手: contests announces it, create_app wires
`record_honor` as its listener). Plain functions: they add, flush and audit; the caller commits."""

from __future__ import annotations

from datetime import date

from ...auth.models import User
from ...core.audit import record_audit
from ...core.errors import DomainError, ValidationFailed
from ...extensions import db
from ..models import Honor
from ..queries import find_people
from ..schemas.inputs import HonorIn
from .access import caller_access, person_in_scope

NOBODY = "在您的管辖范围内没有找到该人员（可输入姓名、完整身份证号或用户名）。"


def record_honor(user_id: int, title: str, granted_by: str, granted_on: date) -> Honor:
    """Add an honor granted elsewhere on the platform to the register (a competition's 技术能手: contests announces
    it, create_app wires this function as its listener)."""
    honor = Honor(user_id=user_id, title=title, granted_by=granted_by, granted_on=granted_on)
    db.session.add(honor)
    db.session.flush()
    return honor


def add_honor(actor, data: HonorIn) -> tuple[Honor, User]:
    """Record an honor for the person picked (or the one person the typed text finds) in the caller's scope:
    (the honor, its holder). Registry writers only (403); 422 naming `person` when nobody or several match."""
    caller_access(actor).require_write()
    user = honor_recipient(actor, data.user_id, data.person)
    honor = Honor(user_id=user.id, title=data.title, granted_by=data.granted_by, granted_on=data.granted_on)
    db.session.add(honor)
    db.session.flush()
    record_audit("honor.add", "honor", honor.id, new={"user_id": user.id, "title": honor.title})
    return honor, user


def honor_recipient(actor, user_id: int | None, typed: str) -> User:
    """The person the picker chose (its hidden user_id, when the caller may see them), else the one person the typed
    text finds; several matches list them to choose from."""
    if user_id is not None:
        user = _visible(actor, user_id)
        if user is not None:
            return user
    hits = find_people(actor, typed)
    if len(hits) == 1:
        user = _visible(actor, hits[0].user_id)
        if user is not None:
            return user
    elif hits:
        raise ValidationFailed(f"找到 {len(hits)} 位符合“{typed.strip()}”的人员，请从查找结果中选择一位："
                               + "；".join(hit.label for hit in hits), {"person": "请从查找结果中选择一位"})
    raise ValidationFailed(NOBODY, {"person": "没有找到该人员"})


def _visible(actor, user_id: int) -> User | None:
    try:
        return person_in_scope(actor, user_id)[0]
    except DomainError:
        return None
