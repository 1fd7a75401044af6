"""Anchors of the audit chain's head, kept OUTSIDE the database: an append-only JSON-lines file (one checkpoint a
line: head record id, record count, the head's seal, time, key id, and a signature over those fields).

Deleting the newest audit rows leaves a chain that is internally consistent; only a copy of the head kept
elsewhere shows it. Where: the file LRC_AUDIT_ANCHOR_PATH when set; else, with object storage (several nodes), one
object per checkpoint under `audit-anchors/` in the platform's storage (objects are never rewritten: a bucket with
object lock or versioning makes them immutable); else `instance/audit-anchors.jsonl`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .audit_keys import current_key, verification_keys

_SIGNED_FIELDS = ("row_id", "count", "mac", "at", "key_id")


@dataclass(frozen=True)
class Anchor:
    row_id: int
    count: int
    mac: str
    at: str
    key_id: str
    line: int  # 1-based line in the store, for messages


class AnchorError(ValueError):
    """A line of the anchor store is unreadable or its signature does not match."""


def _in_object_storage() -> bool:
    from .storage import S3Storage, storage

    return not current_app.config.get("LRC_AUDIT_ANCHOR_PATH") and isinstance(storage(), S3Storage)


def anchor_path() -> Path:
    configured = current_app.config.get("LRC_AUDIT_ANCHOR_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-anchors.jsonl"


def _canonical(fields: dict) -> bytes:
    return json.dumps({k: fields[k] for k in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")).encode()


def _signature(key: bytes, fields: dict) -> str:
    return hmac.new(key, b"anchor:" + _canonical(fields), hashlib.sha256).hexdigest()


def append_anchor(row_id: int, count: int, mac: str, at: str) -> None:
    """Append one signed checkpoint line and fsync it (the single write to swap for object storage later)."""
    key_id, key = current_key()
    fields = {"row_id": row_id, "count": count, "mac": mac, "at": at, "key_id": key_id}
    line = json.dumps({**fields, "sig": _signature(key, fields)}, sort_keys=True, separators=(",", ":"))
    if _in_object_storage():
        from .storage import storage

        stamp = "".join(ch for ch in at if ch.isdigit())[:20]
        storage().put(f"audit-anchors/{stamp}-{row_id:012d}.json", line.encode("utf-8"), "application/json")
        return
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _lines() -> list[str]:
    if _in_object_storage():
        from .storage import storage

        store = storage()
        return [store.get(key).decode("utf-8") for key in store.keys("audit-anchors")]
    path = anchor_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return handle.readlines()


def read_anchors() -> list[Anchor]:
    """Every checkpoint in order. AnchorError names the first line that is malformed or wrongly signed."""
    keys = verification_keys()
    anchors = []
    for number, text in enumerate(_lines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            fields = {k: data[k] for k in _SIGNED_FIELDS}
            signature = data["sig"]
            anchor = Anchor(int(fields["row_id"]), int(fields["count"]), str(fields["mac"]), str(fields["at"]),
                            str(fields["key_id"]), number)
        except (ValueError, KeyError, TypeError):
            raise AnchorError(f"锚点文件第 {number} 行无法读取") from None
        key = keys.get(anchor.key_id)
        if key is None:
            raise AnchorError(f"锚点文件第 {number} 行使用了未知密钥 {anchor.key_id}")
        if not hmac.compare_digest(_signature(key, fields), str(signature)):
            raise AnchorError(f"锚点文件第 {number} 行签名不符（被篡改）")
        anchors.append(anchor)
    return anchors
