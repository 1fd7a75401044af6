"""Who may apply for which level (DOMAIN.md "Skill levels"). Plain functions: facts in, verdict out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

EDUCATION_LABELS = {
    "none": "无相关学历",
    "technical_school": "技工学校/中职（相关专业）",
    "senior_technical": "高级技工学校/技师学院",
    "junior_college": "大专",
    "bachelor": "本科",
    "master": "硕士及以上",
}


@dataclass(frozen=True)
class Facts:
    work_years: Decimal
    education: str = "none"
    related_major: bool = False
    prior_level: int | None = None  # highest certificate level held (1 is highest), None for none
    completed_course_levels: tuple[int, ...] = ()  # levels of platform courses completed


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str


def _holds(facts: Facts, level: int) -> bool:
    """Holds a certificate of `level` or higher (a lower number is a higher level)."""
    return facts.prior_level is not None and facts.prior_level <= level


def check_eligibility(level: int, facts: Facts) -> Verdict:
    years = facts.work_years
    if level == 4:
        if years >= 4:
            return Verdict(True, f"从事本职业或相关职业工作 {years} 年（满 4 年）")
        if facts.education != "none" and facts.related_major:
            return Verdict(True, f"取得相关专业{EDUCATION_LABELS[facts.education]}学历")
        if 4 in facts.completed_course_levels or any(lv < 4 for lv in facts.completed_course_levels):
            return Verdict(True, "完成本平台四级（中级工）培训课程并结业")
        return Verdict(False, "申报四级需从事本职业或相关职业工作满 4 年，或取得相关专业技工院校学历（含在读毕业生），"
                              "或完成四级培训课程结业")
    if level == 3:
        if facts.education == "master" and facts.related_major:
            return Verdict(True, "取得相关专业硕士及以上学位")
        if not _holds(facts, 4):
            return Verdict(False, "申报三级需先取得四级/中级工职业资格或职业技能等级证书（相关专业硕士除外）")
        if years >= 5:
            return Verdict(True, f"取得四级证书后从事本职业工作 {years} 年（满 5 年）")
        if facts.education == "senior_technical":
            return Verdict(True, "取得四级证书并具有高级技工学校/技师学院毕业证书")
        if facts.education == "junior_college" and years >= 2:
            return Verdict(True, "具有大专学历，取得四级证书后工作满 2 年")
        if facts.education in ("bachelor", "master") and years >= 1:
            return Verdict(True, "具有本科学历，取得四级证书后工作满 1 年")
        return Verdict(False, "已取得四级证书，但工作年限不足：需满 5 年；或高级技工学校/技师学院毕业；"
                              "或大专学历满 2 年；或本科学历满 1 年")
    if level in (2, 1):
        needed, title = (3, "三级/高级工") if level == 2 else (2, "二级/技师")
        if not _holds(facts, needed):
            return Verdict(False, f"申报{'二级' if level == 2 else '一级'}需先取得{title}证书")
        if years >= 4:
            return Verdict(True, f"取得{title}证书后从事本职业工作 {years} 年（满 4 年）")
        return Verdict(False, f"取得{title}证书后需从事本职业工作满 4 年（当前 {years} 年）")
    return Verdict(False, "等级无效")
