"""Selection pages for signed-in users: the lists (评选 for 人社 staff, 推荐 for organizations with an open round,
评审任务 for reviewers), opening and editing a round, the round page (what each capacity may see and do), the
panel, objections, finalizing and the honor certificate PDF. Nominating and scoring are in review.py."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ....auth.roles import ADMIN, ORG_STAFF
from ....core.access import login_required, roles_required
from ....core.errors import DomainError
from ....core.forms import run_action
from ....core.navigation import NavItem
from ....core.pagination import paginate_page
from ....core.timeutil import to_local
from ....extensions import db
from ...models import WORK_KIND_LABELS
from ...services.work import is_hrss_staff
from ...views import bp
from ..models import OBJECTION_LABELS, SelectionRound
from ..queries import (
    has_open_round,
    hrss_scope,
    is_reviewer,
    nominations_query,
    objections_of,
    review_rounds,
    reviewers_of,
    rounds_query,
)
from ..schemas import ObjectionDecisionIn, ReviewerIn, RoundFormIn
from ..services.honors import award_for, awards_of, render_certificate
from ..services.notice import decide_objection, finalize_blocker, finalize_by
from ..services.review import appoint_reviewer, missing_scores, notice_blocker, remove_reviewer, standings
from ..services.rounds import create_round, get_round, move_round, update_round
from .forms import ButtonForm, DecideForm, ReviewerForm, RoundForm

NAV = [
    NavItem("评选", "registry.selections", roles=(ORG_STAFF, ADMIN), visible=lambda u: hrss_scope(u) is not None,
            description="开启金牌劳动关系协调员等评选，组织评审、公示并确定结果", group="信息库"),
    NavItem("推荐", "registry.open_rounds", roles=(ORG_STAFF,), visible=has_open_round,
            description="为正在推荐的评选推荐本单位的人选", group="信息库"),
    NavItem("评审任务", "registry.my_reviews", visible=is_reviewer, description="为评选的推荐人选评分",
            group="信息库"),
]

LISTS = {"selections": "评选", "open_rounds": "推荐", "my_reviews": "评审任务"}


def _list(endpoint: str, stmt):
    page = paginate_page(stmt)
    can_open = is_hrss_staff(current_user)
    return render_template("registry/selection/list.html", page=page, heading=LISTS[endpoint], endpoint=endpoint,
                           can_open=can_open)


@bp.route("/selections")
@roles_required(ORG_STAFF, ADMIN)
def selections():
    return _list("selections", rounds_query(current_user))


@bp.route("/selections/open")
@roles_required(ORG_STAFF)
def open_rounds():
    return _list("open_rounds", rounds_query(current_user).where(SelectionRound.state == "nominating"))


@bp.route("/selections/reviews")
@login_required
def my_reviews():
    return _list("my_reviews", review_rounds(current_user))


def load(round_id: int, need: str | None = None):
    """The round and the caller's capacities, or the 404/403 page."""
    try:
        return get_round(current_user, round_id, need)
    except DomainError as exc:
        abort(exc.status)


def _save_round(form: RoundForm, save) -> SelectionRound | None:
    """The round form's POST: the schema's reasons and the service's refusals at the fields (a stale version as a
    message too)."""
    done = run_action(form, save, "评选已保存。", on_form=True)
    return done.value if done else None


