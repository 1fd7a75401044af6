"""Documents that look official: the approved photo on the certificate, the admission ticket and the sign-in sheet
(seen in the rendered pages, not only in the PDF's bytes); no certificate without the issuer's seal (422 naming
`seal` and where to set it); a short verification address only when the public URL is set; one number on a ticket."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from lrc_training.auth.services.photos import review_photo, upload_photo
from lrc_training.certificates.models import Certificate, CertificateSettings
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.certificates.services.rendering import certificate_context, render_certificate
from lrc_training.certificates.services.seals import SealMissing
from lrc_training.exams.documents import admission_tickets_pdf, sign_in_sheets_pdf, ticket_number
from lrc_training.exams.models import Application
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login
from tests.exams.helpers import make_bank, setup_org
from tests.exams.test_level_certificate_rules import _candidate, _publish, _score, _session, _theory
from tests.factories import make_org, make_user, valid_id_number

GREEN = (0, 200, 0)


@pytest.fixture
def world(client):
    """An accredited evaluator (with a seal, as every factory organization) with a level-4 bank and an examiner."""
    org, staff = setup_org()
    make_bank(staff, level=4, singles=4, true_false=0)
    return {"org": org, "staff": staff, "examiner": make_user("examiner", username="exam1", org=org)}


def green_photo(person, staff):
    image = Image.new("RGB", (500, 700), GREEN)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    photo = upload_photo(person, person, buffer.getvalue())
    review_photo(staff, photo, approve=True)
    db.session.commit()
    return photo


def green_pixels(pdf: bytes, tmp_path: Path, name: str) -> int:
    """Render every page as a PNG (kept for people to look at) and count the photo's green pixels."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / name)], check=True)  # noqa: S603,S607
    count = 0
    for page in sorted(tmp_path.glob(f"{name}*.png")):
        with Image.open(page) as image:
            colors = image.convert("RGB").getcolors(maxcolors=1 << 24)
            count += sum(n for n, (r, g, b) in colors if g > 150 and r < 80 and b < 80)
    return count


def pdf_text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def level_request(org, person=None, **extra) -> IssueRequest:
    return IssueRequest(kind="level", holder_name=person.name if person else "陈晓燕", issuer_organization_id=org.id,
                        source_type="manual", level=3, id_number=valid_id_number(),
                        holder_user_id=person.id if person else None, **extra)


def test_the_certificate_prints_the_approved_photo_and_keeps_it(tmp_path):
    org = make_org("聊城市职业技能等级认定中心")
    staff = make_user("org_staff", username="staff", org=org)
    person = make_user("trainee", username="holder", name="陈晓燕", org=org)
    without, _ = issue_certificate(level_request(org, person))
    db.session.commit()
    blank = render_certificate(without)
    assert green_pixels(blank, tmp_path, "no-photo") == 0 and "照片" in pdf_text(blank)
    photo = green_photo(person, staff)
    assert green_pixels(render_certificate(without), tmp_path, "later-photo") > 500  # approved after issue
    cert, _ = issue_certificate(level_request(org, person))
    db.session.commit()
    assert cert.photo_file == photo.file  # the photo of the day it was issued
    pending = upload_photo(person, person, _jpeg((10, 10, 200)))
    db.session.commit()
    assert pending.status == "pending" and certificate_context(cert)["photo"] == certificate_context(without)["photo"]
    assert b"/Subtype /Image" in render_certificate(cert) or b"/Subtype/Image" in render_certificate(cert)


def _jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (500, 700), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_no_certificate_is_issued_without_the_issuers_seal(client):
    org = make_org("聊城市职业技能等级认定中心", seal=False)
    with pytest.raises(SealMissing) as refused:
        issue_certificate(level_request(org))
    assert refused.value.status == 422 and "/certificates/settings" in refused.value.fields["seal"]
    committee = make_org("聊城市总工会", kind="union", seal=False)
    with pytest.raises(SealMissing):
        issue_certificate(IssueRequest(kind="award", holder_name="陈晓燕", issuer_organization_id=committee.id,
                                       source_type="competition", award="一等奖", event_title="技能竞赛",
                                       number_prefix="2026LC-"))
    db.session.rollback()
    assert db.session.query(Certificate).count() == 0


def test_issuing_a_session_without_a_seal_is_422_on_the_api_and_explained_on_the_page(client, world):
    session = _session(world)
    person, application = _candidate(world, session, "cand")
    _theory(person, session, passed=True)
    _score(world, session, application, "practical", 80)
    _publish(world, session)
    db.session.get(CertificateSettings, world["org"].id).seal_file = None
    db.session.commit()
    response = client.post("/api/v1/certificates/issue", json={"exam_session_id": session.id},
                           headers=api_token(client, "staff"))
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "seal_missing"
    assert "证书设置" in body["fields"]["seal"] and "/certificates/settings" in body["fields"]["seal"]
    login(client, "staff")
    page = client.post(f"/exams/sessions/{session.id}/certificates", data={
        "csrf_token": csrf_token(client, f"/exams/sessions/{session.id}/results")}, follow_redirects=True)
    assert "尚未设置电子印章" in page.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


def test_the_short_verification_address_prints_only_with_the_public_url(app, client, monkeypatch):
    org = make_org("聊城市职业技能等级认定中心")
    cert, _ = issue_certificate(level_request(org))
    db.session.commit()
    monkeypatch.setitem(app.config, "LRC_PUBLIC_URL", "")
    plain = certificate_context(cert)
    assert plain["short_url"] is None and "/verify/q/" in plain["verify_url"]  # the QR still verifies
    text = pdf_text(render_certificate(cert))
    assert "127.0.0.1" not in text and "http" not in text and "扫码核验" in text
    monkeypatch.setitem(app.config, "LRC_PUBLIC_URL", "https://lrc.hrss.example.cn/")
    assert f"lrc.hrss.example.cn/v/{cert.number}" in pdf_text(render_certificate(cert))
    short = client.get(f"/v/{cert.number.lower()}")
    assert short.status_code == 302 and short.headers["Location"].endswith(f"/verify?number={cert.number}")
    page = client.get(short.headers["Location"]).get_data(as_text=True)
    assert cert.number in page and "请输入持证人姓名" not in page


def test_ticket_and_sign_in_sheet_carry_the_photo_and_one_candidate_number(client, world, tmp_path):
    session = _session(world)
    person, application = _candidate(world, session, "cand")
    other, _ = _candidate(world, session, "other")
    green_photo(person, world["staff"])
    application = db.session.get(Application, application.id)
    number, code = ticket_number(session, application), application.anonymous_code
    tickets = admission_tickets_pdf(session)
    text = pdf_text(tickets)
    assert text.count(number) == 1 and code not in text and f"{application.id:06d}" not in text.replace(number, "")
    assert green_pixels(tickets, tmp_path, "tickets") > 300
    sheet = sign_in_sheets_pdf(session)
    assert green_pixels(sheet, tmp_path, "sign-in") > 100 and "无照片" in pdf_text(sheet)  # the other has none
    login(client, "cand")
    page = client.get(f"/exams/applications/{application.id}/ticket").get_data(as_text=True)
    assert "准考证号" in page and number in page and "报名编号" not in page and code not in page
    assert "/account/photos/" in page
