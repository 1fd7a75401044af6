"""The area's page forms. They render and carry the CSRF token; their input is declared, labelled and validated by
the schemas in schemas/inputs.py (core.forms.SchemaForm), so no limit is written here. Three forms keep WTForms
checks the schemas cannot express: the two file uploads (ImportUsersForm, PhotoUploadForm: a FileField's presence
and extension) and the photo's crop, three hidden fractions the service parses. The user list's filters are a GET
form that only renders; UserQuery parses them (core.pagination.page_filters)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (  # WTForms' own fields only render here: the schemas parse and bound what is typed
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

from ...core.form_fields import MultiCheckboxField
from ...core.forms import SchemaForm
from ...core.levels import LEVEL_CHOICES
from ..roles import ORG_KIND_LABELS, PLATFORM_LEVEL_LABELS, ROLE_LABELS
from ..schemas import (
    AccreditationEndIn,
    AccreditationFormIn,
    ActivationIn,
    ChangePasswordIn,
    ContactIn,
    ForgotPasswordIn,
    NewPasswordIn,
    NewUserFormIn,
    OrganizationFormIn,
    PasswordResetIn,
    PhotoReviewIn,
    RegisterFormIn,
    SignInFormIn,
    UserEditFormIn,
)
from ..services.validation import clean_password


def id_or_zero(value) -> int:
    """Coerce a select's id; a tampered value becomes 0 ("none") instead of an English error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def policy_error(field, *, username: str | None, id_number: str | None) -> None:
    """When a password form failed elsewhere, also say what the password policy thinks of the new password (the
    schema cannot: the policy needs the account), so every problem shows in one round."""
    if field.data and not field.errors:
        try:
            clean_password(field.data, username=username, id_number=id_number)
        except ValueError as exc:
            field.errors = [str(exc)]


ORG_PICKER_HINT = "输入单位名称或所在地区（如“聊城 人社”）查找后选择"


class LoginForm(SchemaForm):
    schema = SignInFormIn

    username = StringField()
    password = PasswordField()
    remember = BooleanField("在此设备上保持登录")
    submit = SubmitField("登录")


class RegisterForm(SchemaForm):
    schema = RegisterFormIn

    name = StringField()
    id_number = StringField()
    phone = StringField()
    email = StringField(description="用于接收审核结果、考试提醒等邮件通知，以及忘记密码时找回账号")
    organization_q = StringField(description=ORG_PICKER_HINT)
    organization_id = SelectField("选择单位", coerce=id_or_zero, default=0, validate_choice=False)
    username = StringField()
    password = PasswordField()
    password_confirm = PasswordField()
    submit = SubmitField("注册")


class ChangePasswordForm(SchemaForm):
    schema = ChangePasswordIn

    current_password = PasswordField()
    new_password = PasswordField()
    new_password_confirm = PasswordField()
    submit = SubmitField("修改密码")


class ForgotPasswordForm(SchemaForm):
    schema = ForgotPasswordIn

    identifier = StringField()
    submit = SubmitField("发送重置邮件")


class NewPasswordForm(SchemaForm):
    schema = NewPasswordIn

    password = PasswordField()
    password_confirm = PasswordField()
    submit = SubmitField("设置新密码")


class ContactForm(SchemaForm):
    schema = ContactIn

    phone = StringField()
    email = StringField(description="修改后会向新邮箱发送确认链接，确认前仍使用原邮箱；留空表示不再接收邮件")
    current_password = PasswordField()
    submit = SubmitField("保存")


class ConfirmForm(FlaskForm):
    submit = SubmitField("确认")


class UserForm(SchemaForm):
    """The user page; a new user's (NewUserForm) also types the user name and the first password, which an edit
    deletes from the form."""

    schema = UserEditFormIn

    username = StringField()
    password = PasswordField()
    name = StringField()
    id_number = StringField()
    phone = StringField()
    organization_q = StringField(description=ORG_PICKER_HINT)
    organization_id = SelectField("选择机构", coerce=id_or_zero, default=0, validate_choice=False)
    roles = MultiCheckboxField(choices=list(ROLE_LABELS.items()))
    version = HiddenField()
    submit = SubmitField("保存")


