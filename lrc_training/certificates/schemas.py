"""The certificates area's inputs (each declared once: the API parses them strictly, the page forms that share them
through core.forms.SchemaForm) and the shapes of its API's answers (declared with `@api_response`, so
/api/v1/openapi.json describes every certificates endpoint)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..core.api import ApiModel, HiddenInt, InputModel, OptionalText

# -- numbering settings ----------------------------------------------------------------------------------------------

class SettingsFields(InputModel):
    """What an organization always types itself: the name and signatory its certificates carry."""

    registered_name: str = Field(min_length=1, max_length=100, title="登记名称",
                                 description="印在证书上的发证机构名称")
    signatory: str | None = Field(default=None, max_length=50, title="签发人")


class SettingsIn(SettingsFields):
    """`PUT /api/v1/organizations/{id}/certificate-settings`. The codes must match an open filing (备案), which
    the service checks; `version`: the settings' version as read (a stale one is refused)."""

    type_letter: str = Field(min_length=1, max_length=1, title="机构类型字母")
    org_code: str = Field(min_length=4, max_length=4, title="机构代码（4 位）", description="在省级登记的填 0000")
    province_code: str = Field(min_length=2, max_length=2, title="省份代码（2 位）", description="例如 37（山东）")
    site_code: str = Field(min_length=6, max_length=6, title="站点代码（6 位）")
    version: int | None = None


class SettingsFormIn(SettingsIn):
    """The settings page of an organization without a filing: it types the codes too; the version is hidden."""

    version: HiddenInt = None


class FiledSettingsFormIn(SettingsFields):
    """The settings page of an organization with a filing: the codes are the filing's, shown but not typed (the
    page hands the filing's codes to the service)."""

    version: HiddenInt = None


# -- issuing, revoking, reissuing ------------------------------------------------------------------------------------

class IssueIn(ApiModel):
    exam_session_id: int | None = Field(default=None, ge=1)
    competition_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def exactly_one_source(self):
        if (self.exam_session_id is None) == (self.competition_id is None):
            raise ValueError("exam_session_id 与 competition_id 须且只能提供一个")
        return self


class RevokeIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500, title="撤销原因")


class ReissueIn(InputModel):
    """A correction (更正补发) on the certificate's page (no API twin): a new certificate replaces the old one,
    with the corrected values given here (an empty box keeps the old value)."""

    reason: str = Field(min_length=1, max_length=200, title="补发原因")
    holder_name: OptionalText = Field(default=None, max_length=50, title="更正后的姓名（可选）")
    id_number: OptionalText = Field(default=None, max_length=18, title="更正后的身份证号（可选）")
    job_direction: OptionalText = Field(default=None, max_length=50, title="更正后的工种/职业方向（可选）")


class BatchIn(InputModel):
    """A batch download on the batches page (no API twin): one source of the organization's certificates (its
    type and id as `type|id`) in one format."""

    source: str = Field(min_length=1, max_length=100, title="证书来源")
    format: Literal["pdf", "zip"] = Field(default="pdf", title="格式")

    @property
    def source_type(self) -> str:
        return self.source.partition("|")[0]

    @property
    def source_id(self) -> str | None:
        return self.source.partition("|")[2] or None


class VerifyIn(InputModel):
    """The public verification page's query (the API takes the number in its path and the name as `?name=`)."""

    number: str = Field(min_length=1, max_length=60, title="证书编号")
    name: str = Field(min_length=1, max_length=50, title="持证人姓名")


# -- manual requests and issue requests ------------------------------------------------------------------------------

class ManualFields(InputModel):
    """What a manual request's API body (ManualIn) and its page form (ManualFormIn) share, declared once. The
    level, the date and the filing are checked by the service (services/manual.py)."""

    level: int = Field(title="等级")
    issued_on: date = Field(title="原发证日期", description="不能晚于今天，也不能早于本机构备案的生效日期")
    reason: str = Field(min_length=1, max_length=500, title="申请理由",
                        description="例如：平台上线前已通过认定、纸质档案补录")
    evidence: str = Field(min_length=1, max_length=200, title="证明材料",
                          description="证明材料的名称或编号，如原证书编号、认定成绩档案")
    job_direction: str | None = Field(default=None, max_length=50, title="工种/职业方向")


