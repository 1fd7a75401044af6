"""Every input of the auth area, declared once, with Chinese titles and messages; the lengths are the columns'
(models.py) and the password policy's (services/validation.py).

The API's bodies are TokenRequest, UserIn, OrganizationIn, AccreditationIn and AccreditationEndIn. Where a page
types the same thing differently, its variant shares their fields: SignInFormIn (TokenRequest and 保持登录),
RegisterFormIn, NewUserFormIn and UserEditFormIn (UserIn's fields; the organization is found with the picker, staff
may leave the ID number and phone empty), OrganizationFormIn (职工人数, 启用 and the version) and AccreditationFormIn
(the levels and codes are left to the service, which names each missing one). The pages without an API twin have
their own: ChangePasswordIn, NewPasswordIn, PasswordResetIn, ForgotPasswordIn, ContactIn, ActivationIn,
PhotoReviewIn, and UserQuery for the user list's filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, WrapValidator

from ...core.api import AskFor, HiddenInt, InputModel, OptionalText, QueryModel, blank_is_none
from ..models import (
    EMAIL_MAX,
    FILING_NUMBER_MAX,
    ID_NUMBER_MAX,
    NAME_MAX,
    ORG_CODE_LENGTH,
    ORG_NAME_MAX,
    PHONE_TYPED_MAX,
    REASON_MAX,
    REGION_CODE_MAX,
    SITE_CODE_LENGTH,
    USERNAME_MAX,
)
from ..roles import ALL_ROLES, ORG_KINDS, PLATFORM_LEVELS
from ..services.validation import (
    PASSWORD_MAX,
    clean_email,
    clean_id_number,
    clean_name,
    clean_password,
    clean_phone,
    clean_username,
)

RoleName = Literal[ALL_ROLES]  # type: ignore[valid-type]
OrgKind = Literal[ORG_KINDS]  # type: ignore[valid-type]
PlatformLevel = Literal[PLATFORM_LEVELS]  # type: ignore[valid-type]
EMPLOYEES_MAX = 10_000_000
LEVELS_MAX = 4
QUERY_MAX = 50


def _worded(message: str, *kinds: str) -> WrapValidator:
    """The field's own words for a length error ("用户名不能超过 32 位") instead of core's general ones."""
    kinds = kinds or ("string_too_long",)

    def reword(value: Any, handler: Callable) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if any(error["type"] in kinds for error in exc.errors()):
                raise ValueError(message) from None
            raise

    return WrapValidator(reword)


def _same_as(other: str) -> Callable:
    def check(value: str, info: ValidationInfo) -> str:
        if other in info.data and value != info.data[other]:
            raise ValueError("两次输入的密码不一致")
        return value

    return check


def _policy(password: str, info: ValidationInfo) -> str:
    """The password policy, given the user name and ID number typed above it."""
    return clean_password(password, username=info.data.get("username"), id_number=info.data.get("id_number"))


# A person's account, as the API, registration and the user pages type it.
Username = Annotated[str, Field(min_length=1, max_length=USERNAME_MAX), _worded(f"用户名不能超过 {USERNAME_MAX} 位")]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX), _worded("密码过长")]
PersonName = Annotated[str, Field(min_length=1, max_length=NAME_MAX), _worded(f"姓名不能超过 {NAME_MAX} 个字符")]
IdNumber = Annotated[str, Field(min_length=1, max_length=ID_NUMBER_MAX), _worded(f"身份证号应为 {ID_NUMBER_MAX} 位")]
Phone = Annotated[str, Field(min_length=1, max_length=PHONE_TYPED_MAX), _worded("手机号格式不正确")]
OptionalIdNumber = Annotated[str | None, Field(max_length=ID_NUMBER_MAX), _worded(f"身份证号应为 {ID_NUMBER_MAX} 位"),
                             AfterValidator(blank_is_none)]
OptionalPhone = Annotated[str | None, Field(max_length=PHONE_TYPED_MAX), _worded("手机号格式不正确"),
                          AfterValidator(blank_is_none)]
Email = Annotated[str | None, Field(max_length=EMAIL_MAX), _worded(f"邮箱不能超过 {EMAIL_MAX} 个字符"),
                  AfterValidator(blank_is_none)]
OrgSearch = Annotated[str | None, Field(max_length=ORG_NAME_MAX), _worded(f"不超过 {ORG_NAME_MAX} 个字符"),
                      AfterValidator(blank_is_none)]  # the organization picker's typed text


# -- signing in and passwords ------------------------------------------------------------------------------------

class TokenRequest(InputModel):
    """`POST /api/v1/auth/token`, and the sign-in page's fields (SignInFormIn)."""

    username: str = Field(max_length=USERNAME_MAX, title="用户名")
    password: str = Field(max_length=PASSWORD_MAX, title="密码")


