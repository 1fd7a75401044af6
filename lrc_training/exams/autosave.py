"""The autosave hot path: one answer saved in one SQL statement.

Every candidate's page saves each answer as it is given, so on exam day this is most of the platform's traffic.
`save_answer` writes the answer with a single INSERT … SELECT … ON CONFLICT DO UPDATE whose SELECT only yields a
row when the attempt belongs to the caller, is in progress, not paused and before its deadline, the question is
on the caller's paper and the value fits the question's kind (and, for a page, the page is the attempt's active
device). No ORM objects are loaded.

When the statement writes nothing, `save_answer` returns None and the caller runs the full, slower path
(`papers.save_response` after the ownership and device checks), which finds out which rule refused the answer
and answers with its error (404, 409 submitted / deadline_passed / paused / taken_over, 422) — and hands in an
attempt a late answer found past its deadline. Errors are rare; saves are not.

On PostgreSQL the SELECT takes a share lock on the attempt row (FOR SHARE), so a save and a concurrent submission
(the candidate's, the deadline job's, a pause or a void) are ordered: either the answer is written before the
attempt is claimed and graded with it, or the save sees the attempt handed in and is refused. SQLite runs one
writer at a time, which orders them the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, case, false, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..db import UTCDateTime, utcnow
from ..extensions import db
from .models import Application, Attempt, PaperItem, Response

DISPLAY_KEYS = "ABCDEFGH"
MAX_ESSAY = 10000
KINDS = ("single", "multiple", "true_false", "essay")
NOT_VALID = -1


def answer_shapes(value) -> dict[str, tuple[object, int]]:
    """How `value` would be stored for each kind of question it is valid for, and how many options a choice
    question needs for it: {kind: (clean value, options needed)}. None (clearing an answer) fits every kind."""
    if value is None:
        return {kind: (None, 0) for kind in KINDS}
    if isinstance(value, bool):
        return {"true_false": (value, 0)}
    shapes: dict[str, tuple[object, int]] = {}
    if isinstance(value, str):
        letter = value.upper()
        if len(letter) == 1 and letter in DISPLAY_KEYS:
            shapes["single"] = (letter, DISPLAY_KEYS.index(letter) + 1)
        if len(value) <= MAX_ESSAY:
            shapes["essay"] = (value, 0)
    elif isinstance(value, list) and all(isinstance(v, str) and len(v) == 1 and v.upper() in DISPLAY_KEYS
                                         for v in value):
        chosen = sorted({v.upper() for v in value})
        shapes["multiple"] = (chosen, max((DISPLAY_KEYS.index(v) + 1 for v in chosen), default=0))
    return shapes


_STATEMENTS: dict[tuple[str, bool], object] = {}


def _statement(dialect: str, with_device: bool):
    """The save statement, built once per dialect (and with or without the device check) and reused with new
    parameters, so a save costs no statement building and hits SQLAlchemy's compiled cache."""
    key = (dialect, with_device)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    item, attempt = PaperItem.__table__.c, Attempt.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    value = case(*[(item.kind == kind, bindparam(f"v_{kind}", type_=Response.__table__.c.response.type))
                   for kind in KINDS[:-1]],
                 else_=bindparam("v_essay", type_=Response.__table__.c.response.type))
    needed = case(*[(item.kind == kind, bindparam(f"n_{kind}", type_=Integer())) for kind in KINDS[:-1]],
                  else_=bindparam("n_essay", type_=Integer()))
    # CASE keeps json_array_length away from the non-choice items (their option_order is null).
    offered = case((item.kind.in_(("single", "multiple")), func.json_array_length(item.option_order)), else_=0)
    conditions = [
        attempt.id == bindparam("attempt_id"), item.application_id == attempt.application_id,
        item.question_id == bindparam("question_id"), Application.__table__.c.id == attempt.application_id,
        Application.__table__.c.user_id == bindparam("user_id"),
        attempt.status == "in_progress", attempt.paused_at.is_(None), attempt.deadline >= now,
        needed >= 0, offered >= needed,
    ]
    if with_device:
        conditions.append((attempt.active_device.is_(None)) | (attempt.active_device == bindparam("device")))
    source = select(attempt.id, item.question_id, value, now, false()).where(and_(*conditions))
    if dialect == "postgresql":
        source = source.with_for_update(read=True, of=Attempt.__table__)
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Response.__table__)
    columns = Response.__table__.c
    stmt = insert.from_select(
        [columns.attempt_id, columns.question_id, columns.response, columns.saved_at, columns.needs_arbitration],
        source)
    stmt = stmt.on_conflict_do_update(index_elements=[columns.attempt_id, columns.question_id],
                                      set_={"response": stmt.excluded.response, "saved_at": stmt.excluded.saved_at}
                                      ).returning(columns.id)
    _STATEMENTS[key] = stmt
    return stmt


def save_answer(user_id: int, attempt_id: int, question_id: int, value, device: str | None = None,
                now: datetime | None = None) -> datetime | None:
    """Save one answer of `user_id`'s attempt in one statement: the time saved, or None when nothing was saved
    (some rule refused it; the caller's full path says which). `device`: the page's X-Exam-Device token."""
    shapes = answer_shapes(value)
    if not shapes:
        return None
    now = now or utcnow()
    params: dict[str, object] = {"attempt_id": attempt_id, "question_id": question_id, "user_id": user_id, "now": now}
    for kind in KINDS:
        clean, needed = shapes.get(kind, (None, NOT_VALID))
        params[f"v_{kind}"], params[f"n_{kind}"] = clean, needed
    if device:
        params["device"] = device
    connection = db.session.connection()
    written = connection.execute(_statement(connection.dialect.name, bool(device)), params).first()
    return now if written is not None else None
