"""The audit log resists an insider with database access: rows are sealed with a key kept outside the database,
and checkpoints of the head are written to a file outside it. Each test performs the attack and expects
`verify` (and the CLI) to name it."""

import hashlib
import json

import pytest
from sqlalchemy import delete, insert, select, update

from lrc_training import create_app
from lrc_training.core import audit
from lrc_training.core.audit import checkpoint, record_audit, verify_chain, verify_report
from lrc_training.core.audit_anchors import anchor_path
from lrc_training.core.audit_keys import AuditKeyError, current_key
from lrc_training.core.models import AuditLog
from lrc_training.core.scheduler import registered_jobs
from lrc_training.extensions import db
from tests.factories import make_user


def _records(n=4):
    user = make_user("admin")
    for i in range(n):
        record_audit("score.change", "sheet", i, old={"score": "71.5"}, new={"score": "72.1"}, reason="复核",
                     actor_id=user.id)
    db.session.commit()
    return _rows()


def _rows():
    db.session.expire_all()
    return list(db.session.execute(select(AuditLog).order_by(AuditLog.id)).scalars())


def _reseal_from(index, seal):
    """What an insider does after editing or deleting: relink and reseal every record from `index` on."""
    rows = _rows()
    prev = rows[index - 1].hash if index else audit.GENESIS_HASH
    for row in rows[index:]:
        row_prev = prev
        probe = AuditLog(**{c: getattr(row, c) for c in ("created_at", "actor_id", "action", "object_type",
                                                         "object_id", "old", "new", "reason", "ip_address",
                                                         "key_id")}, prev_hash=row_prev)
        prev = seal(probe)
        db.session.execute(update(AuditLog).where(AuditLog.id == row.id).values(prev_hash=row_prev, hash=prev))
    db.session.commit()


def _sha256_seal(record):
    return hashlib.sha256(audit._payload(record)).hexdigest()


def test_records_are_sealed_with_a_key_that_is_not_in_the_database(app):
    rows = _records(2)
    key_id, key = current_key()
    assert all(r.key_id == key_id == "dev" for r in rows)
    assert key != app.config["SECRET_KEY"].encode()  # derived under its own label, not the session key
    assert rows[0].hash != _sha256_seal(rows[0])  # a plain hash is not the seal
    assert verify_chain() == (2, None)


def test_edited_row_with_the_chain_recomputed_without_the_key_is_detected():
    rows = _records()
    db.session.execute(update(AuditLog).where(AuditLog.id == rows[1].id).values(new={"score": "99"}))
    db.session.commit()
    _reseal_from(1, _sha256_seal)  # every link is consistent again, as the old unkeyed chain allowed
    checked, problem = verify_chain()
    assert checked == 1 and problem.record_id == rows[1].id and "密钥签名不符" in problem.problem


def test_chain_resealed_with_a_guessed_key_is_detected(app):
    rows = _records()
    db.session.execute(update(AuditLog).where(AuditLog.id == rows[2].id).values(reason="无"))
    db.session.commit()
    guess = app.config["SECRET_KEY"].encode()  # the session key is not the audit key
    _reseal_from(2, lambda r: audit._mac(guess, r))
    assert verify_chain()[1].record_id == rows[2].id


def test_deleting_the_newest_rows_after_a_checkpoint_is_detected(runner):
    rows = _records()
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    db.session.execute(delete(AuditLog).where(AuditLog.id >= rows[2].id))  # the last two and the checkpoint row
    db.session.commit()
    report = verify_report()
    assert report.problem is not None and "最新的记录已被删除" in report.problem.problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "最新的记录已被删除" in result.output


def test_emptying_the_table_is_detected(runner):
    _records(2)
    checkpoint()
    db.session.execute(delete(AuditLog))
    db.session.commit()
    assert "最新的记录已被删除" in verify_chain()[1].problem


def test_deleting_a_middle_row_and_resealing_with_the_key_is_caught_by_the_checkpoint_count():
    """Even someone holding the key cannot hide a deletion that a checkpoint already counted."""
    rows = _records()
    checkpoint()
    db.session.execute(delete(AuditLog).where(AuditLog.id == rows[1].id))
    db.session.commit()
    assert verify_chain()[1].record_id == rows[2].id  # the broken link first
    _, key = current_key()
    _reseal_from(1, lambda r: audit._mac(key, r))
    _, problem = verify_chain()
    assert problem is not None and "检查点" in problem.problem


def test_rewriting_every_row_as_an_unkeyed_chain_is_caught_by_the_checkpoint():
    _records(3)
    checkpoint()
    db.session.execute(update(AuditLog).values(key_id=None))
    db.session.commit()
    _reseal_from(0, _sha256_seal)  # a consistent legacy-looking chain from the first record
    _, problem = verify_chain()
    assert problem is not None and "检查点不符" in problem.problem


