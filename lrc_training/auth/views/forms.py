"""The area's page forms (Chinese labels and messages), the ID photo pages' included. Domain rules live in
services/validation.py and run in the services; these forms check presence and length so the page can answer
before a service is called."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from ...core.form_fields import MultiCheckboxField
from ...core.forms import REQUIRED, SchemaForm
from ...core.levels import LEVEL_CHOICES
from ..roles import ORG_KIND_LABELS, PLATFORM_LEVEL_LABELS, ROLE_LABELS
from ..schemas import AccreditationEndIn


def id_or_zero(value) -> int:
    """Coerce a select's id; a tampered value becomes 0 ("none") instead of an English error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0

NAME_TOO_LONG = "姓名不能超过 50 个字符"
EMAIL_TOO_LONG = "邮箱不能超过 254 个字符"
ORG_PICKER_HINT = "输入单位名称或所在地区（如“聊城 人社”）查找后选择"
ID_LENGTH = "身份证号应为 18 位"
USERNAME_TOO_LONG = "用户名不能超过 32 位"


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32, message="用户名过长")])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="密码过长")])
    remember = BooleanField("在此设备上保持登录")
    submit = SubmitField("登录")


class RegisterForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=50, message=NAME_TOO_LONG)])
    id_number = StringField("身份证号", validators=[DataRequired(REQUIRED), Length(max=18, message=ID_LENGTH)])
    phone = StringField("手机号", validators=[DataRequired(REQUIRED), Length(max=20, message="手机号格式不正确")])
    email = StringField("邮箱（可选）", validators=[Optional(), Length(max=254, message=EMAIL_TOO_LONG)],
                        description="用于接收审核结果、考试提醒等邮件通知，以及忘记密码时找回账号")
    organization_q = StringField("工作单位（可选）", validators=[Optional(), Length(max=100, message="不超过 100 个字符")],
                                 description=ORG_PICKER_HINT)
    organization_id = SelectField("选择单位", coerce=id_or_zero, default=0, validate_choice=False)
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32, message=USERNAME_TOO_LONG)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="密码过长")])
    password_confirm = PasswordField(
        "确认密码", validators=[DataRequired(REQUIRED), EqualTo("password", message="两次输入的密码不一致")]
    )
    submit = SubmitField("注册")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired(REQUIRED), Length(max=128)])
    new_password = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=128, message="密码过长")])
    new_password_confirm = PasswordField(
        "确认新密码", validators=[DataRequired(REQUIRED), EqualTo("new_password", message="两次输入的密码不一致")]
    )
    submit = SubmitField("修改密码")


class ForgotPasswordForm(FlaskForm):
    identifier = StringField("用户名或邮箱", validators=[DataRequired(REQUIRED), Length(max=254, message="输入过长")])
    submit = SubmitField("发送重置邮件")


class NewPasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=128, message="密码过长")])
    password_confirm = PasswordField(
        "确认新密码", validators=[DataRequired(REQUIRED), EqualTo("password", message="两次输入的密码不一致")]
    )
    submit = SubmitField("设置新密码")


class ContactForm(FlaskForm):
    phone = StringField("手机号", validators=[Optional(), Length(max=20, message="手机号格式不正确")])
    email = StringField("邮箱", validators=[Optional(), Length(max=254, message=EMAIL_TOO_LONG)],
                        description="修改后会向新邮箱发送确认链接，确认前仍使用原邮箱；留空表示不再接收邮件")
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码以确认是您本人"),
                                                           Length(max=128, message="密码过长")])
    submit = SubmitField("保存")


class ConfirmForm(FlaskForm):
    submit = SubmitField("确认")


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32, message=USERNAME_TOO_LONG)])
    password = PasswordField("初始密码", validators=[Optional(), Length(max=128, message="密码过长")])
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=50, message=NAME_TOO_LONG)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message=ID_LENGTH)])
    phone = StringField("手机号", validators=[Optional(), Length(max=20, message="手机号格式不正确")])
    organization_q = StringField("所属机构", validators=[Optional(), Length(max=100, message="不超过 100 个字符")],
                                 description=ORG_PICKER_HINT)
    organization_id = SelectField("选择机构", coerce=id_or_zero, default=0, validate_choice=False)
    roles = MultiCheckboxField("角色", choices=list(ROLE_LABELS.items()))
    version = HiddenField()
    submit = SubmitField("保存")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=128, message="密码过长")])
    submit = SubmitField("重置密码")


