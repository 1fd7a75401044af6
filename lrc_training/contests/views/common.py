"""What the contests pages share: a competition loaded for its committee (404 for anyone else)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ...core.errors import DomainError
from ..models import Competition
from ..services.access import get_competition_for_committee


def committee_competition(competition_id: int) -> Competition:
    try:
        return get_competition_for_committee(current_user, competition_id)
    except DomainError:
        abort(404)
