"""The audit log is hash-chained: verification names the first altered or removed record."""

import pytest
from sqlalchemy import text, update

from lrc_training.core.audit import record_audit, verify_chain
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.factories import make_user


def _three_records():
    user = make_user("admin")
    for i in range(3):
        record_audit("score.change", "sheet", i, old={"score": "71.5"}, new={"score": "72.1"}, reason="复核",
                     actor_id=user.id)
    db.session.commit()
    return db.session.query(AuditLog).order_by(AuditLog.id).all()


def test_intact_chain_verifies():
    records = _three_records()
    assert records[0].prev_hash == "0" * 64
    assert records[1].prev_hash == records[0].hash
    assert verify_chain() == (3, None)


def test_altered_record_is_named():
    records = _three_records()
    db.session.execute(update(AuditLog).where(AuditLog.id == records[1].id).values(new={"score": "99"}))
    db.session.commit()
    checked, problem = verify_chain()
    assert checked == 1 and problem.record_id == records[1].id and "篡改" in problem.problem


def test_removed_record_is_detected_at_its_successor():
    records = _three_records()
    db.session.execute(text("DELETE FROM audit_logs WHERE id = :id"), {"id": records[1].id})
    db.session.commit()
    _, problem = verify_chain()
    assert problem.record_id == records[2].id


def test_orm_refuses_to_edit_or_delete_audit_records():
    records = _three_records()
    records[0].reason = "悄悄修改"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_cli_verify_reports_ok_and_tampering(runner):
    records = _three_records()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "已校验 3 条" in result.output
    db.session.execute(update(AuditLog).where(AuditLog.id == records[0].id).values(reason="x"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"第 {records[0].id} 号记录" in result.output