class ActivationForm(FlaskForm):
    reason = StringField("原因", validators=[Optional(), Length(max=200, message="原因不能超过 200 个字符")])
    submit = SubmitField("确认")


class OrganizationForm(FlaskForm):
    name = StringField("机构名称", validators=[
        DataRequired(REQUIRED), Length(max=100, message="机构名称不能超过 100 个字符")])
    kind = SelectField("机构类型", choices=list(ORG_KIND_LABELS.items()), validators=[InputRequired(REQUIRED)])
    region_code = StringField("行政区划代码",
                              validators=[DataRequired(REQUIRED), Length(min=6, max=12, message="应为 6、9 或 12 位数字")],
                              description="6 位行政区划代码，例如 371500（聊城市）、371502（东昌府区）；"
                                          "乡镇、街道用 9 位，社区、村用 12 位统计代码，例如 371502001")
    employees = IntegerField("职工人数", validators=[Optional(), NumberRange(0, 10_000_000, "应为 0 到 10000000")],
                             description="企业填写，用于统计配备协调员不足的大型企业；可留空")
    platform_level = SelectField("平台层级", choices=[("", "—（不填）"), *PLATFORM_LEVEL_LABELS.items()], default="",
                                 validate_choice=False, description="仅园区/街道/社区平台填写（服务层检查取值）")
    national = BooleanField("全国性机构", description="如人力资源社会保障部、全国总工会：可组织国家级竞赛；行政区划填所在地")
    active = BooleanField("启用", default=True)
    version = HiddenField()
    submit = SubmitField("保存")


class AccreditationForm(FlaskForm):
    filing_number = StringField("备案编号", validators=[DataRequired(REQUIRED), Length(max=40, message="不能超过 40 个字符")])
    letter = SelectField("类型字母", choices=[("S", "S：社会培训评价组织"), ("Y", "Y：用人单位（企业）评价机构")])
    levels = MultiCheckboxField("备案等级", coerce=int, choices=LEVEL_CHOICES)
    valid_from = DateField("生效日期", validators=[Optional()], description="留空：新备案为今天，修改时不变")
    valid_until = DateField("有效期至", validators=[DataRequired("请填写有效期截止日期")])
    org_code = StringField("机构代码（4 位）", validators=[Optional(), Length(max=4, message="应为 4 位数字")],
                           description="证书编号中的机构代码；在省级备案的填 0000（留空即 0000）")
    site_code = StringField("站点代码（6 位）", validators=[Optional(), Length(max=6, message="应为 6 位数字")],
                            description="备案给出的站点代码；留空则用机构编号补足 6 位（保证不与其他机构重复）")
    version = HiddenField()
    submit = SubmitField("保存备案")


class EndAccreditationForm(SchemaForm):
    schema = AccreditationEndIn
    reason = StringField("终止原因")
    submit = SubmitField("终止备案")


class ImportUsersForm(FlaskForm):
    file = FileField("Excel 文件（.xlsx）", validators=[
        FileRequired("请选择要导入的文件"), FileAllowed(["xlsx"], "只支持 .xlsx 格式的 Excel 文件")])
    submit = SubmitField("开始导入")


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("搜索", validators=[Optional(), Length(max=50)])
    role = SelectField("角色", choices=[("", "全部角色"), *ROLE_LABELS.items()], validate_choice=True)
    page = IntegerField(validators=[Optional()])


class PhotoUploadForm(FlaskForm):
    photo = FileField("证件照（JPG 或 PNG，不超过 8 MB）", validators=[
        FileRequired("请选择照片文件"), FileAllowed(["jpg", "jpeg", "png"], "只支持 JPG 或 PNG 图片")],
        description="近期免冠正面照，白色或浅蓝色纯色背景，面部清晰。平台按二寸（35×49 毫米）比例裁剪。")
    # The chosen area as fractions of the photo (the page's cropper fills them; empty: the centred area).
    crop_x = HiddenField()
    crop_y = HiddenField()
    crop_w = HiddenField()
    submit = SubmitField("上传照片")


class PhotoReviewForm(FlaskForm):
    decision = RadioField("审核结果", choices=[("approve", "通过"), ("reject", "不通过")],
                          validators=[Optional()], default="approve")
    reason = StringField("不通过的原因", validators=[Optional(), Length(max=200, message="不超过 200 字")],
                         description="不通过时必填，例如：背景不是纯色、面部不清晰、不是本人近照")
    version = HiddenField()
    submit = SubmitField("提交审核结果")
