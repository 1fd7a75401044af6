"""Certificate PDFs through the core PDF helper: one certificate, or many in one document (batches)."""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

import segno
from flask import current_app
from PIL import Image

from ..core.pdf import render_pdf
from .models import Certificate
from .numbering import settings_for
from .verification import qr_url

TEMPLATE = "pdf/certificates.html"  # any mix of level and award certificates, one per page
SEAL_MAX_PIXELS = 600  # the seal prints 40 mm wide: 600 px is 380 dpi


def image_data_uri(path: Path) -> str | None:
    if not path.exists():
        return None
    mime = "image/png" if path.suffix == ".png" else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


def seal_data_uri(file_name: str) -> str | None:
    """The organization's seal as a PNG data: URI, at most SEAL_MAX_PIXELS on a side.

    Built once per file and reused for every certificate (the file name is random per upload, size and mtime
    guard against a replaced file): an uploaded seal may be a 2 MB scan, and WeasyPrint re-encodes every image
    it writes, once per page in the per-certificate (ZIP) path."""
    path = seal_path(file_name)
    try:
        stat = path.stat()
    except OSError:
        return None
    return _normalized_seal(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _normalized_seal(path: str, _mtime_ns: int, _size: int) -> str | None:
    try:
        with Image.open(path) as image:
            image.load()
            if max(image.size) <= SEAL_MAX_PIXELS and image.format == "PNG":
                return image_data_uri(Path(path))
            seal = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return image_data_uri(Path(path))  # let WeasyPrint report an unreadable image
    seal.thumbnail((SEAL_MAX_PIXELS, SEAL_MAX_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    seal.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def seal_path(file_name: str) -> Path:
    return Path(current_app.instance_path) / "seals" / file_name


def photo_path(file_name: str) -> Path:
    return Path(current_app.instance_path) / "photos" / file_name


def certificate_context(cert: Certificate) -> dict:
    """Plain values for the certificate templates."""
    settings = settings_for(cert.issuer)
    url = qr_url(cert)
    return {
        "kind": cert.kind,
        "number": cert.number,
        "holder_name": cert.holder_name,
        "id_type": cert.id_type,
        "id_number": cert.id_number or "",
        "occupation": cert.occupation,
        "job_direction": cert.job_direction or "--",
        "level": cert.level,
        "level_label": cert.level_label,
        "award": cert.award or "",
        "event_title": cert.event_title or "",
        "rank": cert.rank,
        "issuer_name": cert.issuer_name,
        "signatory": cert.signatory or "",
        "issued_on": cert.issued_on,
        "status": cert.status,
        "photo": image_data_uri(photo_path(cert.photo_file)) if cert.photo_file else None,
        "seal": seal_data_uri(settings.seal_file) if settings.seal_file else None,
        "qr_code": qr_data_uri(url),
        "verify_url": url,
    }


def render_certificate(cert: Certificate) -> bytes:
    return render_pdf(TEMPLATE, {"certificates": [certificate_context(cert)]})


def render_certificates(certs: list[Certificate]) -> bytes:
    """Many certificates in one PDF, one per page: fonts load once per document, not once per certificate."""
    return render_pdf(TEMPLATE, {"certificates": [certificate_context(c) for c in certs]})


def render_contexts(contexts: list[dict]) -> bytes:
    return render_pdf(TEMPLATE, {"certificates": contexts})
