"""Query schemas of the registry: `GET /api/v1/registry` and the registry list page read the same filters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..auth.roles import ORG_KINDS
from ..core.api import QueryModel


class RegistryQuery(QueryModel):
    region_code: str | None = Field(default=None, max_length=12,
                                    description="地区代码（默认为调用者的管辖范围；超出范围 403）")
    level: int | None = Field(default=None, ge=1, le=4, description="最高等级 1–4")
    organization_kind: Literal[ORG_KINDS] | None = Field(default=None, description="单位类型")  # type: ignore[valid-type]
