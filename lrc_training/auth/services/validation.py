"""Field rules shared by forms, the API and imports. Each returns the clean value or raises ValueError
with a Chinese reason, so one rule gives the same message everywhere."""

from __future__ import annotations

import re

from ...core.regions import validate_region_code
from ..roles import ALL_ROLES, ORG_KINDS
from .identity import parse_id_number, validate_phone

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN = 10
PASSWORD_MAX = 128

# Passwords people choose first, and the ones guessing tools try first (lower case). Letters followed only by
# digits or symbols count too: "Password2026!" is "password" to a guesser.
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "12345678910", "1234567890a", "a1234567890", "qwertyuiop", "1qaz2wsx3edc",
    "qwerty123456", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "asdfghjkl", "zxcvbnm123", "abc1234567",
    "abcd123456", "abcdef123456", "aa123456789", "a123456789", "123456789a", "123456abc", "woaini1314",
    "5201314520", "iloveyou1314", "password", "passw0rd", "p@ssw0rd", "p@ssword", "pa55word", "qwerty",
    "admin", "administrator", "welcome", "iloveyou", "letmein", "changeme", "sunshine", "princess", "football",
    "monkey", "dragon", "master", "superman", "trustno1", "baseball", "shadow", "abc", "abcd", "abcdef",
    "qwe", "qweasd", "qweasdzxc", "asdasd", "zxcvbnm", "woaini", "nihao", "test", "guest", "root", "user",
    "default", "lrc", "laodong", "xietiao", "peixun", "kaoshi", "huawei", "china", "beijing", "shandong",
})
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^A-Za-z0-9]"))
_TRAILING_NOISE = re.compile(r"[^A-Za-z]+$")
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


def clean_password(value: str, *, username: str | None = None, id_number: str | None = None) -> str:
    """The password policy for every password being set (registration, change, admin create and reset, API user
    creation, imports). Signing in with an existing password never runs it."""
    password = value or ""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"密码至少 {PASSWORD_MIN} 位")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"密码不能超过 {PASSWORD_MAX} 位")
    if sum(1 for pattern in _CLASSES if pattern.search(password)) < 2:
        raise ValueError("密码不能只由一类字符组成，请组合使用大写字母、小写字母、数字、符号中的至少两类")
    lowered = password.lower()
    if (lowered in COMMON_PASSWORDS or _TRAILING_NOISE.sub("", lowered) in COMMON_PASSWORDS
            or len(set(lowered)) < 4):
        raise ValueError("密码过于常见或过于简单，容易被猜中，请换一个")
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in lowered:
        raise ValueError("密码不能包含用户名")
    number = (id_number or "").strip().upper()
    if len(number) == 18 and any(part in password.upper() for part in (number, number[-6:], number[6:14])):
        raise ValueError("密码不能包含身份证号、身份证号后六位或出生日期")
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
