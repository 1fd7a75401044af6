"""Committee pages beyond the control room: check-in, judge panels and duties, the chief judge's progress page,
appeals, qualifiers, bulk registration and the contestant's own page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, JUDGE, ORG_STAFF, TRAINEE
from ...core.access import login_required, roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.web_forms import ActionForm
from ...core.xlsx import XLSX_MIMETYPE as XLSX
from ..models import AWARD_LABELS, DUTIES, Competition
from ..queries import (
    appeal_by_id,
    appeals_filed,
    check_in_list,
    competition_by_id,
    judges_of,
    registration_by_id,
    registration_in,
    rewards_of_registration,
    sheet_by_id,
)
from ..schemas.inputs import BulkListFormIn
from ..services.access import is_committee
from ..services.appeals import appeal_window_open, appeals_of, can_decide, can_view_appeals, decide_appeal, file_appeal
from ..services.bulk import MAX_ROWS, build_template, register_excel, register_text
from ..services.checkin import can_see_mapping, check_in, close_check_in, designate, officials, remove_official
from ..services.duties import check_in_opened
from ..services.oversight import progress
from ..services.panels import auto_assign, judge_loads, remove_judge, set_chief
from ..services.promotions import outcome_text, promotion_rows, send_promotion_requests
from ..services.results import result_rows
from ..services.scoring import reopen_sheet
from ..services.stages import qualifier_sources, take_qualifiers
from . import bp
from .common import committee_competition
from .forms import (
    AppealDecisionForm,
    AppealForm,
    AutoPanelForm,
    BulkRegistrationForm,
    JudgeForm,
    OfficialForm,
    PromotionRequestForm,
    QualifiersForm,
    ReasonForm,
)


def _back(competition: Competition, endpoint: str = "contests.detail"):
    return redirect(url_for(endpoint, competition_id=competition.id))


# --- check-in (一次加密 / 二次加密) -------------------------------------------------------------------------

@bp.route("/<int:competition_id>/check-in")
@roles_required(ORG_STAFF, ADMIN)
def checkin_page(competition_id: int):
    competition = committee_competition(competition_id)
    if not can_see_mapping(current_user, competition):
        abort(403)
    registrations = check_in_list(competition.id)
    query = (request.args.get("q") or "").strip()
    if query:
        registrations = [r for r in registrations if query in r.user.name or query in (r.user.username or "")]
    present = sum(1 for r in registrations if r.checked_in_at)
    return render_template("contests/checkin.html", competition=competition, registrations=registrations,
                           present=present, query=query, form=ActionForm())


@bp.route("/<int:competition_id>/check-in/<int:registration_id>", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def checkin_one(competition_id: int, registration_id: int):
    competition = committee_competition(competition_id)
    registration = registration_by_id(registration_id)
    if registration is None or registration.competition_id != competition.id:
        abort(404)
    run_action(ActionForm(), lambda: check_in(current_user, competition, registration),
               lambda r: f"{r.user.name} 已签到：参赛编号 {r.contestant_code}，工位 {r.station_number}。", "签到未成功：")
    return _back(competition, "contests.checkin_page")


@bp.route("/<int:competition_id>/check-in/close", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def checkin_close(competition_id: int):
    competition = committee_competition(competition_id)
    run_action(ActionForm(), lambda: close_check_in(current_user, competition),
               lambda n: f"签到结束，{n} 名选手进入评分。", "未能结束签到：")
    return _back(competition)


# --- judge panels, chief judges, duties ----------------------------------------------------------------------

@bp.route("/<int:competition_id>/panels")
@roles_required(ORG_STAFF, ADMIN)
def panels(competition_id: int):
    competition = committee_competition(competition_id)
    assignments = judges_of(competition.id)
    judge_form = JudgeForm()
    judge_form.item_index.choices = [(i.position, i.name) for i in competition.items if i.exam_session_id is None]
    duties = {duty: officials(competition, duty) for duty in DUTIES}
    return render_template("contests/panels.html", competition=competition, assignments=assignments,
                           loads=judge_loads(competition), judge_form=judge_form, auto_form=AutoPanelForm(),
                           official_form=OfficialForm(), duties=duties, duty_labels=DUTIES, form=ActionForm(),
                           fixed=check_in_opened(competition))


@bp.route("/<int:competition_id>/panels/auto", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def panels_auto(competition_id: int):
    competition = committee_competition(competition_id)
    form = AutoPanelForm()
    run_action(form, lambda data: auto_assign(current_user, competition, data.per_item),
               lambda n: f"已自动安排 {n} 人次裁判（负荷均衡，已回避同单位选手）。", "未能自动组建：")
    return _back(competition, "contests.panels")


@bp.route("/<int:competition_id>/panels/<int:assignment_id>/<action>", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def panels_change(competition_id: int, assignment_id: int, action: str):
    competition = committee_competition(competition_id)
    if action == "chief":
        run_action(ActionForm(), lambda: set_chief(current_user, competition, assignment_id), "已设为裁判长。")
    elif action == "remove":
        run_action(ActionForm(), lambda: remove_judge(current_user, competition, assignment_id), "已移出裁判组。")
    else:
        abort(404)
    return _back(competition, "contests.panels")


@bp.route("/<int:competition_id>/officials", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def officials_add(competition_id: int):
    competition = committee_competition(competition_id)
    form = OfficialForm()
    run_action(form, lambda data: designate(current_user, competition, data.username, data.duty),
               lambda o: f"已指定 {o.user.name} 为{DUTIES[o.duty]}。", "未能指定：")
    return _back(competition, "contests.panels")


@bp.route("/<int:competition_id>/officials/<int:official_id>/remove", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def officials_remove(competition_id: int, official_id: int):
    competition = committee_competition(competition_id)
    run_action(ActionForm(), lambda: remove_official(current_user, competition, official_id), "已取消指定。")
    return _back(competition, "contests.panels")


# --- the chief judge's page: progress, outliers, reopening -------------------------------------------------------

@bp.route("/<int:competition_id>/oversight")
@roles_required(ORG_STAFF, ADMIN, JUDGE)
def oversight(competition_id: int):
    code = (request.args.get("code") or "").strip().upper()[:12] or None
    try:
        competition, items = progress(current_user, competition_id, code)
    except DomainError:
        abort(404)
    return render_template("contests/oversight.html", competition=competition, items=items, form=ReasonForm(),
                           code=code, found=sum(len(p.sheets) for p in items))


@bp.route("/<int:competition_id>/sheets/<int:sheet_id>/reopen", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN, JUDGE)
def sheet_reopen(competition_id: int, sheet_id: int):
    sheet = sheet_by_id(sheet_id)
    if sheet is None or sheet.item.competition_id != competition_id:
        abort(404)
    form = ReasonForm()
    run_action(form, lambda data: reopen_sheet(current_user, sheet, data.reason),
               "评分表已重新开放，已通知该裁判员，理由已记录。", "未能重新开放：")
    return redirect(url_for("contests.oversight", competition_id=competition_id))


# --- appeals ----------------------------------------------------------------------------------------------------

@bp.route("/<int:competition_id>/appeals")
@login_required
def appeals(competition_id: int):
    competition = competition_by_id(competition_id)
    if competition is None or not can_view_appeals(current_user, competition):
        abort(404)
    items = appeals_of(competition)
    return render_template("contests/appeals.html", competition=competition, appeals=items,
                           can_decide=can_decide(current_user, competition), form=AppealDecisionForm())


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
@login_required
def appeal_decide(appeal_id: int):
    appeal = appeal_by_id(appeal_id)
    if appeal is None:
        abort(404)
    competition = competition_by_id(appeal.competition_id)
    if not can_view_appeals(current_user, competition):
        abort(404)
    form = AppealDecisionForm()
    run_action(form, lambda data: decide_appeal(current_user, appeal.id, data.upheld, data.decision, data.version),
               "已作出决定并通知申诉人。", "未能处理：")
    return redirect(url_for("contests.appeals", competition_id=competition.id))


# --- the contestant's own page -------------------------------------------------------------------------------------

@bp.route("/<int:competition_id>/mine", methods=["GET", "POST"])
@roles_required(TRAINEE)
def mine(competition_id: int):
    competition = competition_by_id(competition_id)
    registration = registration_in(competition_id, current_user.id)
    if competition is None or registration is None:
        abort(404)
    form = AppealForm()
    if request.method == "POST":
        if run_action(form, lambda data: file_appeal(current_user, competition.id, data.text),
                      "申诉已提交，监督仲裁组处理后会通知您。", "申诉未提交："):
            return redirect(url_for("contests.mine", competition_id=competition.id))
    row = None
    if competition.state in ("published", "final"):
        row = next((r for r in result_rows(competition) if r["user_id"] == current_user.id), None)
    my_appeals = appeals_filed(registration.id)
    rewards = rewards_of_registration(registration.id)
    promotion = next((p for p in promotion_rows(competition) if p.reward.registration_id == registration.id), None) \
        if any(r.kind == "promotion" for r in rewards) else None
    return render_template("contests/mine.html", competition=competition, registration=registration, row=row,
                           appeals=my_appeals, rewards=rewards, form=form, awards=AWARD_LABELS, promotion=promotion,
                           window_open=appeal_window_open(competition))


# --- qualifiers, bulk registration, promotion certificates -------------------------------------------------------

@bp.route("/<int:competition_id>/qualifiers", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def qualifiers(competition_id: int):
    competition = committee_competition(competition_id)
    form = QualifiersForm()
    form.source_id.choices = [(c.id, c.title) for c in qualifier_sources(competition)]
    run_action(form, lambda data: take_qualifiers(current_user, competition, data.source_id, data.top_n),
               lambda taken: f"已录入 {len(taken)} 名晋级选手（已审核通过）。", "未能录入：")
    return _back(competition)


@bp.route("/<int:competition_id>/bulk", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def bulk(competition_id: int):
    competition = competition_by_id(competition_id)
    if competition is None:
        abort(404)
    form = BulkRegistrationForm()
    # Too many rows, or the hourly bulk budget used up: said under the list, which keeps what was typed, with the
    # refusal's own status (429 for the budget).
    refusal: list[DomainError] = []
    done = run_action(
        form, lambda data: _register_bulk(competition, form, data), _bulk_registered, on_form=True,
        show_error=lambda exc: (refusal.append(exc), form.people.errors.append(exc.message)))
    report, status = done.value if done else None, refusal[0].status if refusal else 200
    return render_template("contests/bulk.html", competition=competition, form=form, report=report,
                           committee=is_committee(current_user, competition), max_rows=MAX_ROWS), status


def _register_bulk(competition: Competition, form: BulkRegistrationForm, data: BulkListFormIn):
    if form.file.data:
        return register_excel(current_user, competition.id, form.file.data.stream)
    return register_text(current_user, competition.id, data.people)


def _bulk_registered(report) -> str | None:
    return f"已报名 {len(report.registered)} 人。" if report.registered else None


@bp.route("/bulk-template.xlsx")
@roles_required(ORG_STAFF)
def bulk_template():
    return send_file(build_template(), mimetype=XLSX, as_attachment=True, download_name="竞赛批量报名模板.xlsx")


@bp.route("/<int:competition_id>/promotions", methods=["POST"])
@roles_required(ORG_STAFF)
def promotions(competition_id: int):
    """Send the eligible promotions to the evaluator the committee chose (it issues the level certificates)."""
    competition = committee_competition(competition_id)
    form = PromotionRequestForm()
    run_action(form, lambda data: send_promotion_requests(current_user, competition.id,
                                                          data.evaluator_organization_id),
               outcome_text, "未能发送晋级发证申请：")
    return redirect(url_for("contests.detail", competition_id=competition.id, _anchor="promotions"))
