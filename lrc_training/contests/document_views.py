"""Competition documents (Excel results, award list and score sheet PDFs) and the public results pages (公示)."""

from __future__ import annotations

from io import BytesIO

from flask import abort, render_template, send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import Organization
from ..auth.roles import ADMIN, JUDGE, ORG_STAFF
from ..core.access import public, roles_required
from ..core.errors import DomainError
from ..core.navigation import register_nav
from ..extensions import db
from . import bp
from .exports import award_list_pdf, item_score_sheet_pdf, results_workbook
from .models import AWARD_LABELS, Competition, Registration
from .oversight import overseen_items
from .results import result_rows
from .setup import get_competition_for_committee

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
register_nav("竞赛结果公示", "contests.public_results", description="已公布的竞赛成绩与获奖名单", group="技能竞赛")


def _committee(competition_id: int) -> Competition:
    try:
        return get_competition_for_committee(current_user, competition_id)
    except DomainError:
        abort(404)


def _pdf(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)


@bp.route("/<int:competition_id>/results.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def results_xlsx(competition_id: int):
    competition = _committee(competition_id)
    return send_file(results_workbook(competition), mimetype=XLSX, as_attachment=True,
                     download_name=f"{competition.title}-成绩.xlsx")


@bp.route("/<int:competition_id>/award-list.pdf")
@roles_required(ORG_STAFF, ADMIN)
def award_list(competition_id: int):
    competition = _committee(competition_id)
    try:
        return _pdf(award_list_pdf(competition), f"{competition.title}-获奖名单.pdf")
    except DomainError:
        abort(409)


@bp.route("/<int:competition_id>/items/<int:item_index>/score-sheet.pdf")
@roles_required(ORG_STAFF, ADMIN, JUDGE)
def score_sheet(competition_id: int, item_index: int):
    """The committee, or the chief judge of that item, prints its score sheet for signing."""
    competition = db.session.get(Competition, competition_id)
    if competition is None or item_index not in {i.position for i in overseen_items(current_user, competition)}:
        abort(404)
    try:
        return _pdf(item_score_sheet_pdf(competition, item_index), f"{competition.title}-评分汇总表-{item_index + 1}.pdf")
    except DomainError:
        abort(404)


@bp.route("/results")
@public
def public_results():
    competitions = db.session.execute(select(Competition).options(joinedload(Competition.organization)).where(
        Competition.state.in_(("published", "final"))).order_by(Competition.published_at.desc())).scalars().all()
    return render_template("contests/public_index.html", competitions=competitions)


@bp.route("/<int:competition_id>/results")
@public
def public_result(competition_id: int):
    """The notice (公示): rank, name, organization, total and award — never ID numbers or phones."""
    competition = db.session.get(Competition, competition_id)
    if competition is None or competition.state not in ("published", "final"):
        abort(404)
    orgs = dict(db.session.execute(select(Registration.user_id, Registration.organization_id).where(
        Registration.competition_id == competition.id)).all())
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_([o for o in orgs.values() if o]))).all())
    rows = [dict(row, organization=names.get(orgs.get(row["user_id"]), "")) for row in result_rows(competition)]
    return render_template("contests/public_results.html", competition=competition, rows=rows, awards=AWARD_LABELS)
