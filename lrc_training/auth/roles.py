"""The roles of API.md, with their Chinese names."""

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
}
ORG_KINDS = tuple(ORG_KIND_LABELS)