class SignInFormIn(TokenRequest):
    """The sign-in page: the API's fields, and whether to stay signed in on this device."""

    remember: bool = False


class PasswordResetIn(InputModel):
    """Staff setting a person's new password (the user page's 重置密码); the policy runs in the service."""

    password: Password = Field(title="新密码")


class NewPasswordIn(PasswordResetIn):
    """The reset link's page: the new password, typed twice."""

    password_confirm: Annotated[str, AfterValidator(_same_as("password"))] = Field(
        max_length=PASSWORD_MAX, title="确认新密码")


class ChangePasswordIn(InputModel):
    """Changing one's own password (/password)."""

    current_password: str = Field(max_length=PASSWORD_MAX, title="当前密码")
    new_password: Password = Field(title="新密码")
    new_password_confirm: Annotated[str, AfterValidator(_same_as("new_password"))] = Field(
        max_length=PASSWORD_MAX, title="确认新密码")


class ForgotPasswordIn(InputModel):
    """忘记密码: a user name or an email address."""

    identifier: str = Field(min_length=1, max_length=EMAIL_MAX, title="用户名或邮箱")


class ContactIn(InputModel):
    """One's own phone and email (empty: none), confirmed with the current password."""

    phone: OptionalPhone = Field(default=None, title="手机号")
    email: Email = Field(default=None, title="邮箱")
    current_password: Annotated[str, AskFor("请输入当前密码以确认是您本人")] = Field(
        max_length=PASSWORD_MAX, title="当前密码")


# -- people ------------------------------------------------------------------------------------------------------

class UserIn(InputModel):
    """`POST /api/v1/users`."""

    username: Username = Field(title="用户名")
    password: Password = Field(title="密码")
    name: PersonName = Field(title="姓名")
    id_number: IdNumber = Field(title="身份证号")
    phone: Phone = Field(title="手机号")
    roles: list[RoleName] = Field(default_factory=lambda: ["trainee"], max_length=6, title="角色")
    organization_id: int | None = None


class RegisterFormIn(InputModel):
    """Registration: UserIn's fields as a trainee types them, with an email, the organization picker's text and the
    password typed twice. The field rules (services/validation.py) run here as well as in the service, so one
    round shows every problem; the password's after the user name and ID number it must not contain."""

    name: Annotated[PersonName, AfterValidator(clean_name)] = Field(title="姓名")
    id_number: Annotated[IdNumber, AfterValidator(clean_id_number)] = Field(title="身份证号")
    phone: Annotated[Phone, AfterValidator(clean_phone)] = Field(title="手机号")
    email: Annotated[Email, AfterValidator(clean_email)] = Field(default=None, title="邮箱（可选）")
    organization_q: OrgSearch = Field(default=None, title="工作单位（可选）")
    username: Annotated[Username, AfterValidator(clean_username)] = Field(title="用户名")
    password: Annotated[Password, AfterValidator(_policy)] = Field(title="密码")
    password_confirm: Annotated[str, AfterValidator(_same_as("password"))] = Field(
        max_length=PASSWORD_MAX, title="确认密码")

    def account(self) -> dict[str, Any]:
        """register_trainee's keywords (the organization comes from the picker)."""
        return self.model_dump(include={"username", "password", "name", "id_number", "phone", "email"})


class UserEditFormIn(InputModel):
    """The user page (staff): UserIn's fields but the account's; the ID number and phone may stay empty (on an
    edit, an empty ID number keeps the stored one), the organization is found with the picker."""

    name: PersonName = Field(title="姓名")
    id_number: OptionalIdNumber = Field(default=None, title="身份证号")
    phone: OptionalPhone = Field(default=None, title="手机号")
    organization_q: OrgSearch = Field(default=None, title="所属机构")
    roles: list[RoleName] = Field(default_factory=list, max_length=len(ALL_ROLES), title="角色")
    version: HiddenInt = None


