"""Who counts as a coordinator, region scopes, the registry list and statistics — aggregated in SQL."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, func, or_, select, union_all

from ..auth.models import Organization, User
from ..auth.roles import ADMIN, ORG_STAFF
from ..certificates.models import Certificate
from ..core.audit import record_audit
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.region_names import children_names
from ..core.regions import CITIES, COUNTIES, PROVINCES, child_width, region_scope, validate_region_code
from ..extensions import db
from .models import Honor, RegistryEntry


def caller_scope(actor) -> str:
    """'' for admins (everything); the organization's region prefix for staff (37, 3715, 371502)."""
    if actor.has_role(ADMIN):
        return ""
    if not actor.has_role(ORG_STAFF) or actor.organization is None:
        raise Forbidden("无权查看信息库")
    return region_scope(actor.organization.region_code)


def resolve_scope(actor, region_code: str | None) -> tuple[str, str | None]:
    """(prefix, region code) for a request: the caller's own scope, or a code inside it (else 403)."""
    own = caller_scope(actor)
    if not region_code:
        code = actor.organization.region_code if own else None
        return own, code
    reason = validate_region_code(region_code)
    if reason:
        raise ValidationFailed(reason, {"region_code": reason})
    wanted = region_scope(region_code)
    if not wanted.startswith(own):
        raise Forbidden("该地区不在您的管辖范围内", {"region_code": "超出管辖范围"})
    return wanted, region_code


def coordinator_levels(prefix: str = ""):
    """Subquery (user_id, level): one row per person who is a coordinator, with their highest level. With a region
    prefix only people of organizations in that region are read (a county does not group the whole province)."""
    certified = select(Certificate.holder_user_id.label("user_id"), Certificate.level.label("level")).where(
        Certificate.kind == "level", Certificate.status == "valid", Certificate.holder_user_id.is_not(None))
    registered = select(RegistryEntry.user_id.label("user_id"), RegistryEntry.level.label("level"))
    if prefix:
        certified = certified.join(User, User.id == Certificate.holder_user_id)
        registered = registered.join(User, User.id == RegistryEntry.user_id)
        certified, registered = (
            stmt.join(Organization, Organization.id == User.organization_id)
            .where(Organization.region_code.startswith(prefix)) for stmt in (certified, registered))
    both = union_all(certified, registered).subquery()
    return (select(both.c.user_id, func.min(both.c.level).label("level"))
            .group_by(both.c.user_id).subquery())


def is_coordinator(user_id):
    """SQL condition: the person holds a valid level certificate or has a registry record (as coordinator_levels)."""
    return or_(select(Certificate.id).where(Certificate.holder_user_id == user_id, Certificate.kind == "level",
                                            Certificate.status == "valid").exists(),
               select(RegistryEntry.id).where(RegistryEntry.user_id == user_id).exists())


def has_coordinator(organization_id):
    """SQL condition: the organization has at least one coordinator (index probes per organization, no grouping)."""
    return select(User.id).where(User.organization_id == organization_id, is_coordinator(User.id)).exists()


def _scoped(stmt: Select, prefix: str) -> Select:
    return stmt.where(Organization.region_code.startswith(prefix)) if prefix else stmt


def registry_query(prefix: str, level: int | None = None, organization_kind: str | None = None) -> Select:
    levels = coordinator_levels(prefix)
    stmt = (select(User, Organization, levels.c.level)
            .join(levels, levels.c.user_id == User.id)
            .join(Organization, Organization.id == User.organization_id)
            .order_by(Organization.region_code, User.id))
    stmt = _scoped(stmt, prefix)
    if level:
        stmt = stmt.where(levels.c.level == level)
    if organization_kind:
        stmt = stmt.where(Organization.kind == organization_kind)
    return stmt


def registry_rows(rows) -> list[dict]:
    """Serialize a page of (user, organization, level) rows with two more queries (certificates, honors)."""
    user_ids = [user.id for user, _, _ in rows]
    numbers, honors = defaultdict(list), defaultdict(list)
    if user_ids:
        for user_id, number in db.session.execute(select(Certificate.holder_user_id, Certificate.number).where(
                Certificate.holder_user_id.in_(user_ids), Certificate.status == "valid").order_by(Certificate.id)):
            numbers[user_id].append(number)
        for user_id, number in db.session.execute(select(RegistryEntry.user_id, RegistryEntry.certificate_number).where(
                RegistryEntry.user_id.in_(user_ids), RegistryEntry.certificate_number.is_not(None))):
            numbers[user_id].append(number)
        for honor in db.session.execute(select(Honor).where(Honor.user_id.in_(user_ids)).order_by(Honor.granted_on)
                                        ).scalars():
            honors[honor.user_id].append({"title": honor.title, "granted_by": honor.granted_by,
                                          "granted_on": honor.granted_on.isoformat()})
    return [{"user_id": user.id, "name": user.name, "organization_id": org.id, "organization_name": org.name,
             "organization_kind": org.kind, "region_code": org.region_code,
             "highest_level": str(level) if level is not None else None,
             "certificate_numbers": numbers[user.id], "honors": honors[user.id]} for user, org, level in rows]


