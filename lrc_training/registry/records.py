"""One coordinator's registry record: what the platform knows about them (organization, level, certificates,
training, competitions, honors) and the fields staff maintain (position, full-time or part-time, start date),
edited with a version check and audited. Everything is limited to the caller's region scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..auth.models import Organization, User
from ..certificates.models import Certificate
from ..core.audit import record_audit
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..courses.models import Course, Enrollment
from ..extensions import db
from .models import Honor, RegistryEntry
from .services import caller_scope, coordinator_levels


def person_in_scope(actor, user_id: int) -> tuple[User, Organization]:
    """The person, if their organization is inside the caller's scope (else 404, as if they did not exist)."""
    prefix = caller_scope(actor)
    row = db.session.execute(select(User, Organization).join(Organization, Organization.id == User.organization_id)
                             .where(User.id == user_id)).first()
    if row is None or not row[1].region_code.startswith(prefix):
        raise NotFound("人员不存在或不在您的管辖范围内", {"user_id": "不存在"})
    return row[0], row[1]


@dataclass
class Profile:
    user: User
    organization: Organization
    entry: RegistryEntry | None
    level: int | None
    certificates: list[Certificate] = field(default_factory=list)
    courses: list[dict] = field(default_factory=list)
    training_hours: float = 0
    competitions: list[dict] = field(default_factory=list)
    honors: list[Honor] = field(default_factory=list)


def profile(actor, user_id: int) -> Profile:
    user, org = person_in_scope(actor, user_id)
    levels = coordinator_levels()
    level = db.session.execute(select(levels.c.level).where(levels.c.user_id == user.id)).scalar()
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == user.id)).scalar()
    certificates = list(db.session.execute(select(Certificate).where(Certificate.holder_user_id == user.id)
                                           .order_by(Certificate.issued_on.desc())).scalars())
    courses = [{"title": title, "hours": float(hours or 0), "completed_at": completed_at}
               for title, hours, completed_at in db.session.execute(
                   select(Course.title, Enrollment.hours_attended, Enrollment.completed_at)
                   .join(Course, Course.id == Enrollment.course_id)
                   .where(Enrollment.user_id == user.id, Enrollment.status == "completed")
                   .order_by(Enrollment.completed_at.desc()))]
    from ..contests.models import AWARD_LABELS, Competition, Registration, Reward

    rewards: dict[int, list[str]] = {}
    for registration_id, title in db.session.execute(select(Reward.registration_id, Reward.title).where(
            Reward.user_id == user.id)):
        rewards.setdefault(registration_id, []).append(title)
    competitions = []
    for registration, competition in db.session.execute(
            select(Registration, Competition).join(Competition, Competition.id == Registration.competition_id)
            .where(Registration.user_id == user.id, Competition.state.in_(("published", "final")))
            .order_by(Competition.published_at.desc())):
        from ..contests.results import result_rows

        row = next((r for r in result_rows(competition) if r["user_id"] == user.id), None)
        competitions.append({"title": competition.title, "state": competition.state_label,
                             "rank": row["rank"] if row else None,
                             "award": AWARD_LABELS.get(row["award"]) if row and row["award"] else None,
                             "rewards": rewards.get(registration.id, [])})
    honors = list(db.session.execute(select(Honor).where(Honor.user_id == user.id)
                                     .order_by(Honor.granted_on.desc())).scalars())
    return Profile(user, org, entry, level, certificates, courses, sum(c["hours"] for c in courses),
                   competitions, honors)


def _entry_view(entry: RegistryEntry | None) -> dict:
    if entry is None:
        return {}
    return {"position": entry.position, "full_time": entry.full_time,
            "started_on": entry.started_on.isoformat() if entry.started_on else None}


def update_entry(actor, user_id: int, *, position: str | None, full_time: bool, started_on: date | None,
                 version: int | None) -> RegistryEntry:
    """Save the staff-maintained fields. `version` is the record's version the editor saw (None: there was no
    record yet); a different one means someone else saved first (409, nothing overwritten)."""
    user, _ = person_in_scope(actor, user_id)
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == user.id)).scalar()
    if (entry.version if entry else None) != version:
        raise Conflict("该记录已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    position = (position or "").strip() or None
    if position is not None and len(position) > 100:
        raise ValidationFailed("职务不超过 100 个字符", {"position": "不超过 100 个字符"})
    if started_on is not None and started_on > date.today():
        raise ValidationFailed("从事本职业起始日期不能晚于今天", {"started_on": "不能晚于今天"})
    old = _entry_view(entry)
    if entry is None:
        entry = RegistryEntry(user_id=user.id, added_by_id=actor.id)
        db.session.add(entry)
    entry.position, entry.full_time, entry.started_on = position, full_time, started_on
    db.session.flush()  # the version goes up by one (VersionMixin)
    record_audit("registry.update", "registry_entry", entry.id, old=old, new=_entry_view(entry), actor_id=actor.id)
    return entry


def scope_count(prefix: str) -> int:
    levels = coordinator_levels(prefix)
    stmt = (select(func.count()).select_from(levels).join(User, User.id == levels.c.user_id)
            .join(Organization, Organization.id == User.organization_id))
    if prefix:
        stmt = stmt.where(Organization.region_code.startswith(prefix))
    return db.session.execute(stmt).scalar_one()
