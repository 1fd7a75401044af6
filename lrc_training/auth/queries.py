"""Reads the auth pages show: the organization picker's matches, a user's open sign-ins and active API tokens, and
the user list's filters. Plain selects, no writes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select

from ..core.regions import region_display, region_table
from ..db import utcnow
from ..extensions import db
from .models import ApiToken, Organization, User, UserRole, UserSession
from .schemas import UserQuery
from .services.users import visible_users
from .services.web_sessions import open_sessions

PAGE_SIZE = 20
MAX_PAGE = 50  # nobody reads further than this; narrow the search instead
MAX_TERMS = 4
REGION_PREFIXES_PER_TERM = 60


# -- the organization picker ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgHit:
    id: int
    name: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.region}）" if self.region else self.name

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "region": self.region}


def _region_prefixes(term: str) -> list[str]:
    """Code prefixes of the provinces, cities and counties whose names contain `term` (聊城 → 3715)."""
    table = region_table()
    found = [code for level in (table.provinces, table.cities, table.counties)
             for code, name in level.items() if term in name]
    return found[:REGION_PREFIXES_PER_TERM]


def _term_condition(term: str):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    region = [Organization.region_code.startswith(prefix) for prefix in _region_prefixes(term)]
    return or_(Organization.name.like(f"%{escaped}%", escape="\\"), *region)


def search_organizations(query: str, *, page: int = 1) -> tuple[list[OrgHit], bool]:
    """Active organizations whose name or region (province, city, county) matches every word of `query`, by name;
    one page, and whether there is another."""
    terms = (query or "").split()[:MAX_TERMS]
    if not terms or not 1 <= page <= MAX_PAGE:
        return [], False
    stmt = (select(Organization.id, Organization.name, Organization.region_code)
            .where(Organization.active.is_(True), and_(*(_term_condition(t[:50]) for t in terms)))
            .order_by(Organization.name, Organization.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    rows = db.session.execute(stmt).all()
    hits = [OrgHit(row.id, row.name, region_display(row.region_code[:6])) for row in rows[:PAGE_SIZE]]
    return hits, len(rows) > PAGE_SIZE and page < MAX_PAGE


def organization_hit(org_id: int | None, *, active_only: bool = True) -> OrgHit | None:
    if not org_id:
        return None
    stmt = select(Organization.id, Organization.name, Organization.region_code).where(Organization.id == org_id)
    if active_only:
        stmt = stmt.where(Organization.active.is_(True))
    row = db.session.execute(stmt).first()
    return OrgHit(row.id, row.name, region_display(row.region_code[:6])) if row else None


# -- one's own sign-ins ----------------------------------------------------------------------------------------------

def open_sessions_of(user_id: int) -> list[UserSession]:
    """The user's records that still sign a device in, most recently used first."""
    return list(db.session.execute(open_sessions(user_id)).scalars())


def active_token_count(user_id: int) -> int:
    return db.session.execute(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())).scalar_one()


# -- the user list ----------------------------------------------------------------------------------------------------

def users_matching(actor, query: UserQuery) -> Select:
    """The users `actor` manages, narrowed by the list's filters: a text in the user name, name or phone, a role."""
    stmt = visible_users(actor)
    if query.q:
        like = f"%{query.q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.name.ilike(like), User.phone.like(like)))
    if query.role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == query.role)))
    return stmt
