"""Nominating (推荐) and scoring (评审) pages: the nomination form of an organization's staff, and a reviewer's
sheet — every nomination with its grounds and snapshot, a score form per nomination (or why the reviewer must
recuse), errors shown next to the nomination they concern."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ....auth.roles import ORG_STAFF
from ....core.access import login_required, roles_required
from ....core.errors import DomainError
from ....core.forms import apply_errors, form_error_text, run_action
from ....extensions import db
from ...models import WORK_KIND_LABELS
from ...views import bp
from ..queries import my_scores, nominations_query, nominee_choices
from ..schemas import NominationIn, ScoreFormIn, ScoreIn
from ..services.nominations import nominate
from ..services.review import recusal, submit_score
from ..services.rounds import get_round
from .forms import NominationForm, OrganizationNominationForm, ScoreForm
from .rounds import load


@bp.route("/selections/<int:round_id>/nominate", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def selection_nominate(round_id: int):
    rnd, caps = load(round_id, "nominate")
    if not rnd.accepts_nominations:
        flash("本次评选不在推荐期内。", "warning")
        return redirect(url_for("registry.selection", round_id=round_id))
    person = rnd.kind == "person"
    form = NominationForm() if person else OrganizationNominationForm()
    if person:
        form.user_id.choices = [(0, "— 请选择 —")] + nominee_choices(current_user)
    if run_action(form, lambda data: _nominate(round_id, data), "推荐已提交。", on_form=True,
                  show_error=lambda exc: _refused(form, exc)):
        return redirect(url_for("registry.selection", round_id=round_id))
    own = db.session.execute(nominations_query(rnd, frozenset({"nominate"}), current_user)).all()
    return render_template("registry/selection/nominate.html", rnd=rnd, form=form, own=own,
                           person=person), 422 if form.errors else 200


def _nominate(round_id: int, data: NominationIn):
    """A person round's form names the nominee (NominationFormIn); an organization round's nominates the
    caller's organization (no user_id)."""
    return nominate(current_user, round_id, data)


def _refused(form, exc: DomainError) -> None:
    """A nomination refused: at the fields, and a duplicate (409) at the top too."""
    if exc.status == 409:
        flash(exc.message, "danger")
    apply_errors(form, exc)


def _sheet(round_id: int, errors: dict | None = None, status: int = 200):
    rnd, caps = load(round_id, "review")
    if rnd.state == "nominating":
        flash("推荐截止后开始评审。", "info")
        return redirect(url_for("registry.selection", round_id=round_id))
    rows = db.session.execute(nominations_query(rnd, caps, current_user)).all()
    nominee_ids = {n.nominee_user_id for n, _, _ in rows if n.nominee_user_id}
    return render_template("registry/selection/review.html", rnd=rnd, rows=rows, kinds=WORK_KIND_LABELS,
                           scores=my_scores(rnd.id, current_user.id), errors=errors or {}, form=ScoreForm(),
                           recusals={n.id: recusal(current_user, n, nominee_ids) for n, _, _ in rows},
                           open=rnd.state == "reviewing"), status


def _score(round_id: int, nomination_id: int, data: ScoreFormIn):
    return submit_score(current_user, round_id, ScoreIn(nomination_id=nomination_id, **data.model_dump()))


@bp.route("/selections/<int:round_id>/review")
@login_required
def selection_review(round_id: int):
    return _sheet(round_id)


@bp.post("/selections/<int:round_id>/review/<int:nomination_id>")
@login_required
def selection_score(round_id: int, nomination_id: int):
    try:
        get_round(current_user, round_id, "review")
    except DomainError as exc:
        abort(exc.status)
    form = ScoreForm()
    refusal: list[DomainError] = []  # shown on the sheet's row of that nomination, with the refusal's own status
    if run_action(form, lambda data: _score(round_id, nomination_id, data), "评分已保存。", on_form=True,
                  show_error=refusal.append):
        return redirect(url_for("registry.selection_review", round_id=round_id) + f"#n{nomination_id}")
    if not refusal:  # the schema's reasons (or the CSRF token's), each after its field's name
        return _sheet(round_id, {nomination_id: [form_error_text(form)]}, 422)
    exc = refusal[0]
    if exc.status == 404 and "nomination_id" not in exc.fields:
        abort(404)
    return _sheet(round_id, {nomination_id: [exc.message]}, exc.status)
