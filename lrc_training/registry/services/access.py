"""Who may see and change what in the registry: an Access per caller (region prefix, own organization, platform
service area, write or read), the SQL conditions that limit people, organizations and coordinators to it, who counts
as a coordinator and which enterprises are covered — and load-and-authorise for one person (404 outside)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased

from ...auth.models import Organization, User
from ...auth.roles import ADMIN, ORG_STAFF
from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.regions import region_scope, validate_region_code
from ...extensions import db
from ..models import Coordinator, ServiceArea

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


def hrss_access(actor) -> Access:
    """Admins, or staff of a 人社 department (registry write access): else 403."""
    access = caller_access(actor)
    if not (access.write and access.region_wide):
        raise Forbidden("只有人力资源社会保障部门可以设置", code="forbidden")
    return access


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


def person_in_region(prefix: str):
    """SQL: the person's region (their organization's, else their home region: the ID number's first 6 digits)
    starts with `prefix` — written as two branches (with an organization, without one) so that PostgreSQL estimates
    how many people match and joins them by hash: a COALESCE made it expect 500 of a province's 100,000 and probe
    certificates one person at a time (bench/registry.py)."""
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