def test_an_unkeyed_row_after_keyed_ones_is_a_forgery():
    rows = _records(2)
    forged = AuditLog(created_at=rows[-1].created_at, action="score.change", object_type="sheet", object_id="9",
                      prev_hash=rows[-1].hash, key_id=None)
    forged.hash = _sha256_seal(forged)
    db.session.execute(insert(AuditLog).values(created_at=forged.created_at, action=forged.action,
                                               object_type=forged.object_type, object_id=forged.object_id,
                                               prev_hash=forged.prev_hash, hash=forged.hash, key_id=None))
    db.session.commit()
    assert "伪造" in verify_chain()[1].problem


def test_edited_anchor_file_is_detected():
    _records(2)
    checkpoint()
    path = anchor_path()
    line = json.loads(path.read_text())
    line["count"] = 1  # hide what the checkpoint counted
    path.write_text(json.dumps(line) + "\n")
    checked, problem = verify_chain()
    assert problem.record_id is None and "签名不符" in problem.problem


def test_checkpoint_writes_the_head_outside_the_database_and_records_itself(runner):
    rows = _records(2)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "共 3 条" in result.output
    head = _rows()[-1]
    assert head.action == "audit.checkpoint" and head.new["records_before"] == len(rows)
    line = json.loads(anchor_path().read_text().splitlines()[-1])
    assert (line["row_id"], line["count"], line["mac"], line["key_id"]) == (head.id, 3, head.hash, "dev")
    # Nothing new since: no second row, no second line.
    assert "没有新记录" in runner.invoke(args=["audit", "checkpoint"]).output
    assert len(anchor_path().read_text().splitlines()) == 1
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "已校验 3 条" in verified.output and "1 个检查点" in verified.output


def test_checkpoint_job_is_registered_every_ten_minutes(app):
    job = registered_jobs(app)["audit.checkpoint"]
    assert job.seconds == 600
    _records(1)
    job.func()
    assert anchor_path().exists()


def test_key_rotation_keeps_old_records_verifiable(app):
    app.config.update(LRC_AUDIT_KEY="a" * 40, LRC_AUDIT_KEY_ID="k1")
    try:
        _records(2)
        app.config.update(LRC_AUDIT_KEY="b" * 40, LRC_AUDIT_KEY_ID="k2")
        record_audit("score.change", "sheet", 7)
        db.session.commit()
        assert [r.key_id for r in _rows()] == ["k1", "k1", "k2"]
        checked, problem = verify_chain()
        assert checked == 0 and "签名密钥 k1 未配置" in problem.problem  # the retired key was not given
        app.config["LRC_AUDIT_OLD_KEYS"] = "k1:" + "a" * 40
        assert verify_chain() == (3, None)
        app.config["LRC_AUDIT_OLD_KEYS"] = "k1:" + "c" * 40  # a wrong old key does not verify
        assert "密钥签名不符" in verify_chain()[1].problem
    finally:
        app.config.update(LRC_AUDIT_KEY="", LRC_AUDIT_KEY_ID="k1", LRC_AUDIT_OLD_KEYS="")


def _legacy_rows(n):
    prev = audit.GENESIS_HASH
    for i in range(n):
        row = AuditLog(created_at=audit._millisecond_now(), action="user.update", object_type="user",
                       object_id=str(i), prev_hash=prev, key_id=None)
        row.hash = _sha256_seal(row)
        db.session.execute(insert(AuditLog).values(created_at=row.created_at, action=row.action,
                                                   object_type=row.object_type, object_id=row.object_id,
                                                   prev_hash=prev, hash=row.hash, key_id=None))
        prev = row.hash
    db.session.commit()


def test_records_from_before_the_upgrade_are_sealed_by_a_chain_upgraded_record():
    _legacy_rows(3)
    assert verify_report().legacy == 3
    record_audit("score.change", "sheet", 1)
    db.session.commit()
    rows = _rows()
    assert [r.action for r in rows[3:]] == ["audit.chain_upgraded", "score.change"]
    assert rows[3].new == {"legacy_records": 3, "legacy_head": rows[2].hash} and rows[3].key_id == "dev"
    report = verify_report()
    assert (report.checked, report.legacy, report.problem) == (5, 3, None)
    # Rewriting a legacy record and recomputing the whole legacy part breaks the keyed record after it.
    db.session.execute(update(AuditLog).where(AuditLog.id == rows[1].id).values(object_id="99"))
    db.session.commit()
    for index in (1, 2):
        row = _rows()[index]
        probe = AuditLog(created_at=row.created_at, action=row.action, object_type=row.object_type,
                         object_id=row.object_id, prev_hash=_rows()[index - 1].hash, key_id=None)
        db.session.execute(update(AuditLog).where(AuditLog.id == row.id).values(
            prev_hash=probe.prev_hash, hash=_sha256_seal(probe)))
        db.session.commit()
    assert verify_chain()[1].record_id == rows[3].id


def test_production_refuses_to_start_without_an_audit_key():
    with pytest.raises(AuditKeyError, match="LRC_AUDIT_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(AuditKeyError, match="differ"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "LRC_AUDIT_KEY": "s" * 40,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "LRC_AUDIT_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://lrc@db.internal/lrc", "LRC_QR_KEY": "q" * 40,
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "LRC_SMTP_HOST": "smtp.internal",
                      "LRC_PUBLIC_URL": "https://lrc.example.gov.cn"})
    assert current_key(app) == ("k1", b"k" * 40)
