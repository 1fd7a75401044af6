"""Finding a person to record something about (an honor): by name, ID number or username, only among the people
whose organization lies inside the caller's scope. Results carry the masked ID number, never the full one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import Organization, User
from ..extensions import db
from .services import caller_access, visible_people

LIMIT = 10


@dataclass(frozen=True)
class PersonHit:
    user_id: int
    name: str
    id_number_masked: str
    organization: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.id_number_masked or '无证件号'}，{self.organization}）"

    def as_json(self) -> dict:
        return {"user_id": self.user_id, "name": self.name, "id_number": self.id_number_masked,
                "organization": self.organization, "label": self.label}


def _in_scope(actor):
    """The people the caller may see in the registry (services.visible_people), active accounts only."""
    return (select(User).outerjoin(Organization, Organization.id == User.organization_id)
            .options(joinedload(User.organization))
            .where(User.active.is_(True), visible_people(caller_access(actor))))


def find_people(actor, query: str, limit: int = LIMIT) -> list[PersonHit]:
    """Up to `limit` people in the caller's scope whose name contains `query`, or whose ID number or username is
    exactly `query` (a partial ID number finds nobody: it would let anyone enumerate numbers)."""
    text = (query or "").strip()
    if not text or len(text) > 40:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    stmt = _in_scope(actor).where(or_(User.name.ilike(like, escape="\\"), User.id_number == text.upper(),
                                      User.username == text)).order_by(User.name, User.id).limit(limit)
    return [_hit(user) for user in db.session.execute(stmt).scalars()]


def _hit(user: User) -> PersonHit:
    return PersonHit(user.id, user.name, user.id_number_masked,
                     user.organization.name if user.organization else "无所在单位")
