"""The roles of docs/api.md (defined in core.roles) and the kinds of organization, with their Chinese names."""

from __future__ import annotations

from ..core.roles import (  # noqa: F401  (the role names are core's; areas import them from here too)
    ADMIN,
    ALL_ROLES,
    EXAMINER,
    INSTRUCTOR,
    JUDGE,
    ORG_STAFF,
    ROLE_LABELS,
    TRAINEE,
)

ORG_KIND_LABELS = {
    "school": "技工院校/培训机构",
    "evaluator": "评价机构",
    "enterprise": "企业",
    "union": "工会组织",
    "employer_org": "企业代表组织",
    "platform": "园区/街道/社区平台",
    "hrss": "人力资源社会保障部门",
    "federation": "工商联",
    "association": "行业协会/商会",
    "mediation": "调解组织",
    "law_firm": "律师事务所",
    "social_org": "其他社会组织",
}
ORG_KINDS = tuple(ORG_KIND_LABELS)

# A platform (园区/街道/社区) may say at which level it serves.
PLATFORM_LEVEL_LABELS = {"park": "园区", "township": "乡镇/街道", "community": "社区/村"}
PLATFORM_LEVELS = tuple(PLATFORM_LEVEL_LABELS)

# Only evaluation organizations can be accredited (备案) to assess and issue level certificates.
ACCREDITABLE_KINDS = ("evaluator",)