def export_rows(prefix: str) -> list[dict]:
    """Every coordinator in scope for the Excel export, in four statements however many there are: plain columns
    (no User objects, whose roles would load in batches), and certificate numbers and honors joined on the same
    scope instead of an IN list of every id."""
    levels = coordinator_levels(prefix)
    people = db.session.execute(_scoped(
        select(User.id, User.name, Organization.name, Organization.kind, Organization.region_code, levels.c.level)
        .join(levels, levels.c.user_id == User.id).join(Organization, Organization.id == User.organization_id),
        prefix).order_by(Organization.region_code, User.id)).all()
    numbers, honors = defaultdict(list), defaultdict(list)
    in_scope = _scoped(select(User.id).join(Organization, Organization.id == User.organization_id),
                       prefix).scalar_subquery() if prefix else None

    def scoped(stmt, column):
        return stmt.where(column.in_(in_scope)) if in_scope is not None else stmt

    for user_id, number in db.session.execute(scoped(select(Certificate.holder_user_id, Certificate.number).where(
            Certificate.status == "valid", Certificate.holder_user_id.is_not(None)), Certificate.holder_user_id)
            .order_by(Certificate.id)):
        numbers[user_id].append(number)
    for user_id, number in db.session.execute(scoped(select(RegistryEntry.user_id, RegistryEntry.certificate_number)
                                                     .where(RegistryEntry.certificate_number.is_not(None)),
                                                     RegistryEntry.user_id)):
        numbers[user_id].append(number)
    for user_id, title in db.session.execute(scoped(select(Honor.user_id, Honor.title), Honor.user_id)
                                             .order_by(Honor.granted_on)):
        honors[user_id].append(title)
    return [{"user_id": user_id, "name": name, "organization_name": org_name, "organization_kind": kind,
             "region_code": region_code, "highest_level": str(level) if level is not None else None,
             "certificate_numbers": numbers[user_id], "honors": honors[user_id]}
            for user_id, name, org_name, kind, region_code, level in people]


def statistics(prefix: str, region_code: str | None) -> dict:
    """Counts by level, organization kind and subregion from one GROUP BY over the coordinators in scope (the
    totals are sums of its rows), plus enterprise coverage."""
    levels = coordinator_levels(prefix)
    width = child_width(prefix)
    part = func.substr(Organization.region_code, 1, width or 12).label("part")
    grouped = _scoped(select(levels.c.level, Organization.kind, part, func.count())
                      .join(User, User.id == levels.c.user_id)
                      .join(Organization, Organization.id == User.organization_id), prefix)
    by_level = {str(k): 0 for k in (4, 3, 2, 1)}
    by_kind: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for level, kind, code, count in db.session.execute(grouped.group_by(levels.c.level, Organization.kind, part)):
        total += count
        if level is not None:
            by_level[str(level)] += count
        by_kind[kind] += count
        counts[code] += count
    by_subregion = []
    if width:
        # Subregions of the national table (provinces, cities, counties) or the loaded township/community names;
        # organizations registered at the scope's own code (shorter than the next level) are in no subregion.
        names = (PROVINCES if width == 2 else CITIES if width == 4 else COUNTIES if width == 6
                 else children_names(prefix, width))
        known = [c for c in names if c.startswith(prefix) and c != prefix.ljust(6, "0")]
        for code in sorted(set(known) | {c for c in counts if len(c) == width}):
            full = code.ljust(6, "0")
            by_subregion.append({"region_code": full, "name": names.get(code, full), "total": counts.get(code, 0)})
    by_kind = dict(by_kind)
    enterprises = _scoped(select(func.count()).select_from(Organization).where(
        Organization.kind == "enterprise", Organization.active.is_(True)), prefix)
    covered = _scoped(select(func.count()).select_from(Organization).where(
        Organization.kind == "enterprise", Organization.active.is_(True), has_coordinator(Organization.id)), prefix)
    return {"region_code": region_code, "scope": prefix, "total": total, "by_level": by_level,
            "by_organization_kind": by_kind, "by_subregion": by_subregion,
            "coverage": {"enterprises": db.session.execute(enterprises).scalar_one(),
                         "enterprises_with_coordinator": db.session.execute(covered).scalar_one()}}


def add_to_registry(actor, *, user_id: int, position: str | None, full_time: bool, certificate_number: str | None,
                    level: int | None) -> RegistryEntry:
    prefix = caller_scope(actor)
    user = db.session.get(User, user_id)
    org = db.session.get(Organization, user.organization_id) if user and user.organization_id else None
    if user is None or org is None or not org.region_code.startswith(prefix):
        raise NotFound("用户不存在或不在您的管辖范围内", {"user_id": "用户不存在"})
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

