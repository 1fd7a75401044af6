"""User and organization administration pages (admins; organization staff for their own people)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action, to_int
from ...core.navigation import NavItem
from ...core.pagination import page_filters, paginate_page
from ..models import User
from ..queries import users_matching
from ..roles import ACCREDITABLE_KINDS, ADMIN, ORG_STAFF, ROLE_LABELS
from ..schemas import UserQuery
from ..services.accreditation import (
    AccreditationInput,
    accreditation_history,
    current_accreditation,
    end_accreditation,
    local_today,
    open_accreditations,
    record_accreditation,
)
from ..services.importing import build_import_template, import_users
from ..services.organizations import (
    create_organization,
    get_organization_for_edit,
    member_counts,
    update_organization,
    visible_organizations,
)
from ..services.users import create_user, get_user_for_edit, reset_password, set_user_active, update_user
from . import admin_bp as bp
from .forms import (
    AccreditationForm,
    ActivationForm,
    EndAccreditationForm,
    ImportUsersForm,
    NewUserForm,
    OrganizationForm,
    ResetPasswordForm,
    UserFilterForm,
    UserForm,
)
from .org_picker import parse_unsettled, prepare_picker, resolve_picker, searching

MANAGERS = (ADMIN, ORG_STAFF)
NAV = [
    NavItem("用户管理", "admin.users", roles=MANAGERS, description="创建、编辑、停用账号，分配角色与机构，批量导入",
            group="管理"),
    NavItem("机构管理", "admin.organizations", roles=(ADMIN,),
            description="技工院校、评价机构、企业、工会、园区/街道/社区平台", group="管理"),
]


def _role_choices():
    if current_user.has_role(ADMIN):
        return list(ROLE_LABELS.items())
    return [(k, v) for k, v in ROLE_LABELS.items() if k != ADMIN]


def _org_field(form) -> None:
    """Admins search among every organization (the picker); organization staff place people in their own."""
    if current_user.has_role(ADMIN):
        prepare_picker(form, none_label="无", active_only=False)
        return
    del form.organization_q
    org = current_user.organization
    form.organization_id.choices = [(org.id, org.name)] if org else [(0, "无")]


def _chosen_org(form) -> tuple[int | None, bool]:
    """The organization the form chose (None: none) and whether that is settled (see org_picker.resolve_picker)."""
    if getattr(form, "organization_q", None) is None:  # deleted for organization staff
        return form.organization_id.data or None, True
    return resolve_picker(form)


# -- users ---------------------------------------------------------------------

@bp.route("/users")
@roles_required(*MANAGERS)
def users():
    form = UserFilterForm(request.args)
    query = page_filters(UserQuery, form)  # a bad filter is named and left out; the others still apply
    page = paginate_page(users_matching(current_user, query))
    return render_template("admin/users.html", page=page, form=form)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_new():
    form = NewUserForm()
    form.roles.choices = _role_choices()
    if request.method == "GET":
        form.roles.data = ["trainee"]
    _org_field(form)
    if searching():
        return render_template("admin/user_form.html", form=form, user=None)
    organization_id, settled = _chosen_org(form) if form.is_submitted() else (None, True)
    if form.is_submitted() and not settled:
        parse_unsettled(form)
    elif form.is_submitted() and run_action(form, lambda data: create_user(
            current_user, username=data.username, password=data.password, name=data.name, id_number=data.id_number,
            phone=data.phone, roles=data.roles, organization_id=organization_id, require_identity=False,
    ), lambda user: f"已创建用户 {user.username}（{user.name}）。", on_form=True):
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    del form.username, form.password
    form.roles.choices = _role_choices()
    # The full ID number never goes back to the browser: the field starts empty, shows the masked number, and
    # changes the stored number only when staff type a new one.
    if user.id_number:
        form.id_number.description = f"当前：{user.id_number_masked}。留空表示不修改；如需更正请输入完整的新号码。"
    if request.method == "GET":
        form.id_number.data = ""
        form.roles.data = user.roles
        form.organization_id.data = user.organization_id or 0
        form.version.data = str(user.version)
    _org_field(form)
    if form.is_submitted() and not searching():
        organization_id, settled = _chosen_org(form)
        if not settled:
            parse_unsettled(form)
        elif run_action(form, lambda data: update_user(
                current_user, user, version=to_int(data.version), name=data.name,
                id_number=data.id_number or user.id_number,
                phone=data.phone, roles=data.roles, organization_id=organization_id,
        ), lambda _: f"已保存 {user.name} 的信息。", on_form=True):
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm(prefix="reset"), activation_form=ActivationForm(prefix="act"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(*MANAGERS)
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm(prefix="reset")
    run_action(form, lambda data: reset_password(current_user, user, data.password),
               f"已重置 {user.name} 的密码，请通过安全渠道告知本人。", "重置失败：")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(*MANAGERS)
def user_set_active(user_id: int):
    user = _user_or_404(user_id)
    form = ActivationForm(prefix="act")
    run_action(form, lambda data: set_user_active(current_user, user, not user.active, data.reason),
               lambda _: f"已{'启用' if user.active else '停用'}账号 {user.username}。", "操作未完成：")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def users_import():
    form = ImportUsersForm()
    # The file's own problems (none chosen, not .xlsx) show at the field; run_action flashes only the import's.
    done = form.validate_on_submit() and run_action(form, lambda: import_users(current_user, form.file.data.stream),
                                                    _import_message)
    return render_template("admin/users_import.html", form=form, report=done.value if done else None)


def _import_message(report) -> tuple[str, str]:
    if report.file_error:
        return report.file_error, "danger"
    return (f"导入完成：新建 {report.created} 人，已存在跳过 {report.skipped} 人，错误 {len(report.errors)} 行。",
            "success" if not report.errors else "warning")


@bp.route("/users/import/template.xlsx")
@roles_required(*MANAGERS)
def users_import_template():
    return send_file(build_import_template(), as_attachment=True, download_name="用户导入模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _user_or_404(user_id: int) -> User:
    try:
        return get_user_for_edit(current_user, user_id)
    except DomainError:
        abort(404)


# -- organizations ---------------------------------------------------------------

@bp.route("/organizations")
@roles_required(ADMIN)
def organizations():
    page = paginate_page(visible_organizations(current_user))
    ids = [org.id for org in page.items]
    return render_template("admin/organizations.html", page=page, counts=member_counts(ids),
                           filings=open_accreditations(ids), today=local_today())


@bp.route("/organizations/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def organization_new():
    form = OrganizationForm()
    if form.is_submitted() and run_action(form, lambda data: create_organization(
            current_user, **data.model_dump(exclude={"active", "version"})),
            lambda org: f"已创建机构 {org.name}。", on_form=True):
        return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, org=None)


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def organization_edit(org_id: int):
    try:
        org = get_organization_for_edit(current_user, org_id)
    except DomainError:
        abort(404)
    form = OrganizationForm(obj=org)
    if request.method == "GET":
        form.version.data = str(org.version)
        form.platform_level.data = org.platform_level or ""
    if form.is_submitted() and run_action(form, lambda data: update_organization(
            current_user, org, **data.model_dump(exclude={"version"}), version=to_int(data.version)),
            lambda _: f"已保存机构 {org.name}。", on_form=True):
        return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, org=org, filing=current_accreditation(org.id))


# -- accreditation (备案) ----------------------------------------------------------------------------------------

def _org_or_404(org_id: int):
    try:
        return get_organization_for_edit(current_user, org_id)
    except DomainError:
        abort(404)


@bp.route("/organizations/<int:org_id>/accreditation", methods=["GET", "POST"])
@roles_required(ADMIN)
def organization_accreditation(org_id: int):
    org = _org_or_404(org_id)
    filing = current_accreditation(org.id)
    form = AccreditationForm(obj=filing)
    if request.method == "GET":
        form.version.data = str(filing.version) if filing else ""
        if filing is not None:
            form.site_code.data = "" if filing.site_code_derived else filing.site_code
        else:
            form.levels.data = [4, 3]
    if org.kind in ACCREDITABLE_KINDS and form.is_submitted() and run_action(form, lambda data: record_accreditation(
            current_user, org, AccreditationInput(**data.model_dump(exclude={"version"})), version=data.version),
            f"已保存 {org.name} 的评价机构备案。", on_form=True):
        return redirect(url_for("admin.organization_accreditation", org_id=org.id))
    return render_template("admin/accreditation.html", org=org, form=form, filing=filing,
                           end_form=EndAccreditationForm(prefix="end"), history=accreditation_history(org.id),
                           accreditable=org.kind in ACCREDITABLE_KINDS, today=local_today())


@bp.route("/organizations/<int:org_id>/accreditation/end", methods=["POST"])
@roles_required(ADMIN)
def organization_accreditation_end(org_id: int):
    org = _org_or_404(org_id)
    form = EndAccreditationForm(prefix="end")
    run_action(form, lambda body: end_accreditation(current_user, org, body.reason),
               f"已终止 {org.name} 的备案：该机构不能再组织认定或签发等级证书。", "未能终止备案：")
    return redirect(url_for("admin.organization_accreditation", org_id=org.id))
