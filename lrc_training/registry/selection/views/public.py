"""Public pages (no sign-in): the notices (公示) of selections with their shortlists — masked names, organization,
region, nothing else personal — the objection form while a notice runs, and the check of an honor certificate's
number."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ....core.access import public
from ....core.errors import DomainError
from ....core.forms import apply_errors, run_action
from ....core.pagination import paginate_page
from ....extensions import limiter
from ...views import bp
from ..queries import public_rounds
from ..schemas import ObjectionFormIn
from ..services.honors import public_view
from ..services.notice import public_round, shortlist, submit_objection
from .forms import ObjectionForm

LIMIT = "30 per minute"
OBJECTION_LIMIT = "5 per minute"


@bp.route("/selections/notices")
@public
@limiter.limit(LIMIT)
def selection_notices():
    return render_template("registry/selection/notices.html", page=paginate_page(public_rounds(), rows=True))


def _objection_form(rows) -> ObjectionForm:
    form = ObjectionForm()
    form.nomination_id.choices = [(0, "对评选整体")] + [(r.nomination_id, f"第 {r.rank} 名 {r.name}（{r.organization}）")
                                                   for r in rows if not r.disqualified]
    return form


@bp.route("/selections/<int:round_id>/notice", methods=["GET", "POST"])
@public
@limiter.limit(LIMIT)
@limiter.limit(OBJECTION_LIMIT, methods=["POST"])
def selection_notice(round_id: int):
    try:
        rnd = public_round(round_id)
    except DomainError:
        abort(404)
    rows = shortlist(rnd)
    form = _objection_form(rows)
    status = 200
    if request.method == "POST":
        status = _object(rnd.id, form)
        if status == 302:
            return redirect(url_for("registry.selection_notice", round_id=round_id))
    return render_template("registry/selection/notice.html", rnd=rnd, rows=rows, form=form,
                           accepting=rnd.state == "notice" and not rnd.notice_over), status


def _object(round_id: int, form: ObjectionForm) -> int:
    """The status to answer with: 302 once the objection is in, else 422 or the refusal's own (404 once the notice
    is over, 409 …), its reasons at the fields."""
    refusal: list[DomainError] = []
    done = run_action(form, lambda data: _submit(round_id, data), "异议已提交，评选单位将核实处理。", on_form=True,
                      show_error=lambda exc: (refusal.append(exc), apply_errors(form, exc)))
    if done:
        return 302
    return refusal[0].status if refusal else 422


def _submit(round_id: int, data: ObjectionFormIn):
    return submit_objection(round_id, data)


@bp.route("/selections/honors/<number>")
@public
@limiter.limit(LIMIT)
def selection_honor_check(number: str):
    result = public_view(number)
    return render_template("registry/selection/honor_check.html", result=result, number=number), \
        200 if result else 404