@bp.route("/selections/new", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def new_selection():
    if not is_hrss_staff(current_user):
        flash("评选由人力资源社会保障部门开启；其他单位在“推荐”中为本单位推荐人选。", "warning")
        return redirect(url_for("registry.open_rounds"))
    form = RoundForm()
    rnd = _save_round(form, lambda data: create_round(current_user, data))
    if rnd is not None:
        return redirect(url_for("registry.selection", round_id=rnd.id))
    return render_template("registry/selection/edit.html", form=form, rnd=None), 422 if form.errors else 200


@bp.route("/selections/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def edit_selection(round_id: int):
    rnd, _ = load(round_id, "manage")
    form = RoundForm(obj=None if request.method == "POST" else rnd)
    if request.method == "GET":
        form.nomination_deadline.data = to_local(rnd.nomination_deadline).replace(tzinfo=None)
        form.review_deadline.data = to_local(rnd.review_deadline).replace(tzinfo=None)
        form.version.data = str(rnd.version)
    saved = _save_round(form, lambda data: _update(round_id, data))
    if saved is not None:
        return redirect(url_for("registry.selection", round_id=round_id))
    return render_template("registry/selection/edit.html", form=form, rnd=rnd), 422 if form.errors else 200


def _update(round_id: int, data: RoundFormIn) -> SelectionRound:
    """A RoundFormIn is a RoundIn: the service takes it as it is, and the version it was read at."""
    return update_round(current_user, round_id, data, data.version)


@bp.route("/selections/<int:round_id>")
@login_required
def selection(round_id: int):
    rnd, caps = load(round_id)
    rows = db.session.execute(nominations_query(rnd, caps, current_user)).all()
    manage = "manage" in caps
    context = {"rnd": rnd, "caps": caps, "rows": rows, "kinds": WORK_KIND_LABELS, "button_form": ButtonForm(),
               "awards": []}
    if manage:
        context.update(standings=standings(rnd), reviewers=reviewers_of(rnd.id), reviewer_form=ReviewerForm(),
                       objections=objections_of(rnd.id), decide_form=DecideForm(), statuses=OBJECTION_LABELS,
                       notice_reason=notice_blocker(rnd) if rnd.state == "reviewing" else None,
                       missing=missing_scores(rnd) if rnd.state == "reviewing" else 0,
                       finalize_reason=finalize_blocker(rnd) if rnd.state == "notice" else None)
    if rnd.state == "final":
        context["awards"] = [a for a in awards_of(rnd.id) if manage or a.nomination.organization_id ==
                             current_user.organization_id or a.nomination.nominee_user_id == current_user.id]
    return render_template("registry/selection/round.html", **context)


STEP_MESSAGES = {"open": "已开始推荐。", "review": "推荐已截止，进入评审。", "notice": "评选结果已公示。"}


@bp.post("/selections/<int:round_id>/step/<step>")
@login_required
def selection_step(round_id: int, step: str):
    load(round_id, "manage")
    run_action(ButtonForm(), lambda: move_round(current_user, round_id, step), STEP_MESSAGES.get(step, "已完成。"),
               "未能完成：")
    return redirect(url_for("registry.selection", round_id=round_id))


@bp.post("/selections/<int:round_id>/finalize")
@login_required
def selection_finalize(round_id: int):
    load(round_id, "manage")
    run_action(ButtonForm(), lambda: finalize_by(current_user, round_id),
               lambda awards: f"评选结果已确定，{len(awards)} 名获评者已记入信息库。", "未能确定结果：")
    return redirect(url_for("registry.selection", round_id=round_id))


@bp.post("/selections/<int:round_id>/reviewers")
@login_required
def selection_reviewers(round_id: int):
    load(round_id, "manage")
    run_action(ReviewerForm(), lambda data: _appoint(round_id, data), "已指定评审专家。", "未能指定：")
    return redirect(url_for("registry.selection", round_id=round_id) + "#panel")


def _appoint(round_id: int, data: ReviewerIn):
    return appoint_reviewer(current_user, round_id, data.username)


@bp.post("/selections/<int:round_id>/reviewers/<int:user_id>/remove")
@login_required
def selection_reviewer_remove(round_id: int, user_id: int):
    load(round_id, "manage")
    run_action(ButtonForm(), lambda: remove_reviewer(current_user, round_id, user_id), "已移除评审专家及其评分。",
               "未能移除：")
    return redirect(url_for("registry.selection", round_id=round_id) + "#panel")


@bp.post("/selections/<int:round_id>/objections/<int:objection_id>/decide")
@login_required
def selection_decide(round_id: int, objection_id: int):
    load(round_id, "manage")
    run_action(DecideForm(), lambda data: _decide(round_id, objection_id, data), "异议已处理。", "未能处理：")
    return redirect(url_for("registry.selection", round_id=round_id) + "#objections")


def _decide(round_id: int, objection_id: int, data: ObjectionDecisionIn):
    return decide_objection(current_user, round_id, objection_id, data)


@bp.route("/selections/awards/<number>.pdf")
@login_required
def selection_award_pdf(number: str):
    try:
        view = award_for(current_user, number)
    except DomainError:
        abort(404)
    response = send_file(io.BytesIO(render_certificate(view)), mimetype="application/pdf",
                         download_name=f"荣誉证书-{view.award.number}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response
