"""The certificates area's page forms. They render and carry the CSRF token; each form that takes typed input is a
core.forms.SchemaForm over its schema in schemas.py (the API's own where there is a twin: SettingsIn, ManualIn's
fields, RevokeIn, ManualRejectIn, SourceApproveIn, SourceDeclineIn; a page-only one otherwise: ReissueIn, BatchIn,
VerifyIn), so its labels and limits are written once, there. File uploads (the seal, the scan and photo, the Excel
import) stay WTForms FileFields with their type checks: a schema cannot express a file, and the services check the
content itself. The approve buttons are plain forms: a CSRF token and a button."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ...core.form_fields import DateField
from ...core.forms import SchemaForm
from ..models import LEVEL_LABELS
from ..schemas import (
    BatchIn,
    FiledSettingsFormIn,
    ManualFormIn,
    ManualRejectIn,
    ReissueIn,
    RevokeIn,
    SettingsFormIn,
    SettingsIn,
    SourceApproveIn,
    SourceDeclineIn,
    VerifyIn,
)

FILING_FIELDS = ("type_letter", "org_code", "province_code", "site_code")


class SettingsForm(SchemaForm):
    """The settings of an organization without a filing (备案): it types the codes as well."""

    schema = SettingsFormIn

    type_letter = SelectField(choices=[("S", "S：社会培训评价组织"), ("Y", "Y：用人单位（企业）")])
    org_code = StringField()
    province_code = StringField()
    site_code = StringField()
    registered_name = StringField()
    signatory = StringField()
    seal = FileField("电子印章（PNG，透明背景）", validators=[Optional(), FileAllowed(["png"], "只支持 PNG 图片")])
    version = HiddenField()
    submit = SubmitField("保存设置")


class FiledSettingsForm(SettingsForm):
    """The settings of an organization with a filing: the codes are the filing's, shown (labelled as SettingsIn
    names them) but not read from the page."""

    schema = FiledSettingsFormIn

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in FILING_FIELDS:
            info = SettingsIn.model_fields[name]
            self[name].label.text = info.title
            self[name].description = info.description or ""
            self[name].flags.required = info.is_required()


class IssueForm(SchemaForm):
    """A manual certificate request (手工发证申请): issued only after another staff member approves it."""

    schema = ManualFormIn

    holder_name = StringField()
    id_number = StringField()
    level = SelectField(coerce=int, choices=list(LEVEL_LABELS.items()))
    job_direction = StringField(default="--", description="没有时填写 --")
    issued_on = DateField()
    reason = TextAreaField()
    evidence = StringField()
    scan = FileField("证明材料扫描件（可选，PDF/JPG/PNG）", validators=[
        Optional(), FileAllowed(["pdf", "jpg", "jpeg", "png"], "只支持 PDF、JPG 或 PNG 文件")])
    photo = FileField("持证人照片（可选，JPG/PNG）", validators=[
        Optional(), FileAllowed(["jpg", "jpeg", "png"], "只支持 JPG 或 PNG")])
    submit = SubmitField("提交复核")


class ApproveForm(FlaskForm):
    submit = SubmitField("批准并签发")


class ApproveImportForm(FlaskForm):
    submit = SubmitField("批准本批全部申请")


class RejectForm(SchemaForm):
    schema = ManualRejectIn

    reason = StringField()
    submit = SubmitField("驳回")


class SourceApproveForm(SchemaForm):
    schema = SourceApproveIn

    version = HiddenField()
    submit = SubmitField("核对无误，签发证书")


class SourceDeclineForm(SchemaForm):
    schema = SourceDeclineIn

    version = HiddenField()
    reason = StringField()
    submit = SubmitField("拒绝")


class RevokeForm(SchemaForm):
    schema = RevokeIn

    reason = TextAreaField()
    submit = SubmitField("撤销证书")


class ReissueForm(SchemaForm):
    schema = ReissueIn

    reason = StringField()
    holder_name = StringField()
    id_number = StringField()
    job_direction = StringField()
    submit = SubmitField("更正补发")


class ImportForm(FlaskForm):
    """Only a file (see the module docstring); the service reads the sheet and reports row by row."""

    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择要导入的文件"),
                                                      FileAllowed(["xlsx"], "只支持 .xlsx 格式的 Excel 文件")])
    submit = SubmitField("导入并提交复核")


class VerifyForm(SchemaForm):
    """The public verification form: a GET without a CSRF token, read from the query string it is built with."""

    schema = VerifyIn

    class Meta:
        csrf = False

    number = StringField()
    name = StringField()
    submit = SubmitField("查询")

    def is_submitted(self) -> bool:
        return True  # a GET form: the page parses it only when the query string asks for a search


class BatchForm(SchemaForm):
    schema = BatchIn

    source = SelectField()
    format = SelectField(choices=[("pdf", "合并为一个 PDF"), ("zip", "ZIP（每张证书一个 PDF）")])
    submit = SubmitField("开始生成")
