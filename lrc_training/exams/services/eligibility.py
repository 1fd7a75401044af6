"""Who may apply for which level. Plain functions: facts and the application date in, verdict out.

The rules (the national skill standard of the occupation, the defaults the platform enforces):
  四级  4 years' work in the occupation or a related one; or a technical-school (or higher) diploma in a related
        major, graduating students included; or a completed level-4 (or higher) training course on the platform.
  三级  a level-4 certificate + 5 years' work after it; or level 4 + a senior technical school / technician
        college diploma; or a junior-college diploma + level 4 + 2 years after it; or a bachelor's degree (or
        higher) + level 4 + 1 year after it; or a master's degree in a related major.
  二级  a level-3 certificate + 4 years' work after it.
  一级  a level-2 certificate + 4 years' work after it.

Years are full years counted up to the application date (a year is complete on its anniversary: work started
2019-06-01 makes 5 years on 2024-06-01, not on 2024-05-31). "After the certificate" counts from its issue date, or
from the work start date when work started later. Without a work start date the declared total work years stand
in, but never count for more than the time since the certificate was issued. A certificate of a higher level
stands for the lower one; with several, the earliest-issued one that qualifies is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...core.levels import LEVEL_LABELS, LEVEL_NAMES

EDUCATION_LABELS = {
    "none": "无相关学历",
    "technical_school": "技工学校/中职（相关专业）",
    "senior_technical": "高级技工学校/技师学院",
    "junior_college": "大专",
    "bachelor": "本科",
    "master": "硕士及以上",
}
YEARS_AFTER = {3: 5, 2: 4, 1: 4}  # years of work after the certificate one level below
REQUIRED_BEFORE = {3: 4, 2: 3, 1: 2}  # the certificate each level builds on


@dataclass(frozen=True)
class HeldCertificate:
    level: int
    issued_on: date


@dataclass(frozen=True)
class Facts:
    work_years: Decimal | None = None  # declared total years in the occupation or a related one
    work_started_on: date | None = None  # when that work started; decides over work_years when given
    education: str = "none"
    related_major: bool = False
    certificates: tuple[HeldCertificate, ...] = ()
    completed_course_levels: tuple[int, ...] = ()  # levels of platform courses completed


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str


def full_years(start: date, end: date) -> int:
    """Whole years from `start` to `end`: the anniversary completes a year (29 Feb completes on 1 Mar)."""
    if end <= start:
        return 0
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _num(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}"


def total_work_years(facts: Facts, on: date) -> tuple[Decimal, str]:
    """The total years of work and how they were counted."""
    if facts.work_started_on is not None:
        years = full_years(facts.work_started_on, on)
        return Decimal(years), f"{facts.work_started_on.isoformat()} 起已满 {years} 年"
    declared = facts.work_years or Decimal("0")
    return declared, f"申报 {_num(declared)} 年"


def base_certificate(facts: Facts, level: int) -> HeldCertificate | None:
    """The certificate the application builds on: the earliest-issued one of `level` or higher."""
    held = [c for c in facts.certificates if c.level <= level]
    return min(held, key=lambda c: (c.issued_on, c.level)) if held else None


def years_after(certificate: HeldCertificate, facts: Facts, on: date) -> tuple[Decimal, str]:
    """Years of work after the certificate, and how they were counted (for the reason shown)."""
    since_issue = full_years(certificate.issued_on, on)
    if facts.work_started_on is not None:
        if facts.work_started_on > certificate.issued_on:
            years = full_years(facts.work_started_on, on)
            return Decimal(years), f"{facts.work_started_on.isoformat()} 起从事本职业工作，已满 {years} 年"
        return Decimal(since_issue), f"已满 {since_issue} 年"
    declared = facts.work_years or Decimal("0")
    if declared < since_issue:
        return declared, f"发证至今 {since_issue} 年，申报工作年限 {_num(declared)} 年，按 {_num(declared)} 年计"
    return Decimal(since_issue), f"已满 {since_issue} 年"


def _holding(certificate: HeldCertificate) -> str:
    return f"持{LEVEL_NAMES[certificate.level]}证书（{certificate.issued_on.isoformat()} 发证）"


def _after_rule(certificate: HeldCertificate, needed: int, facts: Facts, on: date) -> tuple[bool, str]:
    years, how = years_after(certificate, facts, on)
    return years >= needed, f"{_holding(certificate)}满 {needed} 年：{how}"


def check_eligibility(level: int, facts: Facts, on: date) -> Verdict:
    """Whether the facts meet one of the level's rules on the application date `on`, with the computation."""
    if level == 4:
        years, how = total_work_years(facts, on)
        if years >= 4:
            return Verdict(True, f"从事本职业或相关职业工作满 4 年：{how}")
        if facts.education != "none" and facts.related_major:
            return Verdict(True, f"取得相关专业{EDUCATION_LABELS[facts.education]}学历")
        if any(lv <= 4 for lv in facts.completed_course_levels):
            return Verdict(True, "完成本平台四级（中级工）及以上培训课程并结业")
        return Verdict(False, f"申报四级需从事本职业或相关职业工作满 4 年（您{how}，不足 4 年），"
                              "或取得相关专业技工院校及以上学历（含在读毕业生），或完成四级培训课程结业")
    if level == 3:
        if facts.education == "master" and facts.related_major:
            return Verdict(True, "取得相关专业硕士及以上学位")
        certificate = base_certificate(facts, 4)
        if certificate is None:
            return Verdict(False, "申报三级需先取得四级/中级工职业资格或职业技能等级证书（相关专业硕士除外）")
        met, text = _after_rule(certificate, 5, facts, on)
        if met:
            return Verdict(True, text)
        if facts.education == "senior_technical":
            return Verdict(True, f"{_holding(certificate)}，并具有高级技工学校/技师学院毕业证书")
        if facts.education == "junior_college":
            short_met, short_text = _after_rule(certificate, 2, facts, on)
            if short_met:
                return Verdict(True, f"大专学历，{short_text}")
        if facts.education in ("bachelor", "master"):
            short_met, short_text = _after_rule(certificate, 1, facts, on)
            if short_met:
                return Verdict(True, f"本科及以上学历，{short_text}")
        return Verdict(False, f"工作年限不足：{text}。申报三级也可：持四级证书并具有高级技工学校/技师学院毕业证书；"
                              "大专学历、持四级证书满 2 年；本科及以上学历、持四级证书满 1 年；或取得相关专业硕士学位")
    if level in (2, 1):
        needed = REQUIRED_BEFORE[level]
        certificate = base_certificate(facts, needed)
        if certificate is None:
            return Verdict(False, f"申报{LEVEL_NAMES[level]}需先取得{LEVEL_LABELS[needed]}证书")
        met, text = _after_rule(certificate, YEARS_AFTER[level], facts, on)
        if met:
            return Verdict(True, text)
        return Verdict(False, f"申报{LEVEL_NAMES[level]}需取得{LEVEL_LABELS[needed]}证书后从事本职业工作满 "
                              f"{YEARS_AFTER[level]} 年，不足：{text}")
    return Verdict(False, "等级无效")
