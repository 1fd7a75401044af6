"""The Excel import of certificates goes through a second person: one staff member's sheet files requests, never
certificates; a colleague approves the import (or single rows); the importer cannot approve their own sheet."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lrc_training.certificates.models import Certificate, CertificateImport, ManualCertificateRequest
from lrc_training.certificates.services.manual import approve_import
from lrc_training.core.errors import Forbidden
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.factories import accredit, make_org, make_user, valid_id_number

HEADER = ["姓名", "身份证号", "等级", "工种/职业方向", "发证日期"]


@pytest.fixture
def world():
    center = make_org("聊城市职业技能等级认定中心", region_code="371500", accredited=False)
    accredit(center, levels=(4, 3), valid_from=date(2024, 1, 1))
    clerk = make_user("org_staff", username="clerk", name="王建国", org=center)
    checker = make_user("org_staff", username="checker", name="李秀梅", org=center)
    outsider = make_user("org_staff", username="elsewhere", org=make_org("济南市职业技能等级认定中心"))
    db.session.commit()
    return {"center": center, "clerk": clerk, "checker": checker, "outsider": outsider}


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [["孙丽娟", valid_id_number(seq=601), "三级/高级工", "集体协商", "2024-06-30"],
        ["周海涛", valid_id_number(seq=602), "4", "--", "2025-03-01"],
        ["吴敏", valid_id_number(seq=603), "一级/高级技师", "--", "2024-06-30"],  # level not in the filing
        ["郑强", valid_id_number(seq=604), "四级", "--", "2023-12-31"]]  # before the filing started


def upload(client, data: bytes, name: str = "2024年认定名册.xlsx") -> str:
    return client.post("/certificates/import", data={
        "csrf_token": csrf_token(client, "/certificates/import"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data").get_data(as_text=True)


def verifies(client, number: str, name: str) -> bool:
    return client.get(f"/api/v1/verify/{number}?name={name}").get_json().get("valid") is True


def test_an_import_files_requests_not_certificates(client, world):
    """The attack: one insider uploads a sheet to mint certificates alone."""
    login(client, "clerk")
    page = upload(client, sheet(ROWS))
    assert "已提交 2 条发证申请，需由本机构另一名工作人员在「发证复核」中批准后签发" in page
    assert "第 4 行" in page and "不能签发该等级" in page
    assert "第 5 行" in page and "发证日期须在备案有效期内" in page
    assert db.session.query(Certificate).count() == 0
    requests = db.session.execute(select(ManualCertificateRequest).order_by(ManualCertificateRequest.id)).scalars().all()
    assert [(r.holder_name, r.level, r.status, r.reason) for r in requests] == [
        ("孙丽娟", 3, "pending_approval", "批量导入"), ("周海涛", 4, "pending_approval", "批量导入")]
    batch = db.session.execute(select(CertificateImport)).scalar_one()
    assert (batch.file_name, batch.requested, batch.skipped, batch.failed) == ("2024年认定名册.xlsx", 2, 0, 2)
    evidence = requests[0].evidence
    assert "2024年认定名册.xlsx" in evidence and "第 2 行" in evidence and "王建国" in evidence
    assert batch.created_at is not None and str(batch.id) in evidence
    assert requests[1].evidence.count("第 3 行") == 1
    audited = db.session.execute(select(AuditLog).where(AuditLog.action == "certificate.manual_request")).scalars()
    assert {row.object_id for row in audited} == {str(r.id) for r in requests}


def test_the_importer_cannot_approve_the_batch(client, world):
    login(client, "clerk")
    upload(client, sheet(ROWS))
    batch = db.session.execute(select(CertificateImport)).scalar_one()
    page = client.get("/certificates/manual").get_data(as_text=True)
    assert f"导入批次 {batch.id}" in page and "批准本批全部申请" not in page and "待其他工作人员复核" in page
    refused = post_form(client, f"/certificates/manual/imports/{batch.id}/approve", {},
                        token_from="/certificates/manual", follow_redirects=True).get_data(as_text=True)
    assert "不能复核本人导入的申请" in refused
    assert db.session.query(Certificate).count() == 0
    with pytest.raises(Forbidden):
        approve_import(world["clerk"], batch.id)
    assert {r.status for r in db.session.execute(select(ManualCertificateRequest)).scalars()} == {"pending_approval"}


def test_a_colleague_approves_the_batch_and_the_certificates_verify(app, client, world):
    login(client, "clerk")
    upload(client, sheet(ROWS))
    batch = db.session.execute(select(CertificateImport)).scalar_one()
    # another organization's staff cannot see or approve it
    outsider = app.test_client()
    login(outsider, "elsewhere")
    assert outsider.get(f"/certificates/manual?import={batch.id}").status_code == 404
    assert post_form(outsider, f"/certificates/manual/imports/{batch.id}/approve", {},
                     token_from="/certificates/manual").status_code == 404
    assert db.session.query(Certificate).count() == 0

    checker = app.test_client()
    login(checker, "checker")
    listing = checker.get(f"/certificates/manual?import={batch.id}").get_data(as_text=True)
    assert "批准本批全部申请" in listing and "孙丽娟" in listing and "周海涛" in listing
    done = post_form(checker, f"/certificates/manual/imports/{batch.id}/approve", {},
                     token_from="/certificates/manual", follow_redirects=True).get_data(as_text=True)
    assert "已批准并签发 2 张证书" in done
    certs = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().all()
    assert [(c.holder_name, c.level, c.issued_on, c.source_type, c.source_id) for c in certs] == [
        ("孙丽娟", 3, date(2024, 6, 30), "import", str(batch.id)),
        ("周海涛", 4, date(2025, 3, 1), "import", str(batch.id))]
    assert all(c.number.startswith("S000037") and len(c.number) == 22 for c in certs)
    assert verifies(client, certs[0].number, "孙丽娟") and verifies(client, certs[1].number, "周海涛")
    requests = db.session.execute(select(ManualCertificateRequest)).scalars().all()
    assert {(r.status, r.decided_by_id) for r in requests} == {("approved", world["checker"].id)}
    approvals = db.session.execute(select(AuditLog).where(AuditLog.action == "certificate.manual_approve")).scalars()
    assert sorted(row.new["number"] for row in approvals) == sorted(c.number for c in certs)
    assert "批准本批全部申请" not in checker.get("/certificates/manual").get_data(as_text=True)  # nothing left

    # re-importing the same sheet files nothing new: both people now hold valid certificates
    again = upload(client, sheet(ROWS))
    assert "已提交 0 条发证申请" in again and "跳过）<strong>2</strong>" in again
    assert db.session.query(ManualCertificateRequest).count() == 2 and db.session.query(Certificate).count() == 2


def test_re_import_while_pending_and_mixed_batches(app, client, world):
    """A pending request is not filed twice; in a batch with the approver's own rows, those are skipped."""
    login(client, "clerk")
    upload(client, sheet(ROWS[:1]))
    again = upload(client, sheet(ROWS[:2]))
    assert "已提交 1 条发证申请" in again and "第 2 行" in again and "已有待复核的手工发证申请" in again
    assert db.session.query(ManualCertificateRequest).count() == 2
    first, second = db.session.execute(select(CertificateImport).order_by(CertificateImport.id)).scalars().all()
    # a batch holding a row the approver filed (not reachable from the page, where one person imports a sheet):
    # the service still leaves that row for someone else
    checker = app.test_client()
    login(checker, "checker")
    upload(checker, sheet([["冯雪", valid_id_number(seq=605), "4", "--", "2025-01-02"]]))
    own = db.session.execute(select(ManualCertificateRequest).where(
        ManualCertificateRequest.requested_by_id == world["checker"].id)).scalar_one()
    own.import_id = second.id
    db.session.commit()
    result = approve_import(world["checker"], second.id)
    db.session.commit()
    assert (len(result.issued), result.own, result.failed) == (1, 1, [])
    assert db.session.get(ManualCertificateRequest, own.id).status == "pending_approval"
    # the first import's single row is approved individually; the batch then has nothing pending
    req = db.session.execute(select(ManualCertificateRequest).where(
        ManualCertificateRequest.import_id == first.id)).scalar_one()
    post_form(checker, f"/certificates/manual/{req.id}/reject", {"reason": "档案页码不符"},
              token_from="/certificates/manual")
    assert db.session.get(ManualCertificateRequest, req.id).status == "rejected"
    nothing = post_form(checker, f"/certificates/manual/imports/{first.id}/approve", {},
                        token_from="/certificates/manual", follow_redirects=True).get_data(as_text=True)
    assert "该导入批次没有待复核的申请" in nothing
    assert db.session.query(Certificate).count() == 1


def test_bad_batch_ids_are_404_not_500(client, world):
    login(client, "checker")
    for bad in ("abc", "²", "99999999999999999999999", "0"):
        assert client.get(f"/certificates/manual?import={bad}").status_code == 404
    assert post_form(client, "/certificates/manual/imports/424242/approve", {},
                     token_from="/certificates/manual").status_code == 404
