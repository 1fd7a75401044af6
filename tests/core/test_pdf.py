"""render_pdf: bundled CJK fonts (Extension A included), static-only URL fetching, plain-value contexts."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
import segno
from fontTools.ttLib import TTFont
from jinja2 import ChoiceLoader, DictLoader

from lrc_training.auth.models import User
from lrc_training.core.pdf import (
    STATIC_BASE_URL,
    PdfRenderError,
    ResourceRefused,
    check_plain_context,
    render_pdf,
    resolve_resource,
)

RARE_NAME = "张龑䶮"  # 龑 U+9F91 (URO), 䶮 U+4DAE (CJK Extension A)
BUNDLED_FAMILIES = {"Noto Sans SC", "Noto Serif SC"}
FONTS_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


def completion_context(**overrides):
    context = {
        "number": "PX-2026-000123",
        "holder_name": RARE_NAME,
        "id_type": "居民身份证",
        "id_number": "370102********123X",
        "course_title": "劳动关系协调员（三级）职业技能培训",
        "level_label": "三级/高级工",
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 4, 10),
        "hours": Decimal("96"),
        "organization_name": "济南市劳动关系协调员职业培训学校",
        "issue_date": date(2026, 4, 15),
    }
    context.update(overrides)
    return context


@pytest.fixture
def extra_templates(app, monkeypatch):
    """Add templates for one test, in front of the app's own loaders."""

    def add(**templates: str) -> None:
        loader = ChoiceLoader([DictLoader({f"test_pdf/{name}": source for name, source in templates.items()}),
                               app.jinja_loader])
        monkeypatch.setattr(app, "jinja_loader", loader)

    return add


def pdf_fonts(pdf: bytes) -> list[dict]:
    """Each font on each page: PDF name, the embedded font file's own family name, and its CID → text map."""
    fonts = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font_ref in page["/Resources"]["/Font"].values():
            font = font_ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            font_file = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            to_text = {
                int(cid, 16): bytes.fromhex(text).decode("utf-16-be")
                for cid, text in re.findall(r"^<([0-9a-fA-F]+)> <([0-9a-fA-F]+)>$", cmap, re.MULTILINE)
            }
            fonts.append({
                "base_font": str(font["/BaseFont"]),
                "family": font_file["name"].getDebugName(1),
                "file": font_file,
                "to_text": to_text,
            })
    return fonts


def test_sample_template_renders_chinese_with_extension_a_name():
    qr_code = segno.make("https://lrc.example.cn/verify/PX2026000123").png_data_uri(scale=3)
    pdf = render_pdf("pdf/training_completion.html", completion_context(qr_code=qr_code))

    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "培训结业证明" in text.replace(" ", "")
    assert RARE_NAME in text
    assert "2026年3月2日至2026年4月10日" in text
    assert reader.metadata.title == "培训结业证明 PX-2026-000123"
    assert reader.pages[0].images, "the data: URI QR code is embedded"


def test_only_the_bundled_noto_fonts_are_embedded():
    pdf = render_pdf("pdf/training_completion.html", completion_context())

    fonts = pdf_fonts(pdf)
    assert {f["family"] for f in fonts} == BUNDLED_FAMILIES  # not the system's "Noto Sans CJK SC" or DejaVu
    names = {f["base_font"].split("+", 1)[1] for f in fonts}
    assert names == {"LRC-Noto-Serif-SC", "LRC-Noto-Serif-SC-Bold", "LRC-Noto-Sans-SC", "LRC-Noto-Sans-SC-Bold"}
    assert len(pdf) < 200_000, "fonts are subset, not embedded whole"


def test_every_bundled_face_has_extension_a_glyphs(extra_templates):
    faces = [("LRC Noto Sans SC", 400), ("LRC Noto Sans SC", 700),
             ("LRC Noto Serif SC", 400), ("LRC Noto Serif SC", 700)]
    extra_templates(faces="""{% extends "pdf/base.html" %}{% block content %}
        {% for family, weight in faces %}
          <p style="font-family: '{{ family }}'; font-weight: {{ weight }}">{{ name }}</p>
        {% endfor %}{% endblock %}""")

    # One family per paragraph with no fallback: a missing glyph would bring in a system font.
    pdf = render_pdf("test_pdf/faces", {"faces": faces, "name": RARE_NAME})

    fonts = pdf_fonts(pdf)
    assert len(fonts) == 4
    for font in fonts:
        assert font["family"] in BUNDLED_FAMILIES
        glyph_order = font["file"].getGlyphOrder()
        for char in RARE_NAME:
            cids = [cid for cid, text in font["to_text"].items() if text == char]
            assert cids, f"{char} U+{ord(char):04X} not drawn with {font['base_font']}"
            glyph = font["file"]["glyf"][glyph_order[cids[0]]]
            assert cids[0] != 0 and glyph.numberOfContours > 0, f"{char} is .notdef/empty in {font['base_font']}"
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert text.split() == [RARE_NAME] * 4


