"""Field rules shared by forms, the API and imports. Each returns the clean value or raises ValueError
with a Chinese reason, so one rule gives the same message everywhere."""

from __future__ import annotations

import re

from ..core.regions import validate_region_code
from .identity import parse_id_number, validate_phone
from .roles import ALL_ROLES, ORG_KINDS

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN = 8


def clean_username(value: str) -> str:
    username = (value or "").strip()
    if not USERNAME_RE.match(username):
        raise ValueError("用户名应为 3–32 位字母、数字、下划线、点或连字符")
    return username


def clean_name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValueError("姓名不能为空")
    if len(name) > 50:
        raise ValueError("姓名不能超过 50 个字符")
    if any(ch.isdigit() or ch in "<>\"'&;" for ch in name):
        raise ValueError("姓名不能包含数字或特殊符号")
    return name


def clean_password(value: str) -> str:
    password = value or ""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"密码至少 {PASSWORD_MIN} 位")
    if len(password) > 128:
        raise ValueError("密码不能超过 128 位")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValueError("密码须同时包含字母和数字")
    return password


def clean_id_number(value: str) -> str:
    return parse_id_number(value).number


def clean_phone(value: str) -> str:
    return validate_phone(value)


EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def clean_email(value: str) -> str | None:
    """An email address as people type it (no display names, no comments); '' means none."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL_RE.match(value) or ".." in value:
        raise ValueError("邮箱地址格式不正确，例如 name@example.com")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_roles(values) -> list[str]:
    roles = sorted(set(values or []))
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown:
        raise ValueError("未知角色：" + "、".join(unknown))
    if not roles:
        raise ValueError("至少选择一个角色")
    return roles


def clean_org_name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValueError("机构名称不能为空")
    if len(name) > 100:
        raise ValueError("机构名称不能超过 100 个字符")
    return name


def clean_org_kind(value: str) -> str:
    if value not in ORG_KINDS:
        raise ValueError("机构类型应为：" + "、".join(ORG_KINDS))
    return value


def clean_region_code(value: str) -> str:
    code = (value or "").strip()
    reason = validate_region_code(code)
    if reason:
        raise ValueError(reason)
    return code


def collect(checks: dict[str, tuple]) -> tuple[dict, dict[str, str]]:
    """Run {field: (rule, value)} and return (clean values, errors by field)."""
    clean, errors = {}, {}
    for field, (rule, value) in checks.items():
        try:
            clean[field] = rule(value)
        except ValueError as exc:
            errors[field] = str(exc)
    return clean, errors
