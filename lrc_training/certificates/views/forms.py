"""The certificates area's page forms. They render and carry the CSRF token; where an input is declared in
schemas.py (revoking, rejecting, an issue request's approval and decline) the form is a core.forms.SchemaForm over
that schema, so its limits are written once. The others have no API twin yet and keep their WTForms validators."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...core.form_fields import DateField
from ...core.forms import REQUIRED, SchemaForm
from ..models import LEVEL_LABELS
from ..schemas import ManualRejectIn, RevokeIn, SourceApproveIn, SourceDeclineIn


class SettingsForm(FlaskForm):
    type_letter = SelectField("机构类型字母", choices=[("S", "S：社会培训评价组织"), ("Y", "Y：用人单位（企业）")])
    org_code = StringField("机构代码（4 位）", description="在省级登记的填 0000", validators=[
        DataRequired(REQUIRED), Length(min=4, max=4, message="应为 4 位数字")])
    province_code = StringField("省份代码（2 位）", description="例如 37（山东）", validators=[
        DataRequired(REQUIRED), Length(min=2, max=2, message="应为 2 位数字")])
    site_code = StringField("站点代码（6 位）", validators=[
        DataRequired(REQUIRED), Length(min=6, max=6, message="应为 6 位数字")])
    registered_name = StringField("登记名称", validators=[DataRequired(REQUIRED), Length(max=100)],
                                  description="印在证书上的发证机构名称")
    signatory = StringField("签发人", validators=[Optional(), Length(max=50)])
    seal = FileField("电子印章（PNG，透明背景）", validators=[Optional(), FileAllowed(["png"], "只支持 PNG 图片")])
    version = HiddenField()
    submit = SubmitField("保存设置")


class IssueForm(FlaskForm):
    """A manual certificate request (手工发证申请): issued only after another staff member approves it."""

    holder_name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=50)])
    id_number = StringField("身份证号", validators=[
        DataRequired(REQUIRED), Length(max=18, message="身份证号应为 18 位")])
    level = SelectField("等级", coerce=int, choices=list(LEVEL_LABELS.items()))
    job_direction = StringField("工种/职业方向", default="--", validators=[Optional(), Length(max=50)],
                                description="没有时填写 --")
    issued_on = DateField("原发证日期", validators=[DataRequired("请填写原发证日期")],
                          description="不能晚于今天，也不能早于本机构备案的生效日期")
    reason = TextAreaField("申请理由", validators=[DataRequired("请填写申请理由"), Length(max=500)],
                           description="例如：平台上线前已通过认定、纸质档案补录")
    evidence = StringField("证明材料", validators=[DataRequired("请写明证明材料"), Length(max=200)],
                           description="证明材料的名称或编号，如原证书编号、认定成绩档案")
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


class ReissueForm(FlaskForm):
    reason = StringField("补发原因", validators=[DataRequired("请填写补发原因"), Length(max=200)])
    holder_name = StringField("更正后的姓名（可选）", validators=[Optional(), Length(max=50)])
    id_number = StringField("更正后的身份证号（可选）", validators=[Optional(), Length(max=18)])
    job_direction = StringField("更正后的工种/职业方向（可选）", validators=[Optional(), Length(max=50)])
    submit = SubmitField("更正补发")


class ImportForm(FlaskForm):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择要导入的文件"),
                                                      FileAllowed(["xlsx"], "只支持 .xlsx 格式的 Excel 文件")])
    submit = SubmitField("导入并提交复核")


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False

    number = StringField("证书编号", validators=[DataRequired("请输入证书编号"), Length(max=60, message="证书编号过长")])
    name = StringField("持证人姓名", validators=[DataRequired("请输入持证人姓名"), Length(max=50)])
    submit = SubmitField("查询")


class BatchForm(FlaskForm):
    source = SelectField("证书来源")
    format = SelectField("格式", choices=[("pdf", "合并为一个 PDF"), ("zip", "ZIP（每张证书一个 PDF）")])
    submit = SubmitField("开始生成")
