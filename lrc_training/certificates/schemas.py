"""The certificates area's inputs (each declared once: the API parses them strictly, the page forms that share them
through core.forms.SchemaForm) and the shapes of its API's answers (declared with `@api_response`, so
/api/v1/openapi.json describes every certificates endpoint)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from ..core.api import ApiModel


class SettingsIn(ApiModel):
    type_letter: str = Field(min_length=1, max_length=1)
    org_code: str = Field(min_length=4, max_length=4)
    province_code: str = Field(min_length=2, max_length=2)
    site_code: str = Field(min_length=6, max_length=6)
    registered_name: str = Field(min_length=1, max_length=100)
    signatory: str | None = Field(default=None, max_length=50)
    version: int | None = None


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


class ManualIn(ApiModel):
    user_id: int = Field(ge=1)
    level: int
    issued_on: date
    reason: str = Field(min_length=1, max_length=500)
    evidence: str = Field(min_length=1, max_length=200)
    job_direction: str | None = Field(default=None, max_length=50)


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
