"""Certificate PDFs: exactly one page per certificate whatever the values, text that can be extracted, the
已撤销 and 样本 watermarks, a QR code that encodes the verification URL, one shared seal, nothing external."""

import io
import re
from datetime import date

import pytest
import segno
from flask import render_template
from PIL import Image, ImageDraw
from pypdf import PdfReader

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, revoke
from lrc_training.certificates.services.numbering import update_settings
from lrc_training.certificates.services.rendering import (
    SEAL_MAX_PIXELS,
    TEMPLATE,
    certificate_context,
    render_certificate,
    render_certificates,
    render_contexts,
)
from lrc_training.certificates.services.verification import qr_url
from lrc_training.core.pdf import render_pdf_pages
from lrc_training.core.storage import FileMissing, storage
from tests.factories import make_org, valid_id_number

LONG_NAME = "欧阳龑䶮·阿卜杜热合曼·买买提依明·艾则孜·库尔班江·吐尔逊·热依拉木·帕尔哈提·阿依古丽·欧阳龑䶮"
LONG_DIRECTION = ("企业劳动关系协调与集体协商、劳动争议预防调解及和谐劳动关系创建指导工作方向（试点）" * 2)[:50]
LONG_ISSUER = ("山东省聊城市东昌府区人力资源和社会保障局直属职业技能等级认定与社会培训评价综合服务中心" * 3)[:100]
LONG_EVENT = ("第二届山东省职工职业技能大赛暨2026年全省劳动关系协调员职业技能竞赛（决赛）与全国选拔赛山东赛区选拔赛"
              * 4)[:200]


@pytest.fixture
def evaluator():
    return make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500", site_code="150001")


