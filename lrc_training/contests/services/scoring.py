"""Judging sheets: each judge scores each contestant per criterion, saves drafts (version-checked), submits
(then locked); the chief judge may reopen with a recorded reason. Judges only ever see contestant codes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import Appeal, Competition, CompetitionItem, JudgeAssignment, JudgingSheet, Registration
from .access import is_committee


def by_station(item: CompetitionItem, registration: Registration) -> bool:
    """A practical item's panel knows contestants by station number alone when stations were drawn (二次加密)."""
    return item.kind == "practical" and registration.station_number is not None


def contestant_label(item: CompetitionItem, registration: Registration) -> str:
    """How this item's judges know the contestant: 工位 NNN on a practical item with stations, else the code."""
    if by_station(item, registration):
        return f"工位 {registration.station_number}"
    return registration.contestant_code or ""


def _sort_key(item: CompetitionItem, registration: Registration) -> tuple:
    label = registration.station_number if by_station(item, registration) else registration.contestant_code
    return item.competition_id, item.position, label or ""


def _ensure_sheets(judge) -> None:
    """Create the judge's empty sheets for every coded contestant of their items (idempotent), in the order the
    judge sees them (stations for a practical item, codes otherwise), so sheet ids follow no other order: a judge on
    a theory and a practical item cannot pair codes with stations by sorting sheet ids."""
    rows = db.session.execute(
        select(CompetitionItem, Registration)
        .join(JudgeAssignment, JudgeAssignment.item_id == CompetitionItem.id)
        .join(Competition, Competition.id == CompetitionItem.competition_id)
        .join(Registration, Registration.competition_id == Competition.id)
        .where(JudgeAssignment.user_id == judge.id, Registration.status == "approved",
               Registration.contestant_code.is_not(None), Competition.state == "drawn")).all()
    existing = set(db.session.execute(select(JudgingSheet.item_id, JudgingSheet.registration_id).where(
        JudgingSheet.judge_id == judge.id)).all())
    for item, registration in sorted(rows, key=lambda row: _sort_key(*row)):
        if (item.id, registration.id) not in existing:
            db.session.add(JudgingSheet(item_id=item.id, judge_id=judge.id, registration_id=registration.id,
                                        scores={}, version=1))
    db.session.flush()  # the unit of work inserts in the order added: ids follow the judge's order


def sheet_json(sheet: JudgingSheet) -> dict:
    """A sheet as its judge sees it: a practical item with stations carries `station_number` and no code (API
    v1.1), any other item the code and no station — nothing links a station to a code."""
    item, registration = sheet.item, sheet.registration
    station = by_station(item, registration)
    return {"id": sheet.id, "item_index": item.position, "item_name": item.name,
            "contestant_code": None if station else registration.contestant_code,
            "station_number": registration.station_number if station else None,
            "criteria": [{"id": c.id, "name": c.name, "max_points": float(c.max_points)} for c in item.criteria],
            "scores": {k: float(Decimal(v)) for k, v in (sheet.scores or {}).items()},
            "total": float(sheet_total(sheet)), "version": sheet.version, "submitted": sheet.submitted_at is not None}


def sheets_for(judge) -> list[JudgingSheet]:
    """The judge's sheets by competition and item; a practical item's in station order, others in code order."""
    _ensure_sheets(judge)
    sheets = db.session.execute(select(JudgingSheet).options(
        joinedload(JudgingSheet.item), joinedload(JudgingSheet.registration)).where(
        JudgingSheet.judge_id == judge.id)).unique().scalars().all()
    return sorted(sheets, key=lambda s: _sort_key(s.item, s.registration))


def get_sheet(judge, sheet_id: int) -> JudgingSheet:
    sheet = db.session.get(JudgingSheet, sheet_id)
    if sheet is None or sheet.judge_id != judge.id:
        raise NotFound("评分表不存在")
    return sheet


def _competition(sheet: JudgingSheet) -> Competition:
    return db.session.get(Competition, sheet.item.competition_id)


def sheet_total(sheet: JudgingSheet) -> Decimal:
    return Decimal(sheet.total or 0)


def correcting(sheet: JudgingSheet) -> bool:
    """During the notice period, an upheld appeal reopens scoring of that contestant (and only theirs)."""
    return db.session.execute(select(Appeal.id).where(
        Appeal.registration_id == sheet.registration_id, Appeal.status == "upheld")).scalar() is not None


def ensure_editable(sheet: JudgingSheet) -> Competition:
    competition = _competition(sheet)
    if competition.state == "drawn" or (competition.state == "published" and correcting(sheet)):
        return competition
    if competition.state == "registration":
        raise Conflict("签到结束后才能评分", {"sheet": "评分尚未开始"}, code="wrong_state")
    raise Conflict("结果已公布，评分已冻结", {"sheet": "已冻结"}, code="frozen")


def points_text(points) -> str:
    """40.00 → "40", 12.50 → "12.5": points as a judge writes them."""
    return format(Decimal(points).normalize(), "f")


