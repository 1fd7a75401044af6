"""Writing and verifying the audit log: a chain sealed with a key that is not in the database, anchored outside it.

Each record stores the seal of the record before it (prev_hash) and its own seal (hash): HMAC-SHA256 over its
content with the key named by key_id (see audit_keys). An insider who edits a row cannot recompute the seal
without the key; deleting a row breaks its successor's link; deleting the newest rows is caught by the
checkpoints (audit_anchors) that copy the head — row id, count, seal — to a store outside the database.

Records written before keyed sealing (key_id NULL) are kept as they were ("legacy": plain SHA-256). The first
keyed record after them is an `audit.chain_upgraded` record whose seal covers the last legacy hash, so changing any
legacy record breaks the chain there; a legacy-style record after a keyed one is a forgery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from .audit_anchors import AnchorError, anchor_path, append_anchor, read_anchors
from .audit_keys import current_key, verification_keys
from .locking import take_write_lock
from .models import AuditLog
from .scheduler import scheduled

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


def _payload(record: AuditLog) -> bytes:
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
    if record.key_id is not None:
        payload["kid"] = record.key_id
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _legacy_hash(record: AuditLog) -> str:
    """The seal of records written before keyed sealing: a plain SHA-256 anyone could recompute."""
    return hashlib.sha256(_payload(record)).hexdigest()


def _mac(key: bytes, record: AuditLog) -> str:
    return hmac.new(key, _payload(record), hashlib.sha256).hexdigest()


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


def _millisecond_now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)  # ms: portable precision


def _append(prev: str, action: str, object_type: str, object_id: Any, *, old: dict | None, new: dict | None,
            reason: str | None, actor_id: int | None) -> AuditLog:
    key_id, key = current_key()
    record = AuditLog(
        created_at=_millisecond_now(),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        old=_jsonable(old) if old is not None else None,
        new=_jsonable(new) if new is not None else None,
        reason=reason,
        ip_address=request.remote_addr if has_request_context() else None,
        prev_hash=prev,
        key_id=key_id,
    )
    record.hash = _mac(key, record)
    db.session.add(record)
    db.session.flush()
    return record


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
    last = db.session.execute(select(AuditLog.hash, AuditLog.key_id).order_by(AuditLog.id.desc()).limit(1)).first()
    prev = GENESIS_HASH if last is None else last.hash
    if last is not None and last.key_id is None:
        # First write after the upgrade: one keyed record seals the legacy chain's head.
        legacy = db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
        upgrade = _append(prev, "audit.chain_upgraded", "audit_log", None, old=None,
                          new={"legacy_records": legacy, "legacy_head": last.hash}, reason="审计日志改为密钥签名",
                          actor_id=None)
        prev = upgrade.hash
    return _append(prev, action, object_type, object_id, old=old, new=new, reason=reason,
                   actor_id=actor_id if actor_id is not None else _current_actor_id())


@dataclass
class ChainProblem:
    record_id: int | None  # None: the anchor store itself is damaged
    problem: str


@dataclass
class VerifyReport:
    checked: int = 0
    legacy: int = 0
    head_id: int | None = None
    anchors: int = 0
    last_anchor_at: str | None = None
    problem: ChainProblem | None = None


def _check_record(row: AuditLog, expected_prev: str, keys: dict[str, bytes], keyed_seen: bool) -> str | None:
    if row.prev_hash != expected_prev:
        return "前一条记录已被删除或篡改（链接不符）"
    if row.key_id is None:
        if keyed_seen:
            return "出现在密钥签名记录之后的无密钥记录（伪造）"
        return None if _legacy_hash(row) == row.hash else "记录内容已被篡改（哈希不符）"
    key = keys.get(row.key_id)
    if key is None:
        return f"签名密钥 {row.key_id} 未配置（轮换后请在 LRC_AUDIT_OLD_KEYS 中提供旧密钥）"
    if not hmac.compare_digest(_mac(key, row), row.hash):
        return "记录内容已被篡改或链被重算（密钥签名不符）"
    return None


def verify_report(batch_size: int = 1000) -> VerifyReport:
    """Walk the chain in id order checking links and seals, then compare every checkpoint in the anchor store
    with the rows: its record must still exist with the same seal and the same number of records up to it."""
    report = VerifyReport()
    try:
        anchors = read_anchors()
    except AnchorError as exc:
        anchors, anchor_problem = [], ChainProblem(None, str(exc))
    else:
        anchor_problem = None
    seen = _walk_chain(report, {a.row_id for a in anchors}, batch_size)
    if report.problem is not None:
        return report
    if anchor_problem is not None:
        report.problem = anchor_problem
        return report
    report.anchors = len(anchors)
    report.last_anchor_at = anchors[-1].at if anchors else None
    report.problem = next(filter(None, (_anchor_problem(anchor, seen, report) for anchor in anchors)), None)
    return report


def _walk_chain(report: VerifyReport, wanted: set[int], batch_size: int) -> dict[int, tuple[int, str]]:
    """Check every record's link and seal in id order, counting into `report` (its `problem` set at the first bad
    record); {anchored record id: (records up to it, its seal)} for the ids in `wanted`."""
    keys = verification_keys()
    seen: dict[int, tuple[int, str]] = {}
    expected_prev, keyed_seen, last_id = GENESIS_HASH, False, 0
    while True:
        rows = db.session.execute(
            select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch_size)
        ).scalars().all()
        if not rows:
            return seen
        for row in rows:
            problem = _check_record(row, expected_prev, keys, keyed_seen)
            if problem is not None:
                report.problem = ChainProblem(row.id, problem)
                return seen
            keyed_seen = keyed_seen or row.key_id is not None
            report.legacy += row.key_id is None
            report.checked += 1
            expected_prev, last_id, report.head_id = row.hash, row.id, row.id
            if row.id in wanted:
                seen[row.id] = (report.checked, row.hash)
        db.session.expunge_all()


def _anchor_problem(anchor, seen: dict[int, tuple[int, str]], report: VerifyReport) -> ChainProblem | None:
    """What is wrong between one checkpoint and the records (None: they agree)."""
    found = seen.get(anchor.row_id)
    if found is None:
        if report.head_id is None or anchor.row_id > report.head_id:
            problem = (f"最新的记录已被删除：{anchor.at} 的检查点记录到第 {anchor.row_id} 号（共 {anchor.count} 条），"
                       f"数据库中现在只到第 {report.head_id or 0} 号（共 {report.checked} 条）")
        else:
            problem = f"{anchor.at} 的检查点所记录的这条记录已不存在"
        return ChainProblem(anchor.row_id, problem)
    count, mac = found
    if mac != anchor.mac:
        return ChainProblem(anchor.row_id, f"与 {anchor.at} 的检查点不符（记录或链被改写）")
    if count != anchor.count:
        return ChainProblem(anchor.row_id, f"到此为止的记录数为 {count} 条，{anchor.at} 的检查点为 "
                                           f"{anchor.count} 条：其间有记录被删除")
    return None


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainProblem | None]:
    """(records checked, first problem or None): links, seals and the checkpoints outside the database."""
    report = verify_report(batch_size)
    return report.checked, report.problem


@dataclass
class Checkpoint:
    row_id: int
    count: int
    mac: str
    at: str
    path: str


def checkpoint() -> Checkpoint | None:
    """Record a checkpoint row, commit it, then copy the head (id, count, seal, time) to the anchor store.

    None when nothing was written since the last checkpoint (its row is still the head). Commits: the anchor must
    only ever name a committed row, or verification would report rows missing that never existed.
    """
    _lock_chain()
    head = db.session.execute(select(AuditLog.id, AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).first()
    anchors = read_anchors()
    if head is not None and anchors and anchors[-1].row_id == head.id and anchors[-1].mac == head.hash:
        db.session.rollback()
        return None
    previous = db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    row = record_audit("audit.checkpoint", "audit_log", None,
                       new={"records_before": previous, "previous_head": head.id if head is not None else None},
                       actor_id=None)
    count = db.session.execute(select(func.count()).select_from(AuditLog).where(AuditLog.id <= row.id)).scalar_one()
    result = Checkpoint(row.id, count, row.hash, row.created_at.astimezone(UTC).isoformat(), str(anchor_path()))
    db.session.commit()
    append_anchor(result.row_id, result.count, result.mac, result.at)
    return result


@scheduled("audit.checkpoint", seconds=600, description="审计日志检查点：把链头写到数据库之外")
def checkpoint_job() -> Checkpoint | None:
    return checkpoint()
