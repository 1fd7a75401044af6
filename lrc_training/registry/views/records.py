"""Registry record pages: one coordinator's record (what the platform knows, and the fields staff maintain),
adding a coordinator certified elsewhere, and the Excel import with its row-by-row report."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_KIND_LABELS, ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.levels import LEVEL_LABELS
from ..exports import XLSX
from ..models import CATEGORIES, CATEGORY_LABELS
from ..services.importing import build_template, import_registry
from ..services.records import add_named, profile, update_entry
from . import bp
from .common import may_write, read_only_redirect
from .forms import AddForm, EntryForm, ImportForm
from .work import work_section


def _profile(user_id: int):
    try:
        return profile(current_user, user_id)
    except DomainError:  # outside the caller's view, or no registry access at all: as if there were nobody
        abort(404)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def person(user_id: int):
    record = _profile(user_id)
    can_edit = may_write()
    if request.method == "POST" and not can_edit:
        return read_only_redirect(url_for("registry.person", user_id=user_id))
    form = EntryForm()
    if not form.is_submitted():
        _prefill(form, record.entry)
    elif run_action(form, lambda data: update_entry(
            current_user, user_id, position=data.position, full_time=data.full_time, started_on=data.started_on,
            version=data.version, category=data.category), "已保存。", on_form=True):
        return redirect(url_for("registry.person", user_id=user_id))
    return render_template("registry/person.html", record=record, form=form, kinds=ORG_KIND_LABELS,
                           levels=LEVEL_LABELS, can_edit=can_edit, categories=CATEGORY_LABELS,
                           work=work_section(user_id))


def _prefill(form: EntryForm, entry) -> None:
    form.position.data = entry.position if entry else None
    form.full_time.data = "1" if entry and entry.full_time else "0"
    form.started_on.data = entry.started_on if entry else None
    for key in CATEGORIES:
        getattr(form, key).data = bool(entry and getattr(entry, key))
    form.version.data = str(entry.version) if entry else ""


@bp.route("/add", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def add():
    if not may_write():
        return read_only_redirect()
    form = AddForm()
    done = run_action(form, lambda data: add_named(current_user, data), "已加入信息库。", "未能加入：")
    if done:
        return redirect(url_for("registry.person", user_id=done.value.user_id))
    return render_template("registry/add.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def import_page():
    if not may_write():
        return read_only_redirect()
    form = ImportForm()
    refusal: list[DomainError] = []  # the hourly bulk budget used up: said at the file field, with its status (429)
    done = form.validate_on_submit() and run_action(
        form, lambda: import_registry(current_user, form.file.data.stream), _imported,
        show_error=lambda exc: (refusal.append(exc), form.file.errors.append(exc.message)))
    status = refusal[0].status if refusal else 200
    return render_template("registry/import.html", form=form, report=done.value if done else None), status


def _imported(report) -> tuple[str, str] | None:
    """The import's summary (a file that could not be read says so in the report, not in a message)."""
    if report.file_error:
        return None
    return (f"导入完成：新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，"
            f"未导入 {len(report.errors)} 行。", "success" if not report.errors else "warning")


@bp.route("/import-template.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def import_template():
    if not may_write():
        return read_only_redirect()
    return send_file(build_template(), mimetype=XLSX, as_attachment=True, download_name="信息库导入模板.xlsx")
