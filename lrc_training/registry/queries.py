"""The registry's reads for its own pages and API: the coordinator list (one page, then its certificates and
honors in two more statements), the export's plain rows, and finding a person to record something about (by name,
ID number or username, among the people the caller may see; results carry the masked ID number, never the full one).

Nothing outside the registry imports it (the registry is read by no other area)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import Organization, User
from ..certificates.queries import valid_numbers_of
from ..extensions import db
from .models import Coordinator, Honor, RegistryEntry
from .services.access import Access, caller_access, visible_coordinators, visible_people

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


# -- the coordinator list and its export ---------------------------------------------------------------------

def registry_query(access: Access, level: int | None = None, organization_kind: str | None = None) -> Select:
    stmt = (select(User, Organization, Coordinator.level)
            .join(Coordinator, Coordinator.user_id == User.id)
            .outerjoin(Organization, Organization.id == User.organization_id)
            .where(visible_coordinators(access))
            .order_by(Coordinator.region_code, User.id))
    if level:
        stmt = stmt.where(Coordinator.level == level)
    if organization_kind:
        stmt = stmt.where(Coordinator.organization_kind == organization_kind)
    return stmt


def home_region(user: User) -> str | None:
    return user.id_number[:6] if user.id_number else None


def registry_rows(rows) -> list[dict]:
    """Serialize a page of (user, organization or None, level) rows with two more queries (certificates, honors)."""
    user_ids = [user.id for user, _, _ in rows]
    numbers, honors = defaultdict(list), defaultdict(list)
    if user_ids:
        for user_id, number in db.session.execute(valid_numbers_of(user_ids)):
            numbers[user_id].append(number)
        for user_id, number in db.session.execute(select(RegistryEntry.user_id, RegistryEntry.certificate_number).where(
                RegistryEntry.user_id.in_(user_ids), RegistryEntry.certificate_number.is_not(None))):
            numbers[user_id].append(number)
        for honor in db.session.execute(select(Honor).where(Honor.user_id.in_(user_ids)).order_by(Honor.granted_on)
                                        ).scalars():
            honors[honor.user_id].append({"title": honor.title, "granted_by": honor.granted_by,
                                          "granted_on": honor.granted_on.isoformat()})
    return [{"user_id": user.id, "name": user.name, "organization_id": org.id if org else None,
             "organization_name": org.name if org else None, "organization_kind": org.kind if org else None,
             "region_code": org.region_code if org else home_region(user),
             "highest_level": str(level) if level is not None else None,
             "certificate_numbers": numbers[user.id], "honors": honors[user.id]} for user, org, level in rows]


def export_rows(access: Access) -> list[tuple]:
    """Every coordinator the caller may see, for the Excel export, as (name, organization name or None, organization
    kind or None, region code, highest level or None, certificate numbers joined by 、, honors joined by 、) — in
    four statements however many there are: plain columns (no User objects, whose roles would load in batches), and
    certificate numbers and honors read on the same visibility instead of an IN list of every id. Plain tuples: a
    province's 100,000 rows go straight to the sheet."""
    run = db.session.connection().execute  # plain columns: Core rows, without the ORM's loading step
    people = run(
        select(User.id, User.name, Organization.name, Organization.kind, Coordinator.region_code, Coordinator.level)
        .join(Coordinator, Coordinator.user_id == User.id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(visible_coordinators(access)).order_by(Coordinator.region_code, User.id)).all()
    numbers: dict[int, list[str]] = {}
    honors: dict[int, list[str]] = {}
    scoped_ids = access.prefix or not access.region_wide
    in_scope = select(Coordinator.user_id).where(visible_coordinators(access)).scalar_subquery()

    def scoped(stmt, column):
        return stmt.where(column.in_(in_scope)) if scoped_ids else stmt

    for user_id, number in run(valid_numbers_of(in_scope if scoped_ids else None)):
        numbers.setdefault(user_id, []).append(number)
    for user_id, number in run(scoped(select(RegistryEntry.user_id, RegistryEntry.certificate_number)
                                                     .where(RegistryEntry.certificate_number.is_not(None)),
                                                     RegistryEntry.user_id)):
        numbers.setdefault(user_id, []).append(number)
    for user_id, title in run(scoped(select(Honor.user_id, Honor.title), Honor.user_id)
                                             .order_by(Honor.granted_on)):
        honors.setdefault(user_id, []).append(title)
    joined_numbers = {user_id: "、".join(items) for user_id, items in numbers.items()}
    joined_honors = {user_id: "、".join(items) for user_id, items in honors.items()}
    return [(name, org_name, kind, region_code, level, joined_numbers.get(user_id, ""), joined_honors.get(user_id, ""))
            for user_id, name, org_name, kind, region_code, level in people]

