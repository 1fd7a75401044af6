"""The restore drill: back up a database with people, courses, certificates, questions (whose rows reference each
other in a cycle), stored files and an anchored audit chain; restore into an empty database and an empty storage;
counts, files and the audit chain come back intact. A damaged archive or a non-empty target is refused."""

from __future__ import annotations

import io
import tarfile
from datetime import date

import pytest
from sqlalchemy import func, select

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.core.audit import checkpoint, verify_report
from lrc_training.core.backup import BackupError, create_backup, restore_backup
from lrc_training.core.models import AuditLog
from lrc_training.core.storage import storage
from lrc_training.exams.models import Question
from lrc_training.extensions import db
from tests.conftest import _empty_all_tables
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.exams.helpers import make_bank, setup_org
from tests.factories import make_org, make_user, valid_id_number


def _counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables}


def _world():
    school, teacher = make_school_and_teacher()
    make_course(teacher)
    org, staff = setup_org()
    make_bank(staff, singles=3, true_false=2)
    evaluator = make_org("备份测试评价机构")
    for n in range(3):
        issue_certificate(IssueRequest(kind="level", holder_name=f"持证人{n}", issuer_organization_id=evaluator.id,
                                       source_type="import", source_id="b", level=4, id_number=valid_id_number(seq=n + 1),
                                       issued_on=date(2026, 5, 1)))
    make_user("trainee", username="backup_trainee", name="陈晓燕")
    storage().put("materials/handout.pdf", b"%PDF-1.4 handout")
    storage().put("seals/seal.png", b"\x89PNG seal")
    db.session.commit()
    checkpoint()
    db.session.commit()


def test_backup_and_restore_into_an_empty_database_and_storage(app, tmp_path):
    _world()
    before = _counts()
    assert before["questions"] and before["certificates"] == 3 and before["audit_logs"]
    archive = tmp_path / "lrc-backup.tar.gz"
    manifest = create_backup(archive)
    assert manifest["tables"]["certificates"]["rows"] == 3
    assert set(manifest["files"]) >= {"materials/handout.pdf", "seals/seal.png"}

    # Disaster: the database and the files are gone.
    _empty_all_tables()
    db.session.execute(db.metadata.tables["work_areas"].delete())  # the reference rows come back from the backup
    db.session.commit()
    for key in ("materials/handout.pdf", "seals/seal.png"):
        storage().delete(key)

    report = restore_backup(archive)
    assert report.audit_problem is None and report.files >= 2
    db.session.expire_all()
    assert _counts() == before
    assert storage().get("materials/handout.pdf") == b"%PDF-1.4 handout"
    assert verify_report().problem is None
    question = db.session.execute(select(Question)).scalars().first()
    assert question.current is not None and question.current.question_id == question.id  # the cycle is whole
    # New rows continue after the restored ids (PostgreSQL sequences reset).
    make_user("trainee", username="after_restore")
    db.session.commit()


def test_a_damaged_archive_or_a_database_that_is_not_empty_is_refused(app, tmp_path):
    _world()
    archive = tmp_path / "lrc-backup.tar.gz"
    create_backup(archive)
    with pytest.raises(BackupError, match="不是空的"):
        restore_backup(archive)

    # Change one certificate row inside the archive: the checksum catches it before anything is written.
    members = {}
    with tarfile.open(archive, "r:gz") as source:
        for member in source.getmembers():
            members[member.name] = source.extractfile(member).read()
    members["tables/certificates.jsonl"] = members["tables/certificates.jsonl"].replace("持证人0".encode(), "张三丰".encode())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as target:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    _empty_all_tables()
    with pytest.raises(BackupError, match="certificates"):
        restore_backup(tampered)
    assert db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one() == 0  # nothing written


def test_the_cli_round_trip(app, runner, tmp_path):
    _world()
    archive = tmp_path / "cli.tar.gz"
    result = runner.invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0 and "已备份" in result.output
    _empty_all_tables()
    db.session.execute(db.metadata.tables["work_areas"].delete())
    db.session.commit()
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "审计日志校验通过" in result.output
