"""Backups that restore: every table and every stored file in one archive, with a manifest and checksums.

`flask backup create FILE` writes a .tar.gz holding
- `manifest.json`: format, the schema's Alembic revision, when, and per table its row count and SHA-256, per file
  its size and SHA-256;
- `tables/<table>.jsonl`: one JSON object per row, in primary-key order (typed: dates, decimals and bytes are
  written so they read back exactly);
- `files/<key>`: every file of the platform's storage (materials, seals, photos, scans, batches, audit checkpoints).

`flask backup restore FILE` checks every checksum first, refuses an archive made at another schema revision or a
database that is not empty, then loads the rows (parents before children), puts the files back into the storage,
resets PostgreSQL's id sequences and reports the counts and the audit chain's verdict.

The dump is logical (through SQLAlchemy), so it moves between PostgreSQL and SQLite and needs no pg_dump on the
node; for a large province, PostgreSQL's own base backups + WAL archiving remain the point-in-time tool
(docs/operations.md) and this archive is the portable, verifiable one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, Numeric, func, select, text
from sqlalchemy.types import TypeDecorator

from ..extensions import db
from .storage import storage

FORMAT = "lrc-training-backup/1"
STORED_FOLDERS = ("materials", "seals", "photos", "evidence", "batches", "audit-anchors")


class BackupError(Exception):
    """The archive cannot be restored (damaged, another schema, a database that is not empty)."""


@dataclass
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    audit_problem: str | None = None


def _schema_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database built by create_all (tests) has no alembic table
        db.session.rollback()
        return None


def _encode(value):
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    return value


def _decode(column, value):
    if not isinstance(value, dict) or len(value) != 1:
        return value
    (tag, raw), = value.items()
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if tag == "$dt" and isinstance(kind, DateTime):
        parsed = datetime.fromisoformat(raw)
        return parsed if column.type.__class__.__name__ == "UTCDateTime" or parsed.tzinfo is None \
            else parsed.astimezone(UTC).replace(tzinfo=None)
    if tag == "$d" and isinstance(kind, Date):
        return date.fromisoformat(raw)
    if tag == "$dec" and isinstance(kind, Numeric):
        return Decimal(raw)
    if tag == "$b" and isinstance(kind, LargeBinary):
        return base64.b64decode(raw)
    return value  # a JSON column that happens to hold a one-key object


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def create_backup(target: Path) -> dict:
    """Write the archive to `target`; returns the manifest."""
    tables = db.metadata.sorted_tables
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "schema": _schema_revision(),
                "tables": {}, "files": {}}
    store = storage()
    with tempfile.TemporaryDirectory(prefix="lrc-backup-") as work, \
            tarfile.open(Path(work) / "backup.tar.gz", "w:gz") as archive:
        for table in tables:
            digest, count, lines = hashlib.sha256(), 0, []
            order = [c for c in table.primary_key.columns] or list(table.columns)
            for row in db.session.execute(select(table).order_by(*order)).mappings():
                line = json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True)
                lines.append(line)
                count += 1
            data = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
            digest.update(data)
            _add(archive, f"tables/{table.name}.jsonl", data)
            manifest["tables"][table.name] = {"rows": count, "sha256": digest.hexdigest()}
        for folder in STORED_FOLDERS:
            for key in store.keys(folder):
                data = store.get(key)
                _add(archive, f"files/{key}", data)
                manifest["files"][key] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        archive.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes((Path(work) / "backup.tar.gz").read_bytes())
    return manifest


def _read_archive(source: Path) -> tuple[dict, dict[str, bytes]]:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive.getmembers():
                if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                    raise BackupError(f"备份文件中有不安全的条目：{member.name}")
                members[member.name] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"备份文件无法读取：{exc}") from None
    if "manifest.json" not in members:
        raise BackupError("备份文件缺少 manifest.json")
    manifest = json.loads(members["manifest.json"])
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    for name, entry in manifest["tables"].items():
        data = members.get(f"tables/{name}.jsonl")
        if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BackupError(f"表 {name} 的数据与校验和不符（备份已损坏或被改动）")
    for key, entry in manifest["files"].items():
        data = members.get(f"files/{key}")
        if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BackupError(f"文件 {key} 与校验和不符（备份已损坏或被改动）")
    return manifest, members


def restore_backup(source: Path) -> RestoreReport:
    """Restore into an empty database (migrated to the same revision) and the configured storage; commits."""
    manifest, members = _read_archive(source)
    if manifest.get("schema") != _schema_revision():
        raise BackupError(f"备份的数据库版本 {manifest.get('schema')} 与当前 {_schema_revision()} 不同：先迁移到同一版本")
    known = {t.name: t for t in db.metadata.sorted_tables}
    unknown = set(manifest["tables"]) - set(known)
    if unknown:
        raise BackupError(f"备份中有本版本没有的表：{', '.join(sorted(unknown))}")
    for table in known.values():
        if db.session.execute(select(func.count()).select_from(table)).scalar_one():
            raise BackupError(f"目标数据库不是空的（{table.name} 已有数据）：只能恢复到空数据库")
    report = RestoreReport()
    order = [t for t in db.metadata.sorted_tables if t.name in manifest["tables"]]  # parents before children
    position = {t.name: i for i, t in enumerate(order)}
    later: list[tuple] = []  # (table, pk values, column, value): references to rows restored afterwards
    for table in order:
        # A foreign key to this table itself or to one restored later (a cycle, e.g. a question and its current
        # revision) is written as NULL first and filled in once every row exists.
        deferred = {fk.parent.name for fk in table.foreign_keys
                    if position.get(fk.column.table.name, -1) >= position[table.name] and fk.parent.nullable}
        pk = [c.name for c in table.primary_key.columns]
        rows = [json.loads(line) for line in members[f"tables/{table.name}.jsonl"].decode("utf-8").splitlines()
                if line]
        for start in range(0, len(rows), 1000):
            chunk = []
            for row in rows[start:start + 1000]:
                values = {k: _decode(table.c[k], v) for k, v in row.items() if k in table.c}
                for name in deferred:
                    if values.get(name) is not None:
                        later.append((table, {k: values[k] for k in pk}, name, values[name]))
                        values[name] = None
                chunk.append(values)
            db.session.execute(table.insert(), chunk)
        report.tables[table.name] = len(rows)
    for table, key, name, value in later:
        db.session.execute(table.update().where(*[table.c[k] == v for k, v in key.items()]).values({name: value}))
    _reset_sequences()
    db.session.commit()
    store = storage()
    for key in manifest["files"]:
        store.put(key, members[f"files/{key}"])
        report.files += 1
    from .audit import verify_report

    problem = verify_report().problem
    report.audit_problem = None if problem is None else problem.problem
    return report


def _reset_sequences() -> None:
    """PostgreSQL: an id sequence must continue after the highest restored id, or the next insert collides."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int
                                                and len(table.primary_key.columns) == 1):
                sequence = db.session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                              {"t": table.name, "c": column.name}).scalar()
                if sequence:
                    db.session.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) "  # noqa: S608
                                            f"FROM {table.name}), 0) + 1, false)"))
