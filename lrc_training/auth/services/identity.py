"""Identity rules: resident ID numbers (GB 11643), phone numbers, and masking of personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ...core.regions import PROVINCES

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    gender: str  # "男" / "女"


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def parse_id_number(value: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID and derive birth date, region and gender.

    Raises ValueError with a Chinese message naming what is wrong.
    """
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValueError("身份证号应为 18 位")
    if not _ID_RE.match(number):
        raise ValueError("身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X")
    if number[:2] not in PROVINCES:
        raise ValueError("身份证号的地区码无效")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("身份证号中的出生日期无效") from None
    today = today or date.today()
    if birth > today or birth.year < 1900:
        raise ValueError("身份证号中的出生日期无效")
    if id_check_char(number[:17]) != number[17]:
        raise ValueError("身份证号校验码不正确，请核对后重新输入")
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def validate_phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE_RE.match(phone):
        raise ValueError("手机号应为 11 位中国大陆手机号码")
    return phone


def mask_id_number(number: str | None) -> str:
    """3715**********123X — first four and last four characters shown."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "*" * len(phone)


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: keeps the first (and, for long names, the last) character."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_email(address: str | None) -> str:
    """zhangsan@example.com → z***@example.com: enough to recognise one's own address, not to write to it."""
    if not address or "@" not in address:
        return ""
    local, _, domain = address.rpartition("@")
    return f"{local[0]}***@{domain}"