class NewUserForm(UserForm):
    schema = NewUserFormIn


class ResetPasswordForm(SchemaForm):
    schema = PasswordResetIn

    password = PasswordField()
    submit = SubmitField("重置密码")


class ActivationForm(SchemaForm):
    schema = ActivationIn

    reason = StringField()
    submit = SubmitField("确认")


class OrganizationForm(SchemaForm):
    schema = OrganizationFormIn

    name = StringField()
    kind = SelectField(choices=list(ORG_KIND_LABELS.items()))
    region_code = StringField(description="6 位行政区划代码，例如 371500（聊城市）、371502（东昌府区）；"
                                          "乡镇、街道用 9 位，社区、村用 12 位统计代码，例如 371502001")
    employees = IntegerField(description="企业填写，用于统计配备协调员不足的大型企业；可留空")
    platform_level = SelectField(choices=[("", "—（不填）"), *PLATFORM_LEVEL_LABELS.items()], default="",
                                 validate_choice=False, description="仅园区/街道/社区平台填写（服务层检查取值）")
    national = BooleanField(description="如人力资源社会保障部、全国总工会：可组织国家级竞赛；行政区划填所在地")
    active = BooleanField(default=True)
    version = HiddenField()
    submit = SubmitField("保存")


class AccreditationForm(SchemaForm):
    schema = AccreditationFormIn

    filing_number = StringField()
    letter = SelectField(choices=[("S", "S：社会培训评价组织"), ("Y", "Y：用人单位（企业）评价机构")])
    levels = MultiCheckboxField(coerce=int, choices=LEVEL_CHOICES)
    valid_from = DateField(description="留空：新备案为今天，修改时不变")
    valid_until = DateField()
    org_code = StringField(description="证书编号中的机构代码；在省级备案的填 0000（留空即 0000）")
    site_code = StringField(description="备案给出的站点代码；留空则用机构编号补足 6 位（保证不与其他机构重复）")
    version = HiddenField()
    submit = SubmitField("保存备案")


class EndAccreditationForm(SchemaForm):
    schema = AccreditationEndIn

    reason = StringField()
    submit = SubmitField("终止备案")


class ImportUsersForm(FlaskForm):
    """A file: WTForms checks its presence and extension (no schema declares a file); the import checks its rows."""

    file = FileField("Excel 文件（.xlsx）", validators=[
        FileRequired("请选择要导入的文件"), FileAllowed(["xlsx"], "只支持 .xlsx 格式的 Excel 文件")])
    submit = SubmitField("开始导入")


class UserFilterForm(FlaskForm):
    """The user list's filters: rendering only; UserQuery parses them."""

    class Meta:
        csrf = False

    q = StringField("搜索")
    role = SelectField("角色", choices=[("", "全部角色"), *ROLE_LABELS.items()], validate_choice=False)
    page = IntegerField()


class PhotoUploadForm(FlaskForm):
    """A file and its crop: WTForms checks the file's presence and extension; the service parses the crop and
    checks the image (size, format, dimensions)."""

    photo = FileField("证件照（JPG 或 PNG，不超过 8 MB）", validators=[
        FileRequired("请选择照片文件"), FileAllowed(["jpg", "jpeg", "png"], "只支持 JPG 或 PNG 图片")],
        description="近期免冠正面照，白色或浅蓝色纯色背景，面部清晰。平台按二寸（35×49 毫米）比例裁剪。")
    # The chosen area as fractions of the photo (the page's cropper fills them; empty: the centred area).
    crop_x = HiddenField()
    crop_y = HiddenField()
    crop_w = HiddenField()
    submit = SubmitField("上传照片")


class PhotoReviewForm(SchemaForm):
    schema = PhotoReviewIn

    decision = RadioField(choices=[("approve", "通过"), ("reject", "不通过")], default="approve")
    reason = StringField(description="不通过时必填，例如：背景不是纯色、面部不清晰、不是本人近照")
    version = HiddenField()
    submit = SubmitField("提交审核结果")
