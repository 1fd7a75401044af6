"""Certificate numbering, idempotency, revocation, reissue, verification and highest level."""

import io
import threading
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.auth.models import Accreditation
from lrc_training.certificates.models import Certificate
from lrc_training.certificates.queries import highest_level_of
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, reissue, revoke
from lrc_training.certificates.services.numbering import LEVEL_NUMBER_RE, default_settings, update_settings
from lrc_training.certificates.services.rendering import render_certificate
from lrc_training.certificates.services.verification import qr_token, verify, verify_token
from lrc_training.core.errors import Conflict, ValidationFailed
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import USING_POSTGRES
from tests.factories import accredit, make_org, make_user, valid_id_number


@pytest.fixture
def evaluator():
    # accredited (备案) with the site code of the domain example
    return make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500", site_code="150001")


def level_request(org, name="张三", level=3, key=None, **extra):
    return IssueRequest(kind="level", holder_name=name, issuer_organization_id=org.id, source_type="manual",
                        source_key=key, id_number=extra.pop("id_number", valid_id_number()), level=level,
                        issued_on=extra.pop("issued_on", date(2026, 3, 5)), **extra)


def test_defaults_derive_from_the_organization(evaluator):
    """Without a filing: S, 0000, the province, the organization id as site code (unique), the name."""
    other = make_org("聊城市第二评价中心", kind="evaluator", region_code="371500", accredited=False)
    s = default_settings(other)
    assert (s.type_letter, s.org_code, s.province_code, s.site_code) == ("S", "0000", "37", f"{other.id:06d}")
    assert s.registered_name == other.name
    assert default_settings(evaluator).site_code != s.site_code


def test_number_format_matches_the_domain_example(evaluator):
    cert, created = issue_certificate(level_request(evaluator))
    assert created and cert.number == "S000037150001263000001"
    second, _ = issue_certificate(level_request(evaluator, name="李四"))
    assert second.number == "S000037150001263000002"
    other_level, _ = issue_certificate(level_request(evaluator, name="王五", level=4))
    assert other_level.number.endswith("264000001")
    assert all(LEVEL_NUMBER_RE.match(c.number) for c in (cert, second, other_level))


def test_the_filing_gives_the_codes_and_the_settings_the_name(evaluator):
    enterprise_center = make_org("聊城钢铁集团评价中心", kind="evaluator", region_code="371500", accredited=False)
    accredit(enterprise_center, letter="Y", site_code="150201")
    enterprise_center_filing = db.session.execute(select(Accreditation).where(
        Accreditation.organization_id == enterprise_center.id)).scalar_one()
    enterprise_center_filing.org_code = "1234"
    db.session.commit()
    update_settings(enterprise_center, type_letter="Y", org_code="1234", province_code="37", site_code="150201",
                    registered_name="聊城钢铁集团评价中心（登记名）", signatory="王建国")
    cert, _ = issue_certificate(level_request(enterprise_center))
    assert cert.number.startswith("Y123437150201263") and cert.issuer_name.endswith("（登记名）")


def test_settings_cannot_contradict_the_filing(evaluator):
    with pytest.raises(ValidationFailed) as info:
        update_settings(evaluator, type_letter="Y", org_code="0000", province_code="37", site_code="150002",
                        registered_name="聊城市职业技能等级认定中心")
    assert set(info.value.fields) == {"type_letter", "site_code"}
    assert info.value.fields["site_code"] == "须与备案一致（150001）"


def test_bad_settings_are_refused(evaluator):
    with pytest.raises(ValidationFailed) as info:
        update_settings(evaluator, type_letter="X", org_code="12", province_code="3７", site_code="abc",
                        registered_name="")
    assert set(info.value.fields) == {"type_letter", "org_code", "province_code", "site_code", "registered_name"}


def test_issuing_is_idempotent_per_source_item(evaluator):
    first, created = issue_certificate(level_request(evaluator, key="exam_session:7:application:1"))
    again, created_again = issue_certificate(level_request(evaluator, key="exam_session:7:application:1"))
    assert created and not created_again and again.id == first.id
    assert db.session.query(Certificate).count() == 1


