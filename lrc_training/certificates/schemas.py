"""Request schemas of the certificates API."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

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
    reason: str = Field(min_length=1, max_length=500)


class ManualIn(ApiModel):
    user_id: int = Field(ge=1)
    level: int
    issued_on: date
    reason: str = Field(min_length=1, max_length=500)
    evidence: str = Field(min_length=1, max_length=200)
    job_direction: str | None = Field(default=None, max_length=50)


class ManualRejectIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class SourceApproveIn(ApiModel):
    version: int | None = Field(default=None, ge=1)  # the version the approver saw (stale → 409)


class SourceDeclineIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)
    version: int | None = Field(default=None, ge=1)
