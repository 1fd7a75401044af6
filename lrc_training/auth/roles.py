"""The roles of docs/api.md, with their Chinese names."""

from __future__ import annotations

TRAINEE = "trainee"
INSTRUCTOR = "instructor"
EXAMINER = "examiner"
JUDGE = "judge"
ORG_STAFF = "org_staff"
ADMIN = "admin"

ROLE_LABELS = {
    TRAINEE: "学员",
    INSTRUCTOR: "培训教师",
    EXAMINER: "考评员",
    JUDGE: "裁判员",
    ORG_STAFF: "机构工作人员",
    ADMIN: "系统管理员",
}
ALL_ROLES = tuple(ROLE_LABELS)

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