def save_scores(judge, sheet: JudgingSheet, scores: dict, version: int) -> JudgingSheet:
    """Save a draft. A stale version (another tab or device saved first) is 409; so is a submitted sheet.
    A score of None (the sheet page's emptied field) takes that criterion's score off the draft. Every error is
    keyed `scores.<criterion id>`, and the message names the criterion."""
    ensure_editable(sheet)
    if sheet.submitted_at is not None:
        raise Conflict("评分表已提交并锁定", {"sheet": "已提交"}, code="submitted")
    if version != sheet.version:
        raise Conflict("评分表已在别处被修改，请刷新后再改", {"version": "版本已过期"}, code="stale_version")
    criteria = {str(c.id): c for c in sheet.item.criteria}
    errors, named, clean = {}, [], dict(sheet.scores or {})
    for key, value in (scores or {}).items():
        criterion = criteria.get(str(key))
        if criterion is None:
            errors[f"scores.{key}"] = "评分标准不属于本项目"
            continue
        if value is None:
            clean.pop(str(key), None)
            continue
        try:
            points = Decimal(str(value)) if not isinstance(value, bool) else None
            if points is None or not points.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"scores.{key}"] = "应为数字"
            continue
        if points < 0 or points > criterion.max_points:
            errors[f"scores.{key}"] = f"应在 0 到 {points_text(criterion.max_points)} 之间"
        elif points.as_tuple().exponent < -2:
            errors[f"scores.{key}"] = "最多两位小数"
        else:
            clean[str(key)] = str(points)
    for key, reason in errors.items():
        criterion = criteria.get(key.removeprefix("scores."))
        named.append(f"{criterion.name}{reason}" if criterion else reason)
    if errors:
        raise ValidationFailed("评分有误：" + "；".join(named), errors)
    # Compare-and-swap on the version, so two saves racing past the check above cannot both win.
    updated = db.session.execute(
        JudgingSheet.__table__.update().where(JudgingSheet.id == sheet.id, JudgingSheet.version == version)
        .values(scores=clean, total=sum((Decimal(v) for v in clean.values()), Decimal("0")),
                version=version + 1)).rowcount
    if updated != 1:
        raise Conflict("评分表已在别处被修改，请刷新后再改", {"version": "版本已过期"}, code="stale_version")
    db.session.refresh(sheet)
    if _competition(sheet).state == "published":
        record_audit("judging_sheet.correct", "judging_sheet", sheet.id, old={"version": version},
                     new={"scores": clean}, reason="申诉成立后更正", actor_id=judge.id)
    return sheet


def unscored(sheet: JudgingSheet) -> list:
    """The item's criteria this sheet has no score for yet, in the item's order."""
    return [c for c in sheet.item.criteria if str(c.id) not in (sheet.scores or {})]


def submit_sheet(judge, sheet: JudgingSheet) -> JudgingSheet:
    ensure_editable(sheet)
    if sheet.submitted_at is not None:
        raise Conflict("评分表已提交", {"sheet": "已提交"}, code="submitted")
    missing = [c.name for c in unscored(sheet)]
    if missing:
        raise ValidationFailed("还有评分标准未打分：" + "、".join(missing), {"scores": "未完成"})
    sheet.submitted_at = utcnow()
    sheet.version += 1
    db.session.flush()
    record_audit("judging_sheet.submit", "judging_sheet", sheet.id, new={"total": sheet_total(sheet)},
                 actor_id=judge.id)
    return sheet


def reopen_sheet(actor, sheet: JudgingSheet, reason: str) -> JudgingSheet:
    """The chief judge (or the committee) reopens a submitted sheet; the reason is recorded."""
    competition = _competition(sheet)
    chief = db.session.execute(select(JudgeAssignment.id).where(
        JudgeAssignment.item_id == sheet.item_id, JudgeAssignment.user_id == actor.id,
        JudgeAssignment.is_chief.is_(True))).scalar()
    if not (chief or is_committee(actor, competition)):
        raise NotFound("评分表不存在")
    if not (reason or "").strip() or len(reason) > 500:
        raise ValidationFailed("请填写重新开放的理由（不超过 500 字）", {"reason": "必填"})
    if sheet.submitted_at is None:
        raise Conflict("评分表尚未提交", {"sheet": "未提交"}, code="wrong_state")
    ensure_editable(sheet)
    old_total = sheet_total(sheet)
    sheet.submitted_at = None
    sheet.version += 1
    db.session.flush()
    record_audit("judging_sheet.reopen", "judging_sheet", sheet.id, old={"total": old_total, "submitted": True},
                 new={"submitted": False}, reason=reason.strip(), actor_id=actor.id)
    notify(sheet.judge_id, f"评分表已重新开放：{competition.title}",
           f"“{sheet.item.name}”选手 {contestant_label(sheet.item, sheet.registration)} 的评分表已由裁判长重新开放，"
           f"理由：{reason.strip()}",
           link="/contests/judging", kind="judge_assignment")
    return sheet
