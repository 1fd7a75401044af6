"""Honor certificates (荣誉证书) of a selection: a registry-owned PDF with the award's number and a QR code that
opens the public check page (/registry/selections/honors/<number>). It is not a 职业技能等级证书 and goes through
none of the certificates area's numbering.

Who may download one: the winner, staff of the nominating organization, the round's managers."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ....auth.models import Organization, User
from ....core.errors import NotFound
from ....core.pdf import render_pdf
from ....extensions import db
from ..models import Award, Nomination, SelectionRound
from .notice import mask_name
from .rounds import capacities

TEMPLATE = "registry/selection/honor_certificate.html"


@dataclass
class AwardView:
    award: Award
    round: SelectionRound
    nomination: Nomination
    organization: Organization
    person: User | None
    issuer: Organization

    @property
    def holder(self) -> str:
        return self.person.name if self.person is not None else self.organization.name


def _awards():
    """(award, round, nomination, nominating organization, person or None, issuing organization) rows."""
    issuer = aliased(Organization)
    return (select(Award, SelectionRound, Nomination, Organization, User, issuer)
            .join(SelectionRound, SelectionRound.id == Award.round_id)
            .join(Nomination, Nomination.id == Award.nomination_id)
            .join(Organization, Organization.id == Nomination.organization_id)
            .outerjoin(User, User.id == Nomination.nominee_user_id)
            .join(issuer, issuer.id == SelectionRound.organization_id))


def award_by_number(number: str) -> AwardView | None:
    row = db.session.execute(_awards().where(Award.number == (number or "").strip().upper())).first()
    return AwardView(*row) if row is not None else None


def award_for(actor, number: str) -> AwardView:
    """The award, if the caller may download its certificate (404 otherwise, the same as an unknown number)."""
    view = award_by_number(number)
    allowed = view is not None and (
        actor.id == view.nomination.nominee_user_id
        or (actor.organization_id is not None and actor.organization_id == view.nomination.organization_id
            and actor.has_role("org_staff"))
        or "manage" in capacities(actor, view.round))
    if not allowed:
        raise NotFound("荣誉证书不存在", {"number": "不存在"})
    return view


def awards_of(round_id: int) -> list[AwardView]:
    rows = db.session.execute(_awards().where(Award.round_id == round_id).order_by(Award.rank, Award.id)).all()
    return [AwardView(*row) for row in rows]


def check_url(number: str) -> str:
    base = current_app.config.get("LRC_PUBLIC_URL") or (request.host_url if has_request_context() else "")
    return f"{base.rstrip('/')}/registry/selections/honors/{number}"


def public_view(number: str) -> dict | None:
    """What the public check page shows: no more than the notice did (masked name, organization, title)."""
    view = award_by_number(number)
    if view is None:
        return None
    return {"number": view.award.number, "holder": mask_name(view.person.name) if view.person else view.holder,
            "organization": view.organization.name, "title": view.round.title, "issuer": view.issuer.name,
            "granted_on": view.award.granted_on, "round_title": view.round.title}


def certificate_context(view: AwardView) -> dict:
    url = check_url(view.award.number)
    return {"number": view.award.number, "holder_name": view.holder, "person": view.person is not None,
            "organization_name": view.organization.name,
            "title": view.round.title, "issuer_name": view.issuer.name, "granted_on": view.award.granted_on,
            "year": view.award.granted_on.year, "verify_url": url,
            "qr_code": segno.make(url, error="m").png_data_uri(scale=4, border=1)}


def render_certificate(view: AwardView) -> bytes:
    return render_pdf(TEMPLATE, certificate_context(view))
