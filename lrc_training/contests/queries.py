"""Reads of the contests area. Other areas read competitions only through this module: the registry's record of
a person (`competition_record_of`), which returns plain values. The rest serve the area's own pages (the views
hold no SQL): a row by its id, the competitions list, a competition's people, the public notice and a contestant's
own page; lists load what their templates show in a fixed number of statements."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..auth.models import Organization, User
from ..extensions import db
from .models import (
    AWARD_LABELS,
    Appeal,
    Competition,
    CompetitionOfficial,
    JudgeAssignment,
    JudgingSheet,
    Qualification,
    Registration,
    Reward,
)
from .services.results import result_rows

PUBLIC_STATES = ("published", "final")


def rewards_by_registration(user_id: int) -> dict[int, list[str]]:
    """{registration id: the titles of the person's rewards there} (promotions and honor titles)."""
    rewards: dict[int, list[str]] = {}
    for registration_id, title in db.session.execute(select(Reward.registration_id, Reward.title).where(
            Reward.user_id == user_id).order_by(Reward.id)):
        rewards.setdefault(registration_id, []).append(title)
    return rewards


def competition_record_of(user_id: int) -> list[dict]:
    """The person's competitions whose results are published or final, newest first: title, state (Chinese),
    rank, award (Chinese, or None) and the titles of the rewards recorded for them."""
    rewards = rewards_by_registration(user_id)
    record = []
    for registration, competition in db.session.execute(
            select(Registration, Competition).join(Competition, Competition.id == Registration.competition_id)
            .where(Registration.user_id == user_id, Competition.state.in_(PUBLIC_STATES))
            .order_by(Competition.published_at.desc())):
        row = next((r for r in result_rows(competition) if r["user_id"] == user_id), None)
        record.append({"title": competition.title, "state": competition.state_label,
                       "rank": row["rank"] if row else None,
                       "award": AWARD_LABELS.get(row["award"]) if row and row["award"] else None,
                       "rewards": rewards.get(registration.id, [])})
    return record


# --- one row by its id (None when there is none) --------------------------------------------------------------------

def competition_by_id(competition_id: int) -> Competition | None:
    return db.session.get(Competition, competition_id)


def registration_by_id(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


def appeal_by_id(appeal_id: int) -> Appeal | None:
    return db.session.get(Appeal, appeal_id)


def sheet_by_id(sheet_id: int) -> JudgingSheet | None:
    return db.session.get(JudgingSheet, sheet_id)


# --- the competitions list --------------------------------------------------------------------------------------------

def competitions_listed() -> list[Competition]:
    """Every competition, newest first, with its items and organization loaded (the list reads in fixed statements)."""
    return list(db.session.execute(select(Competition).options(
        selectinload(Competition.items), joinedload(Competition.organization)).order_by(
        Competition.id.desc())).scalars().all())


def registrations_by_competition(user_id: int) -> dict[int, Registration]:
    """{competition id: the person's registration there}."""
    return {r.competition_id: r for r in db.session.execute(select(Registration).where(
        Registration.user_id == user_id)).scalars()}


def chaired_competition_ids(user_id: int) -> set[int]:
    """The competitions where the person is a chief judge (of any item)."""
    return set(db.session.execute(select(JudgeAssignment.competition_id).where(
        JudgeAssignment.user_id == user_id, JudgeAssignment.is_chief.is_(True))).scalars())


def supervised_competition_ids(user_id: int) -> set[int]:
    """The competitions where the person is designated supervisor (监督仲裁)."""
    return set(db.session.execute(select(CompetitionOfficial.competition_id).where(
        CompetitionOfficial.user_id == user_id, CompetitionOfficial.duty == "supervisor")).scalars())


# --- a competition's people -----------------------------------------------------------------------------------------

def _with_people():
    """A registration's person and their organization, in the same statement (without their roles)."""
    return joinedload(Registration.user).options(joinedload(User.organization), lazyload(User.role_rows))


def registrations_of(competition_id: int) -> list[Registration]:
    """The competition's registrations in the order they came, each with its person and organization."""
    return list(db.session.execute(select(Registration).options(_with_people()).where(
        Registration.competition_id == competition_id).order_by(Registration.id)).scalars().all())


def check_in_list(competition_id: int) -> list[Registration]:
    """The approved registrations, those still to check in first, each with its person and organization."""
    return list(db.session.execute(select(Registration).options(_with_people()).where(
        Registration.competition_id == competition_id, Registration.status == "approved")
        .order_by(Registration.checked_in_at.is_not(None), Registration.id)).scalars().all())


def judges_of(competition_id: int) -> list[tuple[JudgeAssignment, User]]:
    """The competition's judge assignments with their judges, in the order they were made."""
    return [(assignment, user) for assignment, user in db.session.execute(
        select(JudgeAssignment, User).join(User, User.id == JudgeAssignment.user_id).where(
            JudgeAssignment.competition_id == competition_id).order_by(JudgeAssignment.id))]


def qualifications_of(competition_id: int) -> list[Qualification]:
    """The qualifiers already taken into the competition from earlier rounds."""
    return list(db.session.execute(select(Qualification).where(
        Qualification.competition_id == competition_id)).scalars().all())


def rewards_of(competition_id: int) -> list[Reward]:
    """The competition's rewards (promotions, honor titles), each with its person."""
    return list(db.session.execute(select(Reward).options(joinedload(Reward.user).lazyload(User.role_rows)).where(
        Reward.competition_id == competition_id).order_by(Reward.id)).scalars().all())


def organizations_by_contestant(competition_id: int) -> dict[int, str]:
    """{user id: the name of the organization they registered for} (the public notice's column)."""
    return dict(db.session.execute(select(Registration.user_id, Organization.name).join(
        Organization, Organization.id == Registration.organization_id).where(
        Registration.competition_id == competition_id)).all())


def public_competitions() -> Select:
    """The competitions whose results are published or final, most recently published first (to paginate)."""
    return select(Competition).options(joinedload(Competition.organization)).where(
        Competition.state.in_(PUBLIC_STATES)).order_by(Competition.published_at.desc(), Competition.id.desc())


# --- a contestant's own page ----------------------------------------------------------------------------------------

def registration_in(competition_id: int, user_id: int) -> Registration | None:
    """The person's registration for the competition, if any."""
    return db.session.execute(select(Registration).where(
        Registration.competition_id == competition_id, Registration.user_id == user_id)).scalar()


def appeals_filed(registration_id: int) -> list[Appeal]:
    """The appeals filed on a registration, newest first."""
    return list(db.session.execute(select(Appeal).where(Appeal.registration_id == registration_id)
                                   .order_by(Appeal.id.desc())).scalars().all())


def rewards_of_registration(registration_id: int) -> list[Reward]:
    return list(db.session.execute(select(Reward).where(Reward.registration_id == registration_id)).scalars().all())
