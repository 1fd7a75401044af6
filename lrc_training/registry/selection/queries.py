"""Reads of selections, shared by the pages, the API and the services: which region a caller manages, the rounds
a caller has some capacity in, the nominations they may see, the panel, a reviewer's scores, the objections and
the public notices. Nothing here changes a row or decides a permission (services.rounds does, with these)."""

from __future__ import annotations

from sqlalchemy import Select, exists, false, or_, select

from ...auth.models import Organization, User
from ...auth.roles import ADMIN, ORG_STAFF
from ...core.regions import region_scope
from ...extensions import db
from ..services.access import is_coordinator
from .models import Nomination, Objection, Reviewer, Score, SelectionRound

PUBLIC_STATES = ("notice", "final")  # the states in which the public sees a round


# -- rounds ------------------------------------------------------------------------------------------------------

def hrss_scope(actor) -> str | None:
    """'' for admins (every round); the region scope of an hrss organization's staff; None for anyone else."""
    if actor.has_role(ADMIN):
        return ""
    org = actor.organization if actor.has_role(ORG_STAFF) else None
    if org is None or org.kind != "hrss":
        return None
    return region_scope(org.region_code)


def round_scope(rnd: SelectionRound) -> str:
    return region_scope(rnd.region_code)


def rounds_query(actor) -> Select:
    """The rounds the caller has some capacity in, newest first (one statement)."""
    scope = hrss_scope(actor)
    managed = round_scope_condition(scope) if scope is not None else false()
    org = actor.organization if actor.has_role(ORG_STAFF) else None
    conditions = [managed, (SelectionRound.state != "draft") & SelectionRound.id.in_(
        select(Reviewer.round_id).where(Reviewer.user_id == actor.id))]
    if org is not None and org.kind != "hrss":
        conditions.append((SelectionRound.state != "draft") & SelectionRound.region_code.in_(
            enclosing_codes(org.region_code)))
    return select(SelectionRound).where(or_(*conditions)).order_by(SelectionRound.id.desc())


def enclosing_codes(code: str) -> list[str]:
    """The region codes whose scope contains `code` (371502001 → 370000, 371500, 371502, 371502001)."""
    widths = [w for w in (2, 4, 6, 9, 12) if w <= len(code)]
    return sorted({code[:w].ljust(6, "0") for w in widths})


def round_scope_condition(scope: str):
    return SelectionRound.region_code.startswith(scope) if scope else SelectionRound.id.is_not(None)


def has_open_round(user) -> bool:
    """Whether a non-hrss organization's staff member may nominate in some round now (the 推荐 entry)."""
    org = user.organization
    if org is None or org.kind == "hrss":
        return False
    return bool(db.session.execute(select(rounds_query(user).where(
        SelectionRound.state == "nominating").exists())).scalar())


def is_reviewer(user) -> bool:
    """Whether the user sits on any round's panel (the 评审任务 entry)."""
    return bool(db.session.execute(select(exists().where(Reviewer.user_id == user.id))).scalar())


def review_rounds(user) -> Select:
    """The rounds the user reviews, once they are open, newest first."""
    return select(SelectionRound).join(Reviewer, Reviewer.round_id == SelectionRound.id).where(
        Reviewer.user_id == user.id, SelectionRound.state != "draft").order_by(SelectionRound.id.desc())


# -- nominations and the panel -----------------------------------------------------------------------------------

def nominations_query(rnd: SelectionRound, caps: frozenset[str], actor) -> Select:
    """(nomination, organization, nominee or None) rows the caller may see: all of them for managers and
    reviewers, the caller's own organization's for nominating staff."""
    stmt = (select(Nomination, Organization, User)
            .join(Organization, Organization.id == Nomination.organization_id)
            .outerjoin(User, User.id == Nomination.nominee_user_id)
            .where(Nomination.round_id == rnd.id).order_by(Nomination.id))
    if "manage" in caps or ("review" in caps and rnd.state != "nominating"):
        return stmt
    if "nominate" in caps:
        return stmt.where(Nomination.organization_id == actor.organization_id)
    return stmt.where(false())


def nominee_choices(actor) -> list[tuple[int, str]]:
    """The caller's organization's coordinators (the nomination form's picker)."""
    if actor.organization_id is None:
        return []
    return [(uid, name) for uid, name in db.session.execute(
        select(User.id, User.name).where(User.organization_id == actor.organization_id, User.active.is_(True),
                                         is_coordinator(User.id)).order_by(User.name, User.id))]


def reviewers_of(round_id: int) -> list[tuple[Reviewer, User]]:
    return list(db.session.execute(select(Reviewer, User).join(User, User.id == Reviewer.user_id)
                                   .where(Reviewer.round_id == round_id).order_by(Reviewer.id)).tuples())


def my_scores(round_id: int, reviewer_id: int) -> dict[int, Score]:
    return {s.nomination_id: s for s in db.session.execute(select(Score).join(
        Nomination, Nomination.id == Score.nomination_id).where(Nomination.round_id == round_id,
                                                                 Score.reviewer_user_id == reviewer_id)).scalars()}


# -- the notice and objections -----------------------------------------------------------------------------------

def public_rounds():
    """Rounds the public may see, newest notice first."""
    return (select(SelectionRound, Organization.name).join(Organization, Organization.id == SelectionRound.organization_id)
            .where(SelectionRound.state.in_(PUBLIC_STATES)).order_by(SelectionRound.notice_starts_at.desc()))


def objections_of(round_id: int) -> list[Objection]:
    return list(db.session.execute(select(Objection).where(Objection.round_id == round_id)
                                   .order_by(Objection.id)).scalars())