class ManualIn(ManualFields):
    """`POST /api/v1/certificates/manual`: the holder named by account."""

    user_id: int = Field(ge=1)


class ManualFormIn(ManualFields):
    """The manual request page: the holder named by name and ID number (linked to an account when there is one)."""

    holder_name: str = Field(min_length=1, max_length=50, title="姓名")
    id_number: str = Field(min_length=1, max_length=18, title="身份证号")


class ManualRejectIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500, title="驳回原因")


class SourceApproveIn(ApiModel):
    version: int | None = Field(default=None, ge=1)  # the version the approver saw (stale → 409)


class SourceDeclineIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500, title="拒绝原因")
    version: int | None = Field(default=None, ge=1)


# -- the API's responses ---------------------------------------------------------------------------------------------
# Built by api/ from the models; text goes out as stored, dates as YYYY-MM-DD, times ISO 8601 with the offset.

class Out(BaseModel):
    """Base of the response shapes: documentation and conversion, no input rules."""


class CertificateOut(Out):
    number: str
    kind: str = Field(description="level / award")
    status: str = Field(description="valid / revoked")
    holder_name: str
    holder_user_id: int | None
    id_type: str
    id_number_masked: str | None
    occupation: str
    job_direction: str
    level: int | None = Field(description="等级 1–4（整数），获奖证书为 null")
    level_label: str | None
    award: str | None
    event_title: str | None
    rank: int | None
    issuer_organization_id: int
    issuer: str
    issued_on: str = Field(description="YYYY-MM-DD")
    source_type: str
    source_id: str | None
    revoke_reason: str | None
    replaces: str | None = Field(description="the number of the certificate this one corrects")
    replaced_by: str | None = Field(description="the number of the certificate that corrects this one")


class CertificateSettingsOut(Out):
    organization_id: int
    type_letter: str
    org_code: str
    province_code: str
    site_code: str
    registered_name: str
    signatory: str | None
    configured: bool
    seal_configured: bool


class IssuedOut(Out):
    issued: int = Field(description="how many were issued now")
    numbers: list[str] = Field(description="the numbers issued now")
    all_numbers: list[str] = Field(description="every number the source has (issuing is idempotent)")


class VerificationOut(Out):
    valid: bool
    status: str = Field(description="valid / revoked")
    holder: str = Field(description="the holder's name, masked")
    number: str
    kind: str
    occupation: str
    level: str | None
    award: str | None
    event_title: str | None
    issued_on: str = Field(description="YYYY-MM-DD")
    issuer: str
    replaced_by: str | None


class RequestPersonOut(Out):
    id: int
    name: str


class ManualRequestOut(Out):
    id: int
    status: str = Field(description="pending_approval / approved / rejected")
    user_id: int | None
    holder_name: str
    id_number_masked: str
    level: int
    issued_on: str = Field(description="YYYY-MM-DD")
    job_direction: str
    reason: str
    evidence: str
    has_scan: bool
    requested_by: RequestPersonOut | None
    requested_at: str | None = Field(description="ISO 8601，带时区")
    decided_by: RequestPersonOut | None
    decided_at: str | None = Field(description="ISO 8601，带时区")
    decision_reason: str | None
    number: str | None = Field(description="the certificate's number once approved")
    import_id: int | None


class ManualRequestPage(Out):
    items: list[ManualRequestOut]
    page: int
    per_page: int
    total: int


class EvidenceOut(Out):
    label: str
    value: str


class SourceIssueRequestOut(Out):
    id: int
    status: str = Field(description="pending / approved / declined")
    version: int
    source_type: str
    source_id: str
    source_title: str
    source_detail: str
    evidence: list[EvidenceOut]
    evidence_link: str | None
    requester_organization_id: int
    requester: str
    evaluator_organization_id: int
    user_id: int | None
    holder_name: str
    id_number_masked: str
    level: int
    requested_at: str | None = Field(description="ISO 8601，带时区")
    decided_at: str | None = Field(description="ISO 8601，带时区")
    decision_reason: str | None
    number: str | None = Field(description="the certificate's number once approved")


class SourceIssueRequestPage(Out):
    items: list[SourceIssueRequestOut]
    page: int
    per_page: int
    total: int
