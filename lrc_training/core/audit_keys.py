"""The keys that seal the audit chain. They never live in the database: an insider who can rewrite rows cannot
recompute a seal without the key.

- LRC_AUDIT_KEY: the current key (required in production, at least 32 characters); LRC_AUDIT_KEY_ID names it
  (default "k1") and every record stores the id of the key that sealed it.
- LRC_AUDIT_OLD_KEYS: "id:key,id:key" — retired keys, used only to verify records sealed before a rotation.
- Development and tests without LRC_AUDIT_KEY: a key derived from SECRET_KEY under its own label (id "dev"),
  so the session key itself is never the audit key.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app

DEV_KEY_ID = "dev"
_DERIVATION_LABEL = b"lrc-training/audit-chain/v1"
MIN_KEY_LENGTH = 32


class AuditKeyError(RuntimeError):
    """The audit key settings are missing or malformed."""


def _derived_dev_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256).digest()


def current_key(app: Flask | None = None) -> tuple[str, bytes]:
    """(key id, key) that seals new records."""
    config = (app or current_app).config
    key = config.get("LRC_AUDIT_KEY") or ""
    if key:
        return config.get("LRC_AUDIT_KEY_ID") or "k1", key.encode("utf-8")
    if config.get("LRC_AUDIT_KEY_REQUIRED"):
        raise AuditKeyError("LRC_AUDIT_KEY must be set in production")
    return DEV_KEY_ID, _derived_dev_key(config["SECRET_KEY"])


def _old_keys(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, key = part.partition(":")
        if not sep or not key_id.strip() or not key:
            raise AuditKeyError("LRC_AUDIT_OLD_KEYS must look like 'id:key,id:key'")
        keys[key_id.strip()] = key.encode("utf-8")
    return keys


def verification_keys(app: Flask | None = None) -> dict[str, bytes]:
    """Every key id a record may carry → its key: the retired keys plus the current one."""
    config = (app or current_app).config
    keys = _old_keys(config.get("LRC_AUDIT_OLD_KEYS") or "")
    key_id, key = current_key(app)
    if key_id in keys and keys[key_id] != key:
        raise AuditKeyError(f"LRC_AUDIT_OLD_KEYS reuses the current key id '{key_id}' for a different key")
    keys[key_id] = key
    return keys


def check_audit_key_settings(app: Flask) -> None:
    """At startup: production needs its own, long audit key; malformed old keys stop the app early."""
    key = app.config.get("LRC_AUDIT_KEY") or ""
    if app.config.get("LRC_AUDIT_KEY_REQUIRED"):
        if len(key) < MIN_KEY_LENGTH:
            raise AuditKeyError(f"LRC_AUDIT_KEY must be set in production (at least {MIN_KEY_LENGTH} characters)")
        if key == app.config.get("SECRET_KEY"):
            raise AuditKeyError("LRC_AUDIT_KEY must differ from SECRET_KEY")
    verification_keys(app)
