"""Platforms' service areas, which 人社 departments set: the enterprises a 园区/街道/社区 platform serves (its staff
see their coordinators, its coordinators cover them). Plain functions: they add/flush and audit, the caller
commits."""

from __future__ import annotations

from sqlalchemy import delete, select

from ...auth.models import Organization
from ...core.audit import record_audit
from ...core.errors import NotFound, ValidationFailed
from ...extensions import db
from ..models import ServiceArea
from .access import Access, caller_access, hrss_access

MAX_SERVICE_AREA = 5000


def _platform(access: Access, platform_id: int) -> Organization:
    org = db.session.get(Organization, platform_id)
    if org is None or not org.region_code.startswith(access.scope):
        raise NotFound("机构不存在或不在您的管辖范围内", {"organization_id": "不存在"})
    if org.kind != "platform":
        raise ValidationFailed("只有园区/街道/社区平台有服务范围", {"organization_id": "不是园区/街道/社区平台"})
    return org


def service_area(platform_id: int) -> list[Organization]:
    return list(db.session.execute(
        select(Organization).join(ServiceArea, ServiceArea.enterprise_id == Organization.id)
        .where(ServiceArea.platform_id == platform_id).order_by(Organization.region_code, Organization.id)).scalars())


def read_service_area(actor, platform_id: int) -> tuple[Organization, list[Organization]]:
    """The platform and its enterprises: for admins, region-wide readers of its region and its own staff."""
    access = caller_access(actor)
    org = db.session.get(Organization, platform_id)
    visible = org is not None and (org.id == access.organization_id if not access.region_wide
                                   else org.region_code.startswith(access.scope))
    if not visible:
        raise NotFound("机构不存在或不在您的管辖范围内", {"organization_id": "不存在"})
    if org.kind != "platform":
        raise ValidationFailed("只有园区/街道/社区平台有服务范围", {"organization_id": "不是园区/街道/社区平台"})
    return org, service_area(org.id)


def set_service_area(actor, platform_id: int, enterprise_ids: list[int]) -> list[Organization]:
    """Replace the platform's service area. Every id must be an enterprise inside the caller's scope (else 422
    naming `enterprise_ids`, nothing changed)."""
    access = hrss_access(actor)
    platform = _platform(access, platform_id)
    wanted = sorted(set(enterprise_ids))
    if len(wanted) > MAX_SERVICE_AREA:
        raise ValidationFailed(f"服务范围最多 {MAX_SERVICE_AREA} 家企业", {"enterprise_ids": "企业过多"})
    found = {o.id: o for o in db.session.execute(select(Organization).where(Organization.id.in_(wanted))).scalars()}
    bad = [i for i in wanted if i not in found or found[i].kind != "enterprise"
           or not found[i].region_code.startswith(access.scope)]
    if bad:
        listed = "、".join(str(i) for i in bad[:20]) + ("……" if len(bad) > 20 else "")
        raise ValidationFailed("服务范围只能包含您管辖范围内的企业",
                               {"enterprise_ids": f"不存在、不是企业或不在管辖范围内：{listed}"})
    old = [o.id for o in service_area(platform.id)]
    if old != wanted:
        db.session.execute(delete(ServiceArea).where(ServiceArea.platform_id == platform.id))
        db.session.add_all([ServiceArea(platform_id=platform.id, enterprise_id=i) for i in wanted])
        db.session.flush()
        record_audit("registry.service_area", "organization", platform.id, old={"enterprise_ids": old},
                     new={"enterprise_ids": wanted}, actor_id=actor.id)
    return [found[i] for i in wanted]
