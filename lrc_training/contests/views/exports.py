"""Competition documents for the committee: the results workbook and the award list PDF, and per item the score
sheet PDF (评分汇总表) that the committee or that item's chief judge prints for signing. Anyone else gets 404."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, JUDGE, ORG_STAFF
from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.errors import DomainError
from ...core.xlsx import XLSX_MIMETYPE as XLSX
from ...extensions import db
from ..exports import award_list_pdf, item_score_sheet_pdf, results_workbook, revealed
from ..queries import competition_by_id
from ..services.oversight import overseen_items
from . import bp
from .common import committee_competition


def _pdf(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)


@bp.route("/<int:competition_id>/results.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def results_xlsx(competition_id: int):
    competition = committee_competition(competition_id)
    export_file = results_workbook(competition)
    audit_export("competition_results", "competition", competition.id, rows=export_file.rows,
                 scope={"competition": competition.title, "names_shown": revealed(competition)})
    db.session.commit()  # the export's audit record: reading personal data is itself recorded
    return private_download(export_file.data, mimetype=XLSX, download_name=f"{competition.title}-成绩.xlsx")


@bp.route("/<int:competition_id>/award-list.pdf")
@roles_required(ORG_STAFF, ADMIN)
def award_list(competition_id: int):
    competition = committee_competition(competition_id)
    try:
        data = award_list_pdf(competition)
    except DomainError as exc:  # not published yet: back to the competition with the reason
        flash(exc.message, "warning")
        return redirect(url_for("contests.detail", competition_id=competition.id))
    return _pdf(data, f"{competition.title}-获奖名单.pdf")


@bp.route("/<int:competition_id>/items/<int:item_index>/score-sheet.pdf")
@roles_required(ORG_STAFF, ADMIN, JUDGE)
def score_sheet(competition_id: int, item_index: int):
    competition = competition_by_id(competition_id)
    if competition is None or item_index not in {i.position for i in overseen_items(current_user, competition)}:
        abort(404)
    try:
        data = item_score_sheet_pdf(competition, item_index)
    except DomainError:  # an item scored by the online exam has no judges' sheets
        abort(404)
    return _pdf(data, f"{competition.title}-评分汇总表-{item_index + 1}.pdf")
