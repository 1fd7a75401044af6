"""Who counts as a coordinator, region scopes, the registry list and statistics — aggregated in SQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select, true
from sqlalchemy.orm import aliased

from ..auth.models import Organization, User
from ..auth.roles import ADMIN, ORG_STAFF
from ..certificates.queries import valid_numbers_of
from ..core.audit import record_audit
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.region_names import children_names
from ..core.regions import CITIES, COUNTIES, PROVINCES, child_width, region_scope, validate_region_code
from ..db import utcnow
from ..extensions import db
from .models import CATEGORIES, Coordinator, Honor, RegionTarget, RegistryEntry, ServiceArea

# Registry access by the kind of the staff member's organization (README "Registry"): 人社 departments read and
# write region-wide; unions, enterprise confederations and 工商联 read region-wide; a platform sees its own people and
# the enterprises of its service area; anyone else only their own organization. Admins see and edit everything.
REGION_WRITE_KINDS = ("hrss",)
REGION_READ_KINDS = ("union", "employer_org", "federation")


@dataclass(frozen=True)
class Access:
    """What one caller may see and do in the registry. `prefix` limits people and organizations to a region ('' =
    anywhere); `organization_id` (when set) limits them to that organization and, for a platform, the enterprises of
    its service area; `scope` is the region the caller answers for (subregion breakdown, which codes they may ask
    for); `write`: may edit records, add and import."""

    prefix: str = ""
    code: str | None = None
    scope: str = ""
    write: bool = False
    organization_id: int | None = None
    platform: bool = False

    @classmethod
    def region(cls, prefix: str) -> Access:
        """Read access to everything in a region (for reports and tests)."""
        return cls(prefix, None, prefix)

    @property
    def region_wide(self) -> bool:
        return self.organization_id is None

    def require_write(self) -> None:
        if not self.write:
            raise Forbidden("您所在单位对信息库只有查看权限", code="read_only")


def caller_access(actor) -> Access:
    if actor.has_role(ADMIN):
        return Access(write=True)
    org = actor.organization if actor.has_role(ORG_STAFF) else None
    if org is None:
        raise Forbidden("无权查看信息库")
    scope = region_scope(org.region_code)
    if org.kind in REGION_WRITE_KINDS:
        return Access(scope, org.region_code, scope, write=True)
    if org.kind in REGION_READ_KINDS:
        return Access(scope, org.region_code, scope)
    return Access("", org.region_code, scope, organization_id=org.id, platform=org.kind == "platform")


def caller_scope(actor) -> str:
    """'' for admins (everything); the organization's region prefix for staff (37, 3715, 371502)."""
    return caller_access(actor).scope


def resolve_scope(actor, region_code: str | None) -> Access:
    """The caller's access, narrowed to a region code inside their scope when one is asked for (else 403)."""
    access = caller_access(actor)
    if not region_code:
        return access
    reason = validate_region_code(region_code)
    if reason:
        raise ValidationFailed(reason, {"region_code": reason})
    wanted = region_scope(region_code)
    if not wanted.startswith(access.scope):
        raise Forbidden("该地区不在您的管辖范围内", {"region_code": "超出管辖范围"})
    return replace(access, prefix=wanted, code=region_code, scope=wanted)


def person_region():
    """SQL: a person's region — their organization's, else their home region (the ID number's first 6 digits).
    For statements that join User and outer-join Organization."""
    return func.coalesce(Organization.region_code, func.substr(User.id_number, 1, 6))


def person_in_region(prefix: str):
    """SQL: the person's region (person_region) starts with `prefix` — written as two branches (with an organization,
    without one) so that PostgreSQL estimates how many people match and joins them by hash: the COALESCE form made
    it expect 500 of a province's 100,000 and probe certificates one person at a time (bench/registry.py)."""
    return or_(and_(Organization.id.is_not(None), Organization.region_code.startswith(prefix)),
               and_(Organization.id.is_(None), func.substr(User.id_number, 1, 6).startswith(prefix)))


def _allowed(access: Access, org_id, region):
    """`region`: a column, or a function of the prefix giving the condition."""
    conditions = []
    if access.prefix:
        conditions.append(region(access.prefix) if callable(region) else region.startswith(access.prefix))
    if access.organization_id is not None:
        own = org_id == access.organization_id
        if access.platform:
            own = or_(own, org_id.in_(select(ServiceArea.enterprise_id)
                                      .where(ServiceArea.platform_id == access.organization_id)))
        conditions.append(own)
    return and_(true(), *conditions)


