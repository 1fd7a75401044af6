"""Skill levels of the occupation: the one place their names are written.

Level 5 does not exist for this trade. People read a level as "四级/中级工" (the certificate's wording); the
short name "四级" is for running text ("申报三级需…", "四级标准").
"""

from __future__ import annotations

LEVELS = (4, 3, 2, 1)
LEVEL_LABELS = {4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}
LEVEL_NAMES = {4: "四级", 3: "三级", 2: "二级", 1: "一级"}
LEVEL_CHOICES = [(level, LEVEL_LABELS[level]) for level in LEVELS]


def level_label(level) -> str:
    """The full label of a level given as 4 or "4"; empty for none or an unknown value."""
    try:
        return LEVEL_LABELS.get(int(level), "")
    except (TypeError, ValueError):
        return ""


def level_name(level) -> str:
    """The short name ("四级") of a level given as 4 or "4"; empty for none or an unknown value."""
    try:
        return LEVEL_NAMES.get(int(level), "")
    except (TypeError, ValueError):
        return ""


def _spellings() -> dict[str, int]:
    spellings: dict[str, int] = {}
    for level, label in LEVEL_LABELS.items():
        short, title = label.split("/")
        spellings.update({str(level): level, label: level, short: level, title: level})
    return spellings


LEVEL_SPELLINGS = _spellings()  # what people type in a spreadsheet: 4, 四级, 中级工, 四级/中级工
LEVEL_INPUT_HINT = "、".join(LEVEL_LABELS.values()) + "（也可填 " + "、".join(str(lv) for lv in LEVELS) + "）"


def level_from_text(text: str) -> int | None:
    return LEVEL_SPELLINGS.get((text or "").strip())
