"""Nominations (推荐): staff of an organization in the round's scope nominate their own people (or, for an
organization round, their organization) with the grounds; what the platform knows of the nominee is attached at that
moment (work records by kind, certificates) so the panel scores what was true when nominated.

Limits: the round must be open and before its deadline (409 after), at most `per_org_limit` nominations per
organization (409), the same nominee once per round (409). A person nominee must be a coordinator of the
nominating organization; anyone else is refused with the same words whether they exist or not."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ....auth.models import Organization, User
from ....certificates.queries import certificates_of
from ....core.audit import record_audit
from ....core.errors import Conflict, ValidationFailed
from ....core.levels import level_label
from ....extensions import db
from ...models import WORK_KINDS, RegistryEntry, WorkRecord
from ...services.access import is_coordinator
from ...services.work import work_counts
from ..models import Nomination, SelectionRound
from ..schemas import NominationIn
from .rounds import get_round


def person_snapshot(user_id: int) -> dict:
    """Work records by kind and certificates (the platform's valid ones and one recorded from elsewhere)."""
    certificates = [{"number": c.number, "kind": c.kind_label, "level": level_label(c.level) if c.level else "",
                     "award": c.award or "", "issued_on": c.issued_on.isoformat()}
                    for c in certificates_of(user_id) if c.status == "valid"]
    external = db.session.execute(select(RegistryEntry.certificate_number, RegistryEntry.level).where(
        RegistryEntry.user_id == user_id, RegistryEntry.certificate_number.is_not(None))).first()
    if external is not None:
        certificates.append({"number": external[0], "kind": "外部机构签发", "level": level_label(external[1]),
                             "award": "", "issued_on": ""})
    return {"work": work_counts(user_id), "certificates": certificates}


def organization_snapshot(org_id: int) -> dict:
    """How many coordinators the organization has and their work records by kind."""
    people = select(User.id).where(User.organization_id == org_id, is_coordinator(User.id)).scalar_subquery()
    coordinators = db.session.execute(select(func.count()).where(User.organization_id == org_id,
                                                                 is_coordinator(User.id))).scalar_one()
    counts = dict(db.session.execute(select(WorkRecord.kind, func.count()).where(WorkRecord.user_id.in_(people))
                                     .group_by(WorkRecord.kind)).all())
    return {"coordinators": coordinators, "work": {kind: counts.get(kind, 0) for kind in WORK_KINDS}}


def _nominee(rnd: SelectionRound, org: Organization, user_id: int | None) -> tuple[User | None, str]:
    if rnd.kind == "organization":
        return None, f"o:{org.id}"
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.organization_id != org.id or not user.active:
        raise ValidationFailed("只能推荐本单位的人员", {"user_id": "不是本单位的人员"})
    if not db.session.execute(select(is_coordinator(user.id))).scalar():
        raise ValidationFailed("被推荐人须为劳动关系协调员", {"user_id": "不是劳动关系协调员"})
    return user, f"u:{user.id}"


def nominate(actor, round_id: int, data: NominationIn) -> Nomination:
    """Nominate (audited). The round row is locked while counting, so two staff of one organization cannot both
    take its last place. The grounds' length is the schema's."""
    rnd, _ = get_round(actor, round_id, "nominate", lock=True)
    if not rnd.accepts_nominations:
        raise Conflict("推荐已截止" if rnd.state == "nominating" else "本次评选不在推荐阶段",
                       {"nomination_deadline": "已截止"}, code="closed")
    org = actor.organization
    user, key = _nominee(rnd, org, data.user_id)
    if db.session.execute(select(Nomination.id).where(Nomination.round_id == rnd.id,
                                                      Nomination.nominee_key == key)).scalar():
        raise Conflict("已推荐过该" + ("人员" if user else "单位"), {"user_id": "已推荐"}, code="duplicate")
    used = db.session.execute(select(func.count()).where(Nomination.round_id == rnd.id,
                                                         Nomination.organization_id == org.id)).scalar_one()
    if used >= rnd.per_org_limit:
        raise Conflict(f"每个单位最多推荐 {rnd.per_org_limit} 名", {"user_id": "已达推荐名额"}, code="limit")
    snapshot = person_snapshot(user.id) if user else organization_snapshot(org.id)
    nomination = Nomination(round_id=rnd.id, organization_id=org.id, nominee_user_id=user.id if user else None,
                            nominee_key=key, grounds=data.grounds, snapshot=snapshot, nominated_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
    except IntegrityError:  # the same nominee a moment ago, from another request
        raise Conflict("已推荐过该人员", {"user_id": "已推荐"}, code="duplicate") from None
    record_audit("selection.nominate", "selection_nomination", nomination.id, actor_id=actor.id,
                 new={"round_id": rnd.id, "organization_id": org.id, "nominee": key})
    return nomination


def nominee_name(nomination: Nomination, organization: Organization, user: User | None) -> str:
    return user.name if user is not None else organization.name