def visible_people(access: Access):
    """SQL condition on User (+ outer-joined Organization): the people this caller may see."""
    return _allowed(access, User.organization_id, person_in_region)


def visible_organizations(access: Access):
    """SQL condition on Organization: the organizations whose people this caller may see."""
    return _allowed(access, Organization.id, Organization.region_code)


def visible_coordinators(access: Access):
    """SQL condition on Coordinator (the read model): the coordinators this caller may see."""
    return _allowed(access, Coordinator.organization_id, Coordinator.region_code)


def coordinator_levels(access: Access | None = None):
    """Subquery (user_id, level): one row per person who is a coordinator, with their highest level — with or
    without an organization (the read model, registry/coordinators.py). With an access only the people it may see
    are read (a county does not read the whole province)."""
    stmt = select(Coordinator.user_id, Coordinator.level)
    if access is not None:
        stmt = stmt.where(visible_coordinators(access))
    return stmt.subquery()


def is_coordinator(user_id):
    """SQL condition: the person holds a valid level certificate or has a registry record."""
    return select(Coordinator.user_id).where(Coordinator.user_id == user_id).exists()


def has_coordinator(organization_id):
    """SQL condition: the organization has at least one coordinator (an index probe, no grouping)."""
    return select(Coordinator.user_id).where(Coordinator.organization_id == organization_id).exists()


def covered_by_platform(enterprise_id):
    """SQL condition: an active platform whose service area includes the enterprise has a coordinator."""
    platform = aliased(Organization)  # not the enclosing statement's Organization (the enterprise)
    return (select(ServiceArea.platform_id)
            .join(platform, platform.id == ServiceArea.platform_id)
            .where(ServiceArea.enterprise_id == enterprise_id, platform.active.is_(True),
                   has_coordinator(ServiceArea.platform_id)).exists())


def coverage_conditions(access: Access | None = None):
    """(covered by its own coordinator, covered by a platform): SQL conditions on Organization for statements that
    count or group many enterprises at once. The same rules as has_coordinator / covered_by_platform, but as IN lists
    the database builds once per statement (one pass over the coordinators of the access's region, a probe per
    platform) instead of two index probes per enterprise: a province's 200,000 enterprises in a fraction of the time
    (bench/registry.py). A coordinator of an enterprise in the region is in the region, so the scoped list suffices.
    For a city or anything smaller the per-enterprise probes are cheaper (thousands of enterprises, not hundreds of
    thousands), so those are used there."""
    if access is not None and (len(access.prefix) >= 4 or not access.region_wide):
        return has_coordinator(Organization.id), covered_by_platform(Organization.id)
    with_coordinator = select(Coordinator.organization_id).where(Coordinator.organization_id.is_not(None))
    if access is not None:
        with_coordinator = with_coordinator.where(visible_coordinators(access))
    platform = aliased(Organization)
    serving = (select(ServiceArea.enterprise_id).join(platform, platform.id == ServiceArea.platform_id)
               .where(platform.active.is_(True), has_coordinator(platform.id)))
    return Organization.id.in_(with_coordinator), Organization.id.in_(serving)


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


def _ratio(value: float, target: float) -> float | None:
    return round(value / target, 2) if target else None


