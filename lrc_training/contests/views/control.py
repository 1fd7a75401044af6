"""Competition pages: the committee's setup and control room, trainees' registration, judges' scoring sheets."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF, TRAINEE
from ...core.access import login_required, roles_required
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.web_forms import ActionForm
from ..models import AWARD_LABELS, TIE_BREAKS, TIERS
from ..queries import (
    chaired_competition_ids,
    competition_by_id,
    competitions_listed,
    judges_of,
    qualifications_of,
    registration_by_id,
    registrations_by_competition,
    registrations_of,
    rewards_of,
    supervised_competition_ids,
)
from ..services.appeals import appeals_of
from ..services.checkin import can_see_mapping, draw, holds_mapping, require_mapping
from ..services.finalize import blocking_reason
from ..services.oversight import publish_blocker
from ..services.panels import assign_judge_named
from ..services.promotions import evaluators_for, promotion_rows
from ..services.registration import decide_registration, register
from ..services.results import all_sheets_submitted, issue_award_certificates, publish, result_rows
from ..services.setup import allowed_tiers, create_competition, exam_sessions_for_items
from ..services.stages import qualifier_sources
from . import bp
from .common import committee_competition
from .forms import CompetitionForm, JudgeForm, PromotionRequestForm, QualifiersForm, RegisterForm

NAV = [NavItem("技能竞赛", "contests.index", description="竞赛报名、组织、评分与结果", group="技能竞赛")]


@bp.route("/")
@login_required
def index():
    competitions = competitions_listed()
    mine = registrations_by_competition(current_user.id)
    committee = {c.id for c in competitions if current_user.has_role(ADMIN) or (
        current_user.has_role(ORG_STAFF) and current_user.organization_id == c.organization_id)}
    return render_template("contests/index.html", competitions=competitions, mine=mine, committee=committee,
                           register_form=RegisterForm(), can_create=current_user.has_role(ORG_STAFF),
                           chaired=chaired_competition_ids(current_user.id),
                           supervising=supervised_competition_ids(current_user.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def new():
    form = CompetitionForm()
    tiers = allowed_tiers(current_user.organization)
    form.tier.choices = [(t, label) for t, label in TIERS.items() if t in tiers] or list(TIERS.items())
    sessions = exam_sessions_for_items(current_user)
    for entry in form.items:
        entry.form.exam_session_id.choices = [(0, "—（由裁判评分）")] + sessions
    done = run_action(form, lambda data: create_competition(current_user, data), "竞赛已创建，开始接受报名。",
                      on_form=True)
    if done:
        return redirect(url_for("contests.detail", competition_id=done.value.id))
    return render_template("contests/form.html", form=form, allowed_tiers=tiers)


@bp.route("/<int:competition_id>")
@roles_required(ORG_STAFF, ADMIN)
def detail(competition_id: int):
    competition = committee_competition(competition_id)
    registrations = registrations_of(competition.id)
    judges = judges_of(competition.id)
    rows = result_rows(competition) if competition.state != "registration" else []
    complete = all_sheets_submitted(competition)
    qualifiers_form = QualifiersForm()
    sources = qualifier_sources(competition) if competition.state == "registration" else []
    qualifiers_form.source_id.choices = [(c.id, f"{c.title}（{c.organization.name}）") for c in sources]
    taken = qualifications_of(competition.id)
    rewards = rewards_of(competition.id)
    promotions = promotion_rows(competition) if competition.state == "final" else []
    promotion_form = PromotionRequestForm()
    promotion_form.evaluator_organization_id.choices = evaluators_for(promotions)
    return render_template("contests/detail.html", promotions=promotions, promotion_form=promotion_form,
                           competition=competition, registrations=registrations,
                           judges=judges, action_form=ActionForm(), rows=rows,
                           complete=complete, awards=AWARD_LABELS,
                           publish_blocker=publish_blocker(competition) if competition.state == "drawn" and not complete
                           else None,
                           show_codes=holds_mapping(current_user, competition),
                           can_check_in=can_see_mapping(current_user, competition), qualifiers_form=qualifiers_form,
                           sources=sources, taken=taken, rewards=rewards, tie_breaks=TIE_BREAKS,
                           blocking=blocking_reason(competition) if competition.state == "published" else None,
                           pending_appeals=sum(1 for a in appeals_of(competition) if a.status == "pending"))


def _run(competition_id: int, action, success: str):
    """A control-room button: run `action(competition)` and come back to the control room."""
    competition = committee_competition(competition_id)
    run_action(ActionForm(), lambda: action(competition), lambda result: success.format(result=result))
    return redirect(url_for("contests.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/draw", methods=["POST"])
@roles_required(ORG_STAFF)
def draw_view(competition_id: int):
    def run(c):
        require_mapping(current_user, c)
        return len(draw(current_user, c))
    return _run(competition_id, run, "已为 {result} 名选手抽取参赛编号。")


@bp.route("/<int:competition_id>/publish", methods=["POST"])
@roles_required(ORG_STAFF)
def publish_view(competition_id: int):
    return _run(competition_id, lambda c: len(publish(current_user, c)), "结果已公布（{result} 名选手），进入公示期。")


@bp.route("/<int:competition_id>/certificates", methods=["POST"])
@roles_required(ORG_STAFF)
def certificates_view(competition_id: int):
    return _run(competition_id, lambda c: len(issue_award_certificates(current_user, c.id)),
                "已签发 {result} 张获奖证书（已签发的不会重复签发）。")


@bp.route("/<int:competition_id>/judges", methods=["POST"])
@roles_required(ORG_STAFF)
def judges_view(competition_id: int):
    competition = committee_competition(competition_id)
    form = JudgeForm()
    form.item_index.choices = [(i.position, i.name) for i in competition.items]
    run_action(form, lambda data: assign_judge_named(current_user, competition, data.username, data.item_index,
                                                     data.is_chief), "已加入裁判组。", "未能加入裁判组：")
    return redirect(url_for("contests.panels", competition_id=competition.id))


@bp.route("/registrations/<int:registration_id>/<decision>", methods=["POST"])
@roles_required(ORG_STAFF)
def decide(registration_id: int, decision: str):
    registration = registration_by_id(registration_id)
    if registration is None or decision not in ("approve", "reject"):
        abort(404)
    competition = committee_competition(registration.competition_id)
    run_action(ActionForm(), lambda: decide_registration(current_user, registration, decision == "approve"),
               f"{registration.user.name}：{'已通过' if decision == 'approve' else '未通过'}。", "审核未成功：")
    return redirect(url_for("contests.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/register", methods=["POST"])
@roles_required(TRAINEE)
def register_view(competition_id: int):
    if competition_by_id(competition_id) is None:
        abort(404)
    form = RegisterForm()
    run_action(form, lambda data: register(current_user, competition_id, current_user.id, data.work_years),
               "已报名，等待组委会审核。", "报名未成功：")
    return redirect(url_for("contests.index"))
