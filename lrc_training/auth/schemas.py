"""The people-and-organizations API's inputs (validated by pydantic) and every response shape it answers with
(documented in /api/v1/openapi.json)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ..core.api import ApiModel, InputModel
from .roles import ALL_ROLES, ORG_KINDS, PLATFORM_LEVELS

RoleName = Literal[ALL_ROLES]  # type: ignore[valid-type]
OrgKind = Literal[ORG_KINDS]  # type: ignore[valid-type]
PlatformLevel = Literal[PLATFORM_LEVELS]  # type: ignore[valid-type]


class TokenRequest(ApiModel):
    username: str = Field(max_length=32)
    password: str = Field(max_length=128)


class OrganizationIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    region_code: str = Field(min_length=6, max_length=12)
    platform_level: PlatformLevel | None = None  # platforms only: park, township or community
    national: bool = False  # a national body (its region code is its seat)


class AccreditationIn(ApiModel):
    filing_number: str = Field(min_length=1, max_length=40)
    letter: Literal["Y", "S"]
    levels: list[int] = Field(min_length=1, max_length=4)
    valid_until: date
    valid_from: date | None = None  # default: today for a new filing, unchanged for an edit
    org_code: str | None = Field(default=None, min_length=4, max_length=4)  # default 0000 (province level)
    site_code: str | None = Field(default=None, min_length=6, max_length=6)  # default: from the organization id
    version: int | None = None


class AccreditationEndIn(InputModel):
    """Ending a filing: the API's optional body and the organization page's form (EndAccreditationForm)."""

    reason: str | None = Field(default=None, max_length=500, title="终止原因")


class UserIn(ApiModel):
    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18)
    phone: str = Field(min_length=1, max_length=20)
    roles: list[RoleName] = Field(default_factory=lambda: ["trainee"], max_length=6)
    organization_id: int | None = None


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
