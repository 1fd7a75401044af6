"""Exam documents as PDFs through the core helper: admission tickets (准考证) and sign-in sheets."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.services.photos import approved_photo_uris
from ..core.levels import LEVEL_LABELS
from ..core.pdf import render_pdf
from ..core.timeutil import format_local
from ..extensions import db
from .models import PARTS, Application, ExamSession


def _approved(session: ExamSession) -> list[Application]:
    return list(db.session.execute(select(Application).options(joinedload(Application.user)).where(
        Application.session_id == session.id, Application.status == "approved")
        .order_by(Application.room, Application.seat, Application.id)).scalars())


def _session_values(session: ExamSession) -> dict:
    return {"title": session.title, "level_label": LEVEL_LABELS[session.level],
            "organization": session.organization.name, "opens_at": format_local(session.opens_at),
            "closes_at": format_local(session.closes_at), "duration": session.duration_minutes,
            "parts": [PARTS[p] for p in session.parts]}


def ticket_number(session: ExamSession, application: Application) -> str:
    """准考证号: the session and the application, printed on the ticket, the sign-in sheet and the register."""
    return f"{session.id:04d}{application.id:06d}"


def admission_tickets_pdf(session: ExamSession, only: Application | None = None) -> bytes:
    """One ticket per admitted candidate with one number, the 准考证号, and the approved photo the proctor checks.
    Never the anonymous code: a ticket is shown to proctors and others, and the code must stay unknown to the
    people who grade."""
    people = [only] if only is not None else _approved(session)
    photos = approved_photo_uris(a.user_id for a in people)
    tickets = [{"name": a.user.name, "id_number": a.user.id_number_masked, "ticket_number": ticket_number(session, a),
                "room": a.room or "待编排", "seat": a.seat or "—", "photo": photos.get(a.user_id),
                "exempt": [PARTS[p] for p in (a.exempt_parts or [])]} for a in people]
    return render_pdf("pdf/admission_tickets.html", {"session": _session_values(session), "tickets": tickets})


def sign_in_sheets_pdf(session: ExamSession) -> bytes:
    """One sheet per room; each row carries the candidate's approved photo for the proctor's identity check."""
    rooms = []
    candidates = _approved(session)
    photos = approved_photo_uris(a.user_id for a in candidates)
    for room, members in groupby(candidates, key=lambda a: a.room or "未编排考场"):
        rooms.append({"room": room, "rows": [
            {"seat": a.seat or "", "name": a.user.name, "id_number": a.user.id_number_masked,
             "ticket_number": ticket_number(session, a), "photo": photos.get(a.user_id)} for a in members]})
    return render_pdf("pdf/sign_in_sheets.html", {"session": _session_values(session), "rooms": rooms})


def integrity_report_pdf(session: ExamSession, room: str | None) -> bytes:
    from ..db import utcnow
    from .services.proctoring import integrity_report

    return render_pdf("pdf/integrity_report.html", {"session": _session_values(session),
                                                     "report": integrity_report(session, room),
                                                     "printed_at": format_local(utcnow())})
