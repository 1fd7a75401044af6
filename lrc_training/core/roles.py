"""The roles of docs/api.md, with their Chinese names. They live in core because the access decorators, the
navigation and the templates name them; `auth.roles` re-exports them beside the organization kinds."""

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
