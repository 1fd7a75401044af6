"""A judge's way through the sheets: competition → item → the next contestant to score, with progress counts
("已评 9/18"), and the sheet form's values and errors per criterion. Reads only; saving goes through scoring.py.

Anonymity: a practical item with stations names contestants by station only, any other item by code (see
scoring.contestant_label); nothing here puts a station beside a code or a name."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...core.errors import DomainError, NotFound, ValidationFailed
from ...extensions import db
from ..models import Competition, CompetitionItem, JudgeAssignment, JudgingSheet, Registration
from .scoring import by_station, correcting, points_text, sheets_for, unscored

ACTIVE_STATES = ("drawn",)


@dataclass
class SheetRow:
    """One sheet in an item's list: its label, state and saved total."""

    id: int
    label: str
    submitted: bool
    started: bool  # a draft was saved
    total: str


@dataclass
class ItemTasks:
    item: CompetitionItem
    competition: Competition
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.submitted)

    @property
    def max_text(self) -> str:
        return points_text(self.item.max_points)

    @property
    def done(self) -> bool:
        return self.total > 0 and self.submitted == self.total

    @property
    def next_row(self) -> SheetRow | None:
        """The first sheet in the item's order that is not submitted yet."""
        return next((r for r in self.rows if not r.submitted), None)

    def neighbours(self, sheet_id: int) -> tuple[int, SheetRow, SheetRow | None, SheetRow | None]:
        """(1-based place, this row, the row before, the row after) in the item's list."""
        ids = [r.id for r in self.rows]
        n = ids.index(sheet_id)
        return (n + 1, self.rows[n], self.rows[n - 1] if n else None,
                self.rows[n + 1] if n + 1 < len(self.rows) else None)

    def after(self, sheet_id: int) -> SheetRow | None:
        """The next unsubmitted sheet after this one (wrapping round), so a judge goes on down the list."""
        ids = [r.id for r in self.rows]
        start = ids.index(sheet_id) + 1 if sheet_id in ids else 0
        ordered = self.rows[start:] + self.rows[:start]
        return next((r for r in ordered if not r.submitted and r.id != sheet_id), None)


@dataclass
class CompetitionTasks:
    competition: Competition
    items: list[ItemTasks] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Scoring is under way, or an upheld appeal reopened a sheet during the notice period."""
        return self.competition.state in ACTIVE_STATES or (
            self.competition.state == "published" and any(i.next_row for i in self.items))

    @property
    def total(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def submitted(self) -> int:
        return sum(i.submitted for i in self.items)


def _row(sheet: JudgingSheet, item: CompetitionItem, registration: Registration) -> SheetRow:
    label = f"工位 {registration.station_number}" if by_station(item, registration) else registration.contestant_code
    return SheetRow(sheet.id, label or "", sheet.submitted_at is not None, sheet.version > 1,
                    points_text(sheet.total or 0))


def judge_tasks(judge) -> list[CompetitionTasks]:
    """The judge's sheets grouped by competition (scoring under way first — those with sheets still to score before
    those the judge has finished —, then those not yet started, then the finished ones; newest first) and item (in the
    competition's order), each item's sheets in the order the judge sees them. A fixed number of queries."""
    sheets = sheets_for(judge)  # lays out missing sheets, loads each sheet's item and registration
    assigned = db.session.execute(
        select(CompetitionItem, Competition).join(JudgeAssignment, JudgeAssignment.item_id == CompetitionItem.id)
        .join(Competition, Competition.id == CompetitionItem.competition_id)
        .where(JudgeAssignment.user_id == judge.id, CompetitionItem.exam_session_id.is_(None))).all()
    by_item: dict[int, ItemTasks] = {}
    groups: dict[int, CompetitionTasks] = {}
    for item, competition in sorted(assigned, key=lambda row: (row[1].id, row[0].position)):
        group = groups.setdefault(competition.id, CompetitionTasks(competition))
        by_item[item.id] = ItemTasks(item, competition)
        group.items.append(by_item[item.id])
    for sheet in sheets:
        if sheet.item_id in by_item:
            by_item[sheet.item_id].rows.append(_row(sheet, sheet.item, sheet.registration))
    return sorted(groups.values(), key=lambda g: (0 if g.active else 1 if g.competition.state == "registration"
                                                  else 2, g.total > 0 and g.submitted == g.total, -g.competition.id))


def item_tasks(judge, item_id: int) -> ItemTasks:
    """One item's sheets for its judge (404 for anyone not on the item's panel)."""
    for group in judge_tasks(judge):
        for tasks in group.items:
            if tasks.item.id == item_id:
                return tasks
    raise NotFound("评分项目不存在")


def editable(sheet: JudgingSheet, competition: Competition) -> bool:
    if sheet.submitted_at is not None:
        return False
    return competition.state == "drawn" or (competition.state == "published" and correcting(sheet))


@dataclass
class SheetForm:
    """What the sheet page shows for each criterion: the value in the field (what the judge typed, kept on any
    error), the saved value, and the error naming the criterion."""

    criteria: list[dict]
    errors: list[dict]  # {"id", "text"} in criterion order, for the summary at the top
    conflict: bool = False


def sheet_form(sheet: JudgingSheet, typed: dict[str, str] | None = None, fields: dict | None = None,
               conflict: bool = False, require_all: bool = False) -> SheetForm:
    """The form's rows. `typed` are the posted values (kept as typed, even when not a number); `fields` the
    service's errors keyed `scores.<criterion id>`; `require_all` marks criteria still without a score."""
    saved = {k: points_text(v) for k, v in (sheet.scores or {}).items()}
    fields = dict(fields or {})
    if require_all:
        for criterion in unscored(sheet):
            fields.setdefault(f"scores.{criterion.id}", "还没有打分")
    rows, errors = [], []
    for criterion in sheet.item.criteria:
        key = str(criterion.id)
        reason = fields.get(f"scores.{key}")
        text = f"{criterion.name}：{reason}" if reason else None
        rows.append({"id": criterion.id, "name": criterion.name, "max": points_text(criterion.max_points),
                     "value": typed[key] if typed is not None and key in typed else saved.get(key, ""),
                     "saved": saved.get(key), "error": text,
                     "differs": conflict and typed is not None and typed.get(key, "") != saved.get(key, "")})
        if text:
            errors.append({"id": criterion.id, "text": text})
    return SheetForm(rows, errors, conflict)


def form_scores(form) -> dict[str, str | None]:
    """The sheet page's `score-<criterion id>` fields: an emptied field is None (no score yet)."""
    return {key[6:]: (value.strip() or None) for key, value in form.items() if key.startswith("score-")}


def problem(exc: DomainError) -> tuple[str, str]:
    """The alert above a sheet sent back to its judge: (Bootstrap colour, text)."""
    if exc.code == "stale_version":
        return ("warning", "这张评分表已在别处被修改（另一台设备或另一个标签页保存过）。您填写的分数仍在下方，与另一处"
                           "不同的分数下面注明了另一处保存的值；核对后再次保存，即以您填写的为准。")
    if isinstance(exc, ValidationFailed):
        return ("danger", "评分有误，请更正后再保存。")
    return ("danger", exc.message)
