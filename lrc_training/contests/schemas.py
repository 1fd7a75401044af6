"""Request schemas of the competitions API."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from ..core.api import ApiModel


class CriterionIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    max_points: float = Field(gt=0, le=1000)


class ItemIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["theory", "practical"]
    weight: float = Field(gt=0, le=100)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=50)


class CompetitionIn(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    tier: Literal["city", "provincial", "national"]
    level: int = Field(ge=1, le=4)
    registration_closes_at: AwareDatetime
    items: list[ItemIn] = Field(min_length=1, max_length=20)
    award_ratios: dict[str, float] = Field(default_factory=lambda: {"first": 0.1, "second": 0.2, "third": 0.3})
    award_mode: Literal["ratio", "national"] = "ratio"
    aggregation: Literal["auto", "mean", "trimmed", "median"] = "auto"
    eligibility: dict | None = None
    notice_days: int = Field(default=5, ge=0, le=30)


class RegistrationIn(ApiModel):
    user_id: int
    work_years: float | None = Field(default=None, ge=0, le=60)


class JudgeIn(ApiModel):
    user_id: int
    item_index: int = Field(ge=0, le=19)


class SheetIn(ApiModel):
    scores: dict[str, float | int]
    version: int


class ReasonIn(ApiModel):
    reason: str | None = Field(default=None, max_length=500)