@pytest.mark.parametrize("path", sorted(FONTS_DIR.glob("*.ttf")), ids=lambda p: p.name)
def test_bundled_font_files_map_extension_a(path):
    cmap = TTFont(path, lazy=True).getBestCmap()
    assert {0x4DAE, 0x9F91, 0x3400} <= set(cmap)


def test_remote_urls_are_refused_without_touching_the_network(extra_templates, monkeypatch):
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("network access from a PDF render")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    extra_templates(remote="""{% extends "pdf/base.html" %}{% block content %}
        <p>照片</p><img src="http://example.com/x.png">{% endblock %}""")

    with pytest.raises(PdfRenderError, match=r"http://example\.com/x\.png") as caught:
        render_pdf("test_pdf/remote", {})

    assert isinstance(caught.value.__cause__, ResourceRefused)
    assert "test_pdf/remote" in str(caught.value)
    assert attempts == []


def test_missing_static_file_stops_the_render(extra_templates):
    extra_templates(missing="""{% extends "pdf/base.html" %}{% block content %}
        <img src="/static/img/no-such-seal.png">{% endblock %}""")

    with pytest.raises(PdfRenderError, match="not found: img/no-such-seal.png"):
        render_pdf("test_pdf/missing", {})


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/fonts/NotoSansSC-Regular.ttf",
        "file:///etc/passwd",
        "ftp://lrc-static.invalid/static/css/app.css",
        STATIC_BASE_URL + "instance/lrc_training.db",
        STATIC_BASE_URL + "static/../pyproject.toml",
        STATIC_BASE_URL + "static/%2e%2e/pyproject.toml",
        STATIC_BASE_URL + "static/..%2fpyproject.toml",
        STATIC_BASE_URL + "static/%2Fetc%2Fpasswd",
        STATIC_BASE_URL + "static/",
        STATIC_BASE_URL + "static/fonts",
        "//example.com/x.png",
        "static/css/app.css",
    ],
)
def test_fetcher_serves_nothing_but_static_files(app, url):
    with pytest.raises(ResourceRefused):
        resolve_resource(url, app.static_folder, app.static_url_path)


def test_fetcher_serves_static_files_and_data_uris(app):
    body, content_type = resolve_resource(STATIC_BASE_URL + "static/css/app.css", app.static_folder)
    assert body == Path(app.static_folder, "css", "app.css").read_bytes()
    assert content_type == "text/css"

    body, content_type = resolve_resource("data:image/png;base64,iVBORw0KGgo=", app.static_folder)
    assert body == b"\x89PNG\r\n\x1a\n"
    assert content_type == "image/png"


def test_orm_objects_in_the_context_are_refused():
    user = User(username="zhang", name=RARE_NAME)

    with pytest.raises(TypeError, match=r"'holder'.*User"):
        render_pdf("pdf/training_completion.html", {"holder": user})
    with pytest.raises(TypeError, match=r"rows\[1\]\['user'\]"):
        render_pdf("pdf/training_completion.html", {"rows": [{"name": "a"}, {"name": "b", "user": user}]})
    with pytest.raises(TypeError, match="'when'"):
        check_plain_context({"when": object()})


def test_plain_values_pass_the_context_check():
    assert check_plain_context({
        "text": "文本", "count": 3, "ratio": 0.5, "score": Decimal("72.1"), "passed": True, "none": None,
        "day": date(2026, 1, 1), "at": datetime(2026, 1, 1, 9, 30), "raw": b"\x00",
        "rows": [{"rank": 1, "names": ("甲", "乙")}], "by_id": {1: "x"},
    }) is None  # no TypeError


def test_render_works_inside_a_request_too(app):
    with app.test_request_context("/"):
        pdf = render_pdf("pdf/training_completion.html", completion_context(id_number=None))
    assert RARE_NAME in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_importing_the_module_does_not_import_weasyprint():
    code = "import sys, lrc_training.core.pdf; assert 'weasyprint' not in sys.modules"
    # A fresh interpreter: in this one the other tests have imported WeasyPrint already. Fixed argv.
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],  # noqa: S603
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
