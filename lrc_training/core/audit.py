"""Writing and verifying the hash-chained audit log.

Each record stores the hash of the record before it and a hash of its own content, so
`flask audit verify` can name the first record that was altered, or whose predecessor was removed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .locking import take_write_lock
from .models import AuditLog

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _content_hash(record: AuditLog) -> str:
    payload = {
        "prev": record.prev_hash,
        "at": record.created_at.astimezone(UTC).isoformat(),
        "actor": record.actor_id,
        "action": record.action,
        "type": record.object_type,
        "id": record.object_id,
        "old": record.old,
        "new": record.new,
        "reason": record.reason,
        "ip": record.ip_address,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    """Serialise writers so two transactions never chain onto the same predecessor."""
    take_write_lock("audit-chain")


def _current_actor_id() -> int | None:
    from flask import g

    api_user = g.get("api_user") if has_request_context() else None
    if api_user is not None:
        return api_user.id
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record_audit(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    old: dict | None = None,
    new: dict | None = None,
    reason: str | None = None,
    actor_id: int | None = None,
) -> AuditLog:
    """Append one record. The caller's transaction commits it together with the change it describes."""
    _lock_chain()
    last = db.session.execute(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).scalar()
    now = datetime.now(UTC)
    record = AuditLog(
        created_at=now.replace(microsecond=(now.microsecond // 1000) * 1000),  # ms: portable precision
        actor_id=actor_id if actor_id is not None else _current_actor_id(),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        old=_jsonable(old) if old is not None else None,
        new=_jsonable(new) if new is not None else None,
        reason=reason,
        ip_address=request.remote_addr if has_request_context() else None,
        prev_hash=last or GENESIS_HASH,
    )
    record.hash = _content_hash(record)
    db.session.add(record)
    db.session.flush()
    return record


@dataclass
class ChainProblem:
    record_id: int
    problem: str


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainProblem | None]:
    """Walk the chain in id order; return (records checked, first problem or None)."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch_size)
        ).scalars().all()
        if not rows:
            return checked, None
        for row in rows:
            if row.prev_hash != expected_prev:
                return checked, ChainProblem(row.id, "前一条记录已被删除或篡改（链接不符）")
            if _content_hash(row) != row.hash:
                return checked, ChainProblem(row.id, "记录内容已被篡改（哈希不符）")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
        db.session.expunge_all()