def statistics(access: Access) -> dict:
    """Counts by level, organization kind, subregion and category from one GROUP BY over the coordinators the
    caller may see (the totals are sums of its rows), enterprise coverage in one more statement, and the region's
    target for this year in a third. People without an organization count under their home region (kind "none")."""
    scope = access.scope
    width = child_width(scope)
    part = func.substr(Coordinator.region_code, 1, width or 12).label("part")
    kind, highest = Coordinator.organization_kind, Coordinator.level

    def flag(column):
        return func.sum(case((column.is_(True), 1), else_=0))

    grouped = (select(highest, kind, part, func.count(), flag(RegistryEntry.negotiation_instructor),
                      flag(RegistryEntry.party_member), flag(RegistryEntry.union_cadre),
                      flag(RegistryEntry.full_time))
               .select_from(Coordinator)
               .outerjoin(RegistryEntry, RegistryEntry.user_id == Coordinator.user_id)
               .where(visible_coordinators(access)))
    by_level = {str(k): 0 for k in (4, 3, 2, 1)}
    by_kind: dict[str, int] = defaultdict(int)
    by_category = dict.fromkeys((*CATEGORIES, "full_time", "part_time"), 0)
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for level, org_kind, code, count, *flags in db.session.execute(grouped.group_by(highest, kind, part)):
        total += count
        if level is not None:
            by_level[str(level)] += count
        by_kind[org_kind] += count
        if code:
            counts[code] += count
        for key, value in zip((*CATEGORIES, "full_time"), flags, strict=True):
            by_category[key] += int(value or 0)
    by_category["part_time"] = total - by_category["full_time"]
    by_subregion = []
    if width:
        # Subregions of the national table (provinces, cities, counties) or the loaded township/community names;
        # organizations registered at the scope's own code (shorter than the next level) are in no subregion.
        names = (PROVINCES if width == 2 else CITIES if width == 4 else COUNTIES if width == 6
                 else children_names(scope, width))
        known = [c for c in names if c.startswith(scope) and c != scope.ljust(6, "0")]
        for code in sorted(set(known) | {c for c in counts if len(c) == width and c.startswith(scope)}):
            full = code.ljust(6, "0")
            by_subregion.append({"region_code": full, "name": names.get(code, full), "total": counts.get(code, 0)})
    own, platform = coverage_conditions(access)
    enterprises, by_own, by_platform = db.session.execute(
        select(func.count(), func.sum(case((own, 1), else_=0)),
               func.sum(case((and_(~own, platform), 1), else_=0)))
        .select_from(Organization)
        .where(Organization.kind == "enterprise", Organization.active.is_(True), visible_organizations(access))).one()
    by_own, by_platform = int(by_own or 0), int(by_platform or 0)
    coverage = {"enterprises": enterprises, "covered": by_own + by_platform, "covered_by_own": by_own,
                "covered_by_platform": by_platform, "enterprises_with_coordinator": by_own}
    result = {"region_code": access.code, "scope": scope, "total": total, "by_level": by_level,
              "by_organization_kind": dict(by_kind), "by_subregion": by_subregion, "by_category": by_category,
              "coverage": coverage}
    target = db.session.execute(select(RegionTarget).where(
        RegionTarget.scope == scope, RegionTarget.year == utcnow().year)).scalar() if access.code else None
    if target is not None:
        share = coverage["covered"] / enterprises if enterprises else 0.0
        result["target"] = {"year": target.year, "coordinators": target.coordinators,
                            "coverage_share": target.coverage_share,
                            "actual": {"coordinators": total, "coverage_share": round(share, 4)},
                            "progress": {"coordinators": _ratio(total, target.coordinators),
                                         "coverage_share": _ratio(share, target.coverage_share)}}
    return result


def person_in_scope(actor, user_id: int, *, write: bool = False) -> tuple[User, Organization | None]:
    """The person, if the caller may see them (else 404, as if they did not exist); with `write`, 403 when the caller
    may only read."""
    access = caller_access(actor)
    row = db.session.execute(select(User, Organization).outerjoin(Organization, Organization.id == User.organization_id)
                             .where(User.id == user_id, visible_people(access))).first()
    if row is None:
        raise NotFound("人员不存在或不在您的管辖范围内", {"user_id": "不存在"})
    if write:
        access.require_write()
    return row[0], row[1]


def add_to_registry(actor, *, user_id: int, position: str | None, full_time: bool, certificate_number: str | None,
                    level: int | None) -> RegistryEntry:
    try:
        user, _ = person_in_scope(actor, user_id, write=True)
    except NotFound:
        raise NotFound("用户不存在或不在您的管辖范围内", {"user_id": "用户不存在"}) from None
    if level is not None and level not in (1, 2, 3, 4):
        raise ValidationFailed("等级应为 1–4", {"level": "等级应为 1–4"})
    if certificate_number and level is None:
        raise ValidationFailed("填写外部证书编号时须注明等级", {"level": "必填"})
    if db.session.execute(select(RegistryEntry.id).where(RegistryEntry.user_id == user.id)).scalar():
        raise Conflict("该人员已在信息库中", {"user_id": "已在信息库中"}, code="duplicate")
    entry = RegistryEntry(user_id=user.id, position=(position or "").strip() or None, full_time=full_time,
                          certificate_number=(certificate_number or "").strip().upper() or None, level=level,
                          added_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record_audit("registry.add", "registry_entry", entry.id, new={"user_id": user.id, "level": level,
                                                                  "certificate_number": entry.certificate_number})
    return entry


def record_honor(user_id: int, title: str, granted_by: str, granted_on: date) -> Honor:
    """Add an honor granted elsewhere on the platform to the register (a competition's 技术能手: contests announces
    it, create_app wires this function as its listener)."""
    honor = Honor(user_id=user_id, title=title, granted_by=granted_by, granted_on=granted_on)
    db.session.add(honor)
    db.session.flush()
    return honor
