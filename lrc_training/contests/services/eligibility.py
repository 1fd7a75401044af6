"""A competition's registration conditions (报名条件): what each may hold, checked when the competition is set up
(API and page alike) and read defensively when someone registers, so that a value stored before these checks
existed makes registration say so (422) instead of failing with a 500."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ...core.errors import ValidationFailed
from ...core.regions import validate_region_code

KEYS = ("min_level", "min_work_years", "regions", "quota_per_organization", "quota_per_city")
MAX_REGIONS = 100
WORK_YEARS = (0, 60)
# (lowest, highest) of each whole-number condition.
WHOLE_LIMITS = {"min_level": (1, 4), "quota_per_organization": (1, 1000), "quota_per_city": (1, 10000)}
_LABELS = {"min_level": "最低证书等级", "min_work_years": "最低工作年限", "regions": "地区范围",
           "quota_per_organization": "每单位名额", "quota_per_city": "每市名额"}


def eligibility_errors(rules: object) -> dict[str, str]:
    """{"eligibility.<key>": Chinese reason} for every condition that is not allowed or not well-formed; {} when
    `rules` can be stored. Whole numbers must be JSON integers (not "3", not 3.5, not true)."""
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        return {"eligibility": "报名条件应为对象"}
    errors: dict[str, str] = {}
    for key, value in rules.items():
        where = f"eligibility.{key}"
        if key not in KEYS:
            errors[where] = "报名条件只支持 " + "、".join(KEYS)
        elif key in WHOLE_LIMITS:
            low, high = WHOLE_LIMITS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[where] = f"应为 {low} 到 {high} 的整数"
        elif key == "min_work_years":
            number = _years(value)
            if number is None or not Decimal(WORK_YEARS[0]) <= number <= Decimal(WORK_YEARS[1]):
                errors[where] = "应为 0 到 60 之间的数字（年）"
        elif key == "regions":
            reason = _regions_error(value)
            if reason:
                errors[where] = reason
    return errors


def _years(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _regions_error(value: object) -> str | None:
    """Eligible regions: a list of real division codes (a province, city, county or below)."""
    if not isinstance(value, list) or not value or len(value) > MAX_REGIONS:
        return f"报名地区应为 1 到 {MAX_REGIONS} 个行政区划代码的列表"
    for code in value:
        reason = validate_region_code(code if isinstance(code, str) else "")
        if reason:
            return f"报名地区 {str(code)[:20]}：{reason}"
    return None


def stored_rules(rules: object) -> dict:
    """A competition's stored conditions ready to check: whole numbers as int, work years as Decimal, regions as
    real division codes. A condition that cannot be read refuses the registration with a message for
    the committee (never ignored: that would let in people the committee meant to keep out)."""
    rules = rules or {}
    errors = eligibility_errors(rules)
    if errors:
        keys = "、".join(_LABELS.get(key.split(".", 1)[-1], key.split(".", 1)[-1]) for key in errors)
        raise ValidationFailed(f"本竞赛的报名条件（{keys}）设置有误，暂时无法报名，请联系竞赛组委会更正",
                               {"eligibility": "报名条件设置有误"}, code="ineligible")
    clean = dict(rules)
    if "min_work_years" in clean:
        clean["min_work_years"] = _years(clean["min_work_years"])
    return clean