class NewUserFormIn(UserEditFormIn):
    """A new user's page: the user page's fields, the user name and the first password."""

    username: Username = Field(title="用户名")
    password: Annotated[Password, AskFor("请设置初始密码")] = Field(title="初始密码")


class UserQuery(QueryModel):
    """The user list's filters (/admin/users)."""

    q: str | None = Field(default=None, max_length=QUERY_MAX, title="搜索")
    role: RoleName | None = Field(default=None, title="角色")


# -- organizations and their filing (备案) -------------------------------------------------------------------------

class OrganizationIn(InputModel):
    """`POST /api/v1/organizations`, and the organization page's fields (OrganizationFormIn)."""

    name: Annotated[str, _worded(f"机构名称不能超过 {ORG_NAME_MAX} 个字符")] = Field(
        min_length=1, max_length=ORG_NAME_MAX, title="机构名称")
    kind: OrgKind = Field(title="机构类型")
    region_code: Annotated[str, _worded("应为 6、9 或 12 位数字", "string_too_long", "string_too_short")] = Field(
        min_length=6, max_length=REGION_CODE_MAX, title="行政区划代码")
    platform_level: PlatformLevel | None = Field(default=None, title="平台层级")  # platforms only
    national: bool = Field(default=False, title="全国性机构")  # a national body (its region code is its seat)


class OrganizationFormIn(OrganizationIn):
    """The organization page: the API's fields, the headcount, whether it is active (an unticked box: no) and the
    version as read."""

    employees: int | None = Field(default=None, ge=0, le=EMPLOYEES_MAX, title="职工人数")
    active: bool = Field(default=False, title="启用")
    version: HiddenInt = None


class AccreditationFields(InputModel):
    """What a filing's API body (AccreditationIn) and its page form (AccreditationFormIn) share."""

    filing_number: str = Field(min_length=1, max_length=FILING_NUMBER_MAX, title="备案编号")
    letter: Literal["Y", "S"] = Field(title="类型字母")
    valid_until: Annotated[date, AskFor("请填写有效期截止日期")] = Field(title="有效期至")
    valid_from: date | None = Field(default=None, title="生效日期")  # default: today when new, unchanged on an edit


class AccreditationIn(AccreditationFields):
    """`PUT /api/v1/organizations/{id}/accreditation`."""

    levels: list[int] = Field(min_length=1, max_length=LEVELS_MAX)
    org_code: str | None = Field(default=None, min_length=ORG_CODE_LENGTH, max_length=ORG_CODE_LENGTH)  # 0000
    site_code: str | None = Field(default=None, min_length=SITE_CODE_LENGTH, max_length=SITE_CODE_LENGTH)
    version: int | None = None


class AccreditationFormIn(AccreditationFields):
    """The filing page: the levels as ticked boxes and the codes as typed; what is missing or malformed there the
    service names, with the other problems of the filing."""

    levels: list[int] = Field(default_factory=list, max_length=LEVELS_MAX, title="备案等级")
    org_code: Annotated[OptionalText, _worded(f"应为 {ORG_CODE_LENGTH} 位数字")] = Field(
        default=None, max_length=ORG_CODE_LENGTH, title="机构代码（4 位）")
    site_code: Annotated[OptionalText, _worded(f"应为 {SITE_CODE_LENGTH} 位数字")] = Field(
        default=None, max_length=SITE_CODE_LENGTH, title="站点代码（6 位）")
    version: HiddenInt = None


class AccreditationEndIn(InputModel):
    """Ending a filing: the API's optional body and the organization page's form (EndAccreditationForm)."""

    reason: str | None = Field(default=None, max_length=500, title="终止原因")


# -- decisions staff type ----------------------------------------------------------------------------------------

class ActivationIn(InputModel):
    """Deactivating or reactivating an account: the reason, kept in the audit log."""

    reason: OptionalText = Field(default=None, max_length=REASON_MAX, title="原因")


class PhotoReviewIn(InputModel):
    """A decision on an ID photo in the review queue; a rejection needs its reason (the service says so)."""

    decision: Literal["approve", "reject"] = Field(default="approve", title="审核结果")
    reason: OptionalText = Field(default=None, max_length=REASON_MAX, title="不通过的原因")
    version: HiddenInt = None