def make_seal(name: str = "seal-test.png", size: int = 1200) -> str:
    """A red ring on a transparent background, bigger than a certificate needs."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((20, 20, size - 20, size - 20), outline=(200, 20, 20, 255), width=size // 25)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    storage().put(f"seals/{name}", buffer.getvalue(), "image/png")
    return name


def level(org, name="张龑䶮", **extra):
    return issue_certificate(IssueRequest(
        kind="level", holder_name=name, issuer_organization_id=org.id, source_type="manual",
        id_number=extra.pop("id_number", valid_id_number()), level=extra.pop("level", 3),
        issued_on=date(2026, 3, 5), **extra))[0]


def award(org, name="赵文博", event="2026年聊城市劳动关系协调员职业技能竞赛", rank=1, **extra):
    return issue_certificate(IssueRequest(
        kind="award", holder_name=name, issuer_organization_id=org.id, source_type="competition", source_id="3",
        award=extra.pop("award", "一等奖"), event_title=event, rank=rank, number_prefix="2026LCJS-",
        issued_on=date(2026, 3, 5), **extra))[0]


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with all whitespace removed (wrapped lines and letter spacing insert some)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_each_certificate_is_one_landscape_page_with_its_fields(evaluator):
    cert = level(evaluator)
    pdf = render_certificate(cert)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert box.width > box.height  # A4 landscape, like the opened certificate booklet
    texts = pages_text(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in ("职业技能等级证书", "张龑䶮", cert.number, cert.id_number, "职业名称劳动关系协调师", "三级/高级工",
                     "聊城市职业技能等级认定中心", "2026年3月5日", "照片", "扫码核验"):
        assert expected in text, expected
    assert "工种/职业方向--" in text  # written as -- when there is none
    assert "已撤销" not in text and "样本" not in text

    prize = award(evaluator)
    texts = pages_text(render_certificate(prize))
    assert len(texts) == 1
    text = texts[0]
    for expected in ("获奖证书", "赵文博同志", "2026年聊城市劳动关系协调员职业技能竞赛", "一等奖（第1名）", "特发此证",
                     prize.number, "2026年3月5日"):
        assert expected in text, expected


def test_long_values_and_a_mixed_batch_keep_one_page_per_certificate(evaluator):
    update_settings(evaluator, type_letter="S", org_code="0000", province_code="37", site_code="150001",
                    registered_name=LONG_ISSUER, seal_file=make_seal())
    buffer = io.BytesIO()
    Image.new("RGB", (295, 413), (67, 142, 219)).save(buffer, format="JPEG")
    storage().put("photos/photo-test.jpg", buffer.getvalue(), "image/jpeg")
    certs = [
        level(evaluator, name=LONG_NAME, job_direction=LONG_DIRECTION, photo_file="photo-test.jpg", level=1),
        award(evaluator, name=LONG_NAME, event=LONG_EVENT, rank=12, award="优秀奖"),
        level(evaluator, name="李四"),
        award(evaluator, name="王五", rank=None),
    ]
    revoke(certs[1], "测试撤销")
    assert len(LONG_NAME) == 50 and len(LONG_ISSUER) == 100 and len(LONG_EVENT) == 200

    merged = pages_text(render_certificates(certs))
    assert len(merged) == len(certs)
    for cert, text in zip(certs, merged, strict=True):
        assert cert.number in text and "".join(cert.holder_name.split()) in text
    assert LONG_DIRECTION in merged[0] and LONG_ISSUER in merged[0] and LONG_EVENT in merged[1]

    # The batch path (ZIP): one PDF of exactly one page per certificate.
    singles = render_pdf_pages(TEMPLATE, {"certificates": [certificate_context(c) for c in certs]})
    assert len(singles) == len(certs)
    for cert, pdf in zip(certs, singles, strict=True):
        texts = pages_text(pdf)
        assert len(texts) == 1 and cert.number in texts[0]

    images = [image.image.size for image in PdfReader(io.BytesIO(render_certificate(certs[0]))).pages[0].images]
    assert (295, 413) in images  # the photo
    assert max(max(size) for size in images) <= SEAL_MAX_PIXELS  # the 1200 px seal was scaled down


def test_revoked_certificate_carries_the_watermark(evaluator):
    cert = level(evaluator)
    prize = award(evaluator)
    revoke(cert, "材料造假")
    revoke(prize, "成绩更正")
    for text in pages_text(render_certificates([cert, prize])):
        assert "已撤销" in text and "不具证明效力" in text


def test_preview_carries_the_sample_watermark(evaluator):
    cert = level(evaluator)
    sample = dict(certificate_context(cert), sample=True)
    texts = pages_text(render_contexts([sample, dict(sample, kind="award", award="一等奖", event_title="竞赛")]))
    assert len(texts) == 2 and all("样本" in text for text in texts)
    assert "样本" not in pages_text(render_certificate(cert))[0]


def qr_matches(image: Image.Image, url: str) -> bool:
    """True when the image shows, module for module, the QR symbol of `url` (segno is deterministic: the same
    data, error level and border give the same matrix, so a match means the code reads as `url`)."""
    qr = segno.make(url, error="m")
    expected = [list(row) for row in qr.matrix_iter(border=1)]
    size = len(expected)
    width, height = image.size
    if width != height or width % size:
        return False
    scale = width // size
    gray = image.convert("L")
    for y, row in enumerate(expected):
        for x, dark in enumerate(row):
            pixel = gray.getpixel((x * scale + scale // 2, y * scale + scale // 2))
            if (pixel < 128) != bool(dark):
                return False
    return True


def test_qr_code_encodes_the_verification_url(evaluator):
    for cert in (level(evaluator), award(evaluator)):
        # One certificate per PDF: WeasyPrint shares one resource dictionary between the pages of a document.
        page = PdfReader(io.BytesIO(render_certificate(cert))).pages[0]
        url = qr_url(cert)
        images = [image.image for image in page.images]
        assert any(qr_matches(image, url) for image in images), "no QR image encoding the verify URL"
        assert not any(qr_matches(image, url + "x") for image in images)  # the check does tell codes apart
        # The long signed link is not printed; without LRC_PUBLIC_URL no address is (see test_official_documents).
        assert url not in "".join(page.extract_text().split())


def test_batch_html_holds_the_seal_once_and_nothing_external(app, evaluator):
    update_settings(evaluator, type_letter="S", org_code="0000", province_code="37", site_code="150001",
                    registered_name=evaluator.name, seal_file=make_seal("seal-once.png", size=300))
    contexts = [certificate_context(level(evaluator, name=f"学员{i}")) for i in range(3)]
    contexts.append(certificate_context(award(evaluator)))
    seal = contexts[0]["seal"]
    assert seal.startswith("data:image/png;base64,") and all(c["seal"] == seal for c in contexts)
    html = render_template(TEMPLATE, certificates=contexts)
    assert html.count(seal) == 1
    assert "<script" not in html.lower()
    urls = re.findall(r'(?:src|href)="([^"]*)"', html) + re.findall(r'url\("?([^")]*)', html)
    assert urls and all(url.startswith(("data:", "/static/")) for url in urls), [u[:60] for u in urls]


def test_a_certificate_never_prints_without_its_seal(evaluator):
    """The settings name a seal that storage does not have (a node's disk, a lost object): rendering fails loudly
    instead of printing a certificate with a blank where the seal goes."""
    update_settings(evaluator, type_letter="S", org_code="0000", province_code="37", site_code="150001",
                    registered_name="聊城市职业技能等级认定中心", seal_file="gone-seal.png")
    cert = level(evaluator)
    with pytest.raises(FileMissing):
        render_certificate(cert)
