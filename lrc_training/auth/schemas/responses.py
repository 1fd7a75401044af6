"""The shapes the people-and-organizations API answers with (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from pydantic import Field

from ...core.api import ApiModel


class OrganizationOut(ApiModel):
    id: int
    name: str
    kind: str
    region_code: str
    region_name: str
    active: bool
    platform_level: str | None = None
    national: bool = False
    version: int


class UserOut(ApiModel):
    id: int
    username: str
    name: str
    id_number_masked: str
    phone_masked: str
    roles: list[str]
    organization_id: int | None
    organization: OrganizationOut | None
    active: bool
    version: int


class UserPage(ApiModel):
    items: list[UserOut]
    page: int
    per_page: int
    total: int


class OrganizationPage(ApiModel):
    items: list[OrganizationOut]
    page: int
    per_page: int
    total: int


class TokenUserOut(ApiModel):
    id: int
    username: str
    roles: list[str]


class TokenOut(ApiModel):
    token: str
    expires_at: str
    user: TokenUserOut


class AccreditationOut(ApiModel):
    organization_id: int
    filing_number: str
    letter: str = Field(description="Y: employer-based evaluator, S: social training-evaluation organization")
    levels: list[int]
    valid_from: str = Field(description="YYYY-MM-DD")
    valid_until: str = Field(description="YYYY-MM-DD")
    org_code: str
    province_code: str
    site_code: str
    site_code_derived: bool
    number_prefix: str
    valid_today: bool
    ended_at: str | None = Field(description="ISO 8601, local time; null while the filing is open")
    end_reason: str | None
    version: int
