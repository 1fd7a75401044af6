"""Who runs a competition: the committee (its organization's staff, and admins). Load-and-authorise in one step:
anyone else gets 404, the same answer as for a competition that does not exist."""

from __future__ import annotations

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.loading import get_allowed
from ..models import Competition


def is_committee(actor, competition: Competition) -> bool:
    return actor is not None and (actor.has_role(ADMIN) or (
        actor.has_role(ORG_STAFF) and actor.organization_id == competition.organization_id))


def get_competition_for_committee(actor, competition_id: int) -> Competition:
    return get_allowed(Competition, competition_id, lambda competition: is_committee(actor, competition), "竞赛不存在")
