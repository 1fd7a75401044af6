"""Reads of the contests area. Other areas read competitions only through this module: the registry's record of
a person (`competition_record_of`). Everything here is a read and returns plain values."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import AWARD_LABELS, Competition, Registration, Reward
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
