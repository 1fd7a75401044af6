"""Registry record pages: one coordinator's record (what the platform knows, and the fields staff maintain),
adding a coordinator certified elsewhere, and the Excel import with its row-by-row report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..auth.models import User
from ..auth.roles import ADMIN, ORG_KIND_LABELS, ORG_STAFF
from ..core.access import roles_required
from ..core.errors import DomainError
from ..core.form_fields import DateField
from ..core.forms import apply_errors, run_action, to_int
from ..core.levels import LEVEL_LABELS
from ..extensions import db
from . import bp
from .importing import build_template, import_registry
from .models import CATEGORIES, CATEGORY_LABELS
from .records import profile, update_entry
from .services import add_to_registry, caller_access
from .work_views import work_section

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EntryForm(FlaskForm):
    position = StringField("职务", validators=[Optional(), Length(max=100, message="不超过 100 个字符")])
    full_time = SelectField("专职/兼职", choices=[("0", "兼职"), ("1", "专职")])
    started_on = DateField("从事本职业起始日期", validators=[Optional()])
    negotiation_instructor = BooleanField(CATEGORY_LABELS["negotiation_instructor"])
    party_member = BooleanField(CATEGORY_LABELS["party_member"])
    union_cadre = BooleanField(CATEGORY_LABELS["union_cadre"])
    version = HiddenField()
    submit = SubmitField("保存")


class AddForm(FlaskForm):
    person = StringField("用户名或身份证号", validators=[DataRequired("此项为必填项"), Length(max=32)])
    certificate_number = StringField("外部证书编号", validators=[Optional(), Length(max=40)],
                                     description="在其他机构取得的证书；平台签发的证书无需填写")
    level = SelectField("证书等级", choices=[("", "—")] + [(str(k), v) for k, v in LEVEL_LABELS.items()])
    position = StringField("职务", validators=[Optional(), Length(max=100)])
    full_time = BooleanField("专职")
    submit = SubmitField("加入信息库")


class ImportForm(FlaskForm):
    file = FileField("Excel 文件", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "请上传 .xlsx 文件")])
    submit = SubmitField("导入")


def _profile(user_id: int):
    try:
        return profile(current_user, user_id)
    except DomainError:
        abort(404)


READ_ONLY = "您所在单位对信息库只有查看权限；登记、修改和导入由人力资源社会保障部门办理。"


def read_only_redirect(target: str | None = None):
    """Pages that change the registry are for 人社 staff and admins: anyone else is sent back with the reason."""
    flash(READ_ONLY, "warning")
    return redirect(target or url_for("registry.people"))


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def person(user_id: int):
    record = _profile(user_id)
    can_edit = caller_access(current_user).write
    if request.method == "POST" and not can_edit:
        return read_only_redirect(url_for("registry.person", user_id=user_id))
    form = EntryForm()
    if not form.is_submitted():
        entry = record.entry
        form.position.data = entry.position if entry else None
        form.full_time.data = "1" if entry and entry.full_time else "0"
        form.started_on.data = entry.started_on if entry else None
        for key in CATEGORIES:
            getattr(form, key).data = bool(entry and getattr(entry, key))
        form.version.data = str(entry.version) if entry else ""
    elif form.validate():
        version = to_int(form.version.data, -1) if form.version.data else None
        try:
            update_entry(current_user, user_id, position=form.position.data, full_time=form.full_time.data == "1",
                         started_on=form.started_on.data, version=version,
                         category=[key for key in CATEGORIES if getattr(form, key).data])
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash("已保存。", "success")
            return redirect(url_for("registry.person", user_id=user_id))
    return render_template("registry/person.html", record=record, form=form, kinds=ORG_KIND_LABELS,
                           levels=LEVEL_LABELS, can_edit=can_edit, categories=CATEGORY_LABELS,
                           work=work_section(user_id))


@bp.route("/add", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def add():
    if not caller_access(current_user).write:
        return read_only_redirect()
    form = AddForm()
    if form.is_submitted():
        who = (form.person.data or "").strip()
        user = db.session.execute(select(User).where(or_(User.username == who, User.id_number == who.upper()))).scalar()

        def run():
            return add_to_registry(current_user, user_id=user.id if user else -1, position=form.position.data,
                                   full_time=bool(form.full_time.data),
                                   certificate_number=form.certificate_number.data,
                                   level=int(form.level.data) if form.level.data else None)
        if run_action(form, run, lambda entry: "已加入信息库。", "未能加入："):
            return redirect(url_for("registry.person", user_id=user.id))
    return render_template("registry/add.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def import_page():
    if not caller_access(current_user).write:
        return read_only_redirect()
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        try:
            report = import_registry(current_user, form.file.data.stream)
        except DomainError as exc:  # the hourly bulk budget is used up
            db.session.rollback()
            form.file.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            if not report.file_error:
                flash(f"导入完成：新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，"
                      f"未导入 {len(report.errors)} 行。", "success" if not report.errors else "warning")
    return render_template("registry/import.html", form=form, report=report), status


@bp.route("/import-template.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def import_template():
    if not caller_access(current_user).write:
        return read_only_redirect()
    return send_file(build_template(), mimetype=XLSX, as_attachment=True, download_name="信息库导入模板.xlsx")