def test_revoked_numbers_are_never_reused(evaluator):
    cert, _ = issue_certificate(level_request(evaluator))
    revoke(cert, "材料造假")
    nxt, _ = issue_certificate(level_request(evaluator, name="李四"))
    assert nxt.number.endswith("000002")
    with pytest.raises(Conflict):
        revoke(cert, "再次撤销")
    assert db.session.execute(select(AuditLog.action).where(AuditLog.action == "certificate.revoke")).scalar()


def test_reissue_links_both_records_and_keeps_the_source(evaluator):
    cert, _ = issue_certificate(level_request(evaluator, name="张山", key="import:1:x:3"))
    new = reissue(cert, "姓名录入错误", holder_name="张三")
    assert cert.status == "revoked" and cert.replaced_by_id == new.id and new.replaces_id == cert.id
    assert new.number != cert.number and new.holder_name == "张三"
    again, created = issue_certificate(level_request(evaluator, name="张三", key="import:1:x:3"))
    assert not created and again.id == new.id
    with pytest.raises(Conflict):
        reissue(cert, "再次补发")


def test_verification_needs_number_and_name_and_masks_the_name(evaluator):
    cert, _ = issue_certificate(level_request(evaluator, name="欧阳娜娜"))
    result = verify(cert.number, "欧阳娜娜")
    assert result.valid and result.holder == "欧**娜" and result.level == "三级/高级工"
    assert cert.id_number not in str(result.as_json())
    assert verify(cert.number, "欧阳") is None
    assert verify("S000037150001263999999", "欧阳娜娜") is None
    revoke(cert, "撤销测试")
    assert verify(cert.number, "欧阳娜娜").status == "revoked"


def test_qr_token_is_signed(evaluator):
    cert, _ = issue_certificate(level_request(evaluator))
    token = qr_token(cert)
    assert verify_token(token).number == cert.number
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert verify_token(forged) is None
    assert verify_token("eyJuIjoiUzAwMDAzNzE1MDAwMTI2MzAwMDAwMSJ9") is None  # unsigned payload


def test_highest_level_counts_only_valid_level_certificates(evaluator):
    user = make_user("trainee")
    assert highest_level_of(user.id) is None
    issue_certificate(level_request(evaluator, level=4, holder_user_id=user.id))
    three, _ = issue_certificate(level_request(evaluator, level=3, holder_user_id=user.id))
    assert highest_level_of(user.id) == 3
    revoke(three, "撤销")
    assert highest_level_of(user.id) == 4


def test_award_certificates_use_the_committee_scheme(evaluator):
    req = IssueRequest(kind="award", holder_name="赵文博", issuer_organization_id=evaluator.id,
                       source_type="competition", source_id="3", award="一等奖",
                       event_title="聊城市劳动关系协调员技能竞赛",
                       rank=1, number_prefix="2026LCJS-")
    cert, _ = issue_certificate(req)
    assert cert.number == "2026LCJS-0001"
    with pytest.raises(ValidationFailed):
        issue_certificate(IssueRequest(kind="award", holder_name="x", issuer_organization_id=evaluator.id,
                                       source_type="competition"))


def test_bad_issue_input_is_refused(evaluator):
    with pytest.raises(ValidationFailed) as info:
        issue_certificate(level_request(evaluator, name="", level=5, id_number="123"))
    assert {"holder_name", "level", "id_number"} <= set(info.value.fields)


def test_pdf_contains_holder_number_and_qr(app, evaluator):
    cert, _ = issue_certificate(level_request(evaluator, name="张龑䶮"))
    pdf = render_certificate(cert)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "张龑䶮" in text and cert.number in text and "职业技能等级证书" in text
    assert len(reader.pages) == 1


@pytest.mark.skipif(not USING_POSTGRES, reason="concurrency is proven on PostgreSQL (TEST_DATABASE_URL)")
def test_concurrent_issuers_never_share_a_serial(app, evaluator):
    org_id = evaluator.id
    barrier = threading.Barrier(8)
    numbers, errors = [], []

    def issue(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for j in range(5):
                    cert, _ = issue_certificate(IssueRequest(
                        kind="level", holder_name=f"学员{i}{j}", issuer_organization_id=org_id,
                        source_type="manual", level=3, issued_on=date(2026, 3, 5)))
                    db.session.commit()
                    numbers.append(cert.number)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert errors == []
    assert sorted(numbers) == [f"S000037150001263{n:06d}" for n in range(1, 41)]
