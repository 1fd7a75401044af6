"""One coordinator's registry record: what the platform knows about them (organization, level, certificates,
training, competitions, honors) and the fields staff maintain (position, full-time or part-time, start date,
categories), edited with a version check and audited; adding a coordinator certified elsewhere. Everything is
limited to the caller's region scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from ...auth.models import Organization, User
from ...certificates.queries import certificates_of
from ...contests.queries import competition_record_of
from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...courses.queries import completion_record_of
from ...extensions import db
from ..models import CATEGORIES, Coordinator, Honor, RegistryEntry
from ..schemas.inputs import AddIn
from .access import person_in_scope


@dataclass
class Profile:
    user: User
    organization: Organization | None
    entry: RegistryEntry | None
    level: int | None
    certificates: list = field(default_factory=list)  # certificates.queries.certificates_of
    courses: list[dict] = field(default_factory=list)
    training_hours: float = 0
    competitions: list[dict] = field(default_factory=list)
    honors: list[Honor] = field(default_factory=list)


def profile(actor, user_id: int) -> Profile:
    user, org = person_in_scope(actor, user_id)
    level = db.session.execute(select(Coordinator.level).where(Coordinator.user_id == user.id)).scalar()
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == user.id)).scalar()
    certificates = certificates_of(user.id)
    courses = completion_record_of(user.id)
    competitions = competition_record_of(user.id)
    honors = list(db.session.execute(select(Honor).where(Honor.user_id == user.id)
                                     .order_by(Honor.granted_on.desc())).scalars())
    return Profile(user, org, entry, level, certificates, courses, sum(c["hours"] for c in courses),
                   competitions, honors)


def _entry_view(entry: RegistryEntry | None) -> dict:
    if entry is None:
        return {}
    return {"position": entry.position, "full_time": entry.full_time,
            "started_on": entry.started_on.isoformat() if entry.started_on else None, "category": entry.categories}


def update_entry(actor, user_id: int, *, position: str | None, full_time: bool, started_on: date | None,
                 version: int | None, category: list[str] | None = None) -> RegistryEntry:
    """Save the staff-maintained fields (`category`: None keeps the categories as they are). `version` is the
    record's version the editor saw (None: there was no record yet); a different one means someone else saved first
    (409, nothing overwritten). Only callers who may write the registry (404 outside their view, 403 read-only)."""
    user, _ = person_in_scope(actor, user_id, write=True)
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == user.id)).scalar()
    if (entry.version if entry else None) != version:
        raise Conflict("该记录已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    position = (position or "").strip() or None
    if position is not None and len(position) > 100:
        raise ValidationFailed("职务不超过 100 个字符", {"position": "不超过 100 个字符"})
    if started_on is not None and started_on > date.today():
        raise ValidationFailed("从事本职业起始日期不能晚于今天", {"started_on": "不能晚于今天"})
    unknown = sorted(set(category or ()) - set(CATEGORIES))
    if unknown:
        raise ValidationFailed("人员类别只能是集体协商指导员、党员、工会干部", {"category": "未知类别：" + "、".join(unknown)})
    old = _entry_view(entry)
    if entry is None:
        entry = RegistryEntry(user_id=user.id, added_by_id=actor.id)
        db.session.add(entry)
    entry.position, entry.full_time, entry.started_on = position, full_time, started_on
    if category is not None:
        for key in CATEGORIES:
            setattr(entry, key, key in category)
    db.session.flush()  # the version goes up by one (VersionMixin)
    record_audit("registry.update", "registry_entry", entry.id, old=old, new=_entry_view(entry), actor_id=actor.id)
    return entry


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


def add_named(actor, data: AddIn) -> RegistryEntry:
    """add_to_registry for the person a username or ID number names (the 加入信息库 page); 404 as for anyone
    outside the caller's scope when it names nobody."""
    who = data.person.strip()
    user_id = db.session.execute(select(User.id).where(or_(User.username == who, User.id_number == who.upper()))
                                 ).scalar()
    return add_to_registry(actor, user_id=user_id if user_id is not None else -1, position=data.position,
                           full_time=data.full_time, certificate_number=data.certificate_number, level=data.level)
