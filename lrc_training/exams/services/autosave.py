"""The autosave hot path: one answer saved in one SQL statement.

Every candidate's page saves each answer as it is given, so on exam day this is most of the platform's traffic.
`save_answer` writes the answer with a single INSERT … SELECT … ON CONFLICT DO UPDATE whose SELECT only yields a
row when the attempt belongs to the caller, is in progress, not paused and before its deadline, the question is
on the caller's paper and the value fits the question's kind (and, for a page, the page is the attempt's active
device). No ORM objects are loaded.

When the statement writes nothing, `save_answer` returns None and the caller runs the full, slower path
(`attempts.save_response` after the ownership and device checks), which finds out which rule refused the answer
and answers with its error (404, 409 submitted / deadline_passed / paused / taken_over, 422) — and hands in an
attempt a late answer found past its deadline. Errors are rare; saves are not.

On PostgreSQL the SELECT takes a share lock on the attempt row (FOR SHARE), so a save and a concurrent submission
(the candidate's, the deadline job's, a pause or a void) are ordered: either the answer is written before the
attempt is claimed and graded with it, or the save sees the attempt handed in and is refused. SQLite runs one
writer at a time, which orders them the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, TextClause, bindparam, text

from ...db import UTCDateTime, utcnow
from ...extensions import db
from ..models import Response

DISPLAY_KEYS = "ABCDEFGH"
MAX_ESSAY = 10000
KINDS = ("single", "multiple", "true_false", "essay")


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


_STATEMENTS: dict[tuple, TextClause] = {}
# What is stored: the cleaned value for choice and true/false questions (letters upper-cased), the text as written
# for an essay. :kinds lists the kinds the value fits (",single,essay,"); :need is the options a choice needs for
# it (CASE keeps json_array_length away from items without options: their option_order is null).
_VALUE = "CASE WHEN i.kind = 'essay' THEN :v_text ELSE :v_choice END"
_FITS = ("AND :kinds LIKE '%,' || i.kind || ',%' "
         "AND CASE WHEN i.kind IN ('single', 'multiple') THEN json_array_length(i.option_order) ELSE 99 END >= :need")
# Who may save: the signed-in user (pages), or the holder of a valid bearer token whose user is active and has one
# of the endpoint's roles (the API: the token is checked in the same statement).
_BY_USER = ("FROM exam_attempts a JOIN exam_applications p ON p.id = a.application_id "
            "JOIN exam_paper_items i ON i.application_id = a.application_id "
            "WHERE p.user_id = :user_id")
_BY_BEARER = ("FROM api_tokens t JOIN users u ON u.id = t.user_id "
             "JOIN exam_applications p ON p.user_id = t.user_id "
             "JOIN exam_attempts a ON a.application_id = p.id "
             "JOIN exam_paper_items i ON i.application_id = a.application_id "
             "WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL AND t.expires_at > :now AND u.active "
             "AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = t.user_id AND r.role IN ({roles}))")


def _statement(dialect: str, with_device: bool, roles: tuple[str, ...] | None = None) -> TextClause:
    """The save statement as SQL text, built once per dialect and variant and reused: SQLAlchemy cannot cache
    the compiled form of an INSERT … ON CONFLICT DO UPDATE, and compiling it cost more than running it. The
    syntax is the same on PostgreSQL and SQLite (3.35+) except PostgreSQL's row lock. `roles`: check a bearer
    token (:token_hash) for one of these roles instead of taking :user_id."""
    key = (dialect, with_device, roles)
    if key not in _STATEMENTS:
        device = " AND (a.active_device IS NULL OR a.active_device = :device)" if with_device else ""
        lock = " FOR SHARE OF a" if dialect == "postgresql" else ""
        who = _BY_USER if roles is None else _BY_BEARER.format(roles=", ".join(f":role_{i}" for i in range(len(roles))))
        json_type = Response.__table__.c.response.type
        stmt = text(  # noqa: S608 - fixed fragments only; every value is a bound parameter
            "INSERT INTO exam_responses (attempt_id, question_id, response, saved_at, needs_arbitration) "
            f"SELECT a.id, i.question_id, {_VALUE}, :now, false {who} "
            "AND a.id = :attempt_id AND i.question_id = :question_id "
            "AND a.status = 'in_progress' AND a.paused_at IS NULL AND a.deadline >= :now "
            f"{_FITS}{device}{lock} "
            "ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = excluded.response, "
            "saved_at = excluded.saved_at RETURNING id"
        ).bindparams(bindparam("v_choice", type_=json_type), bindparam("v_text", type_=json_type),
                     bindparam("need", type_=Integer()), bindparam("now", type_=UTCDateTime()))
        if roles is not None:
            stmt = stmt.bindparams(**{f"role_{i}": role for i, role in enumerate(roles)})
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def _save(connection, params: dict, value, device: str | None, roles: tuple[str, ...] | None,
          now: datetime | None) -> datetime | None:
    shapes = answer_shapes(value)
    if not shapes:
        return None
    now = now or utcnow()
    params["now"] = now
    params["kinds"] = "," + ",".join(shapes) + ","
    params["need"] = max(needed for _, needed in shapes.values())
    choice = next((shape for kind, shape in shapes.items() if kind != "essay"), None)
    params["v_choice"] = choice[0] if choice else None
    params["v_text"] = shapes["essay"][0] if "essay" in shapes else None
    if device:
        params["device"] = device
    written = connection.execute(_statement(connection.dialect.name, bool(device), roles), params).first()
    return now if written is not None else None


def save_answer(user_id: int, attempt_id: int, question_id: int, value, device: str | None = None,
                now: datetime | None = None) -> datetime | None:
    """Save one answer of `user_id`'s attempt in one statement: the time saved, or None when nothing was saved
    (some rule refused it; the caller's full path says which). `device`: the page's X-Exam-Device token."""
    return _save(db.session.connection(), {"attempt_id": attempt_id, "question_id": question_id, "user_id": user_id},
                 value, device, None, now)


def save_answer_by_token(token_hash: str, roles: tuple[str, ...], attempt_id: int, question_id: int, value,
                         now: datetime | None = None) -> datetime | None:
    """The API's save in one statement, committed on its own, the bearer token included:
    saved only when the token is valid (not revoked or expired), its user active with one of `roles`, and every
    rule of save_answer holds. None otherwise: the caller then runs the access check and the full path, which
    answer with the error. No ORM session is opened."""
    # One statement is a transaction by itself: autocommit spares the BEGIN and COMMIT round trips.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return _save(connection, {"attempt_id": attempt_id, "question_id": question_id, "token_hash": token_hash},
                     value, None, roles, now)
