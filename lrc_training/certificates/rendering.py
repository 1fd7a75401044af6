"""Certificate PDFs through the core PDF helper: one certificate, or many in one document (batches)."""

from __future__ import annotations

import base64
from pathlib import Path

import segno
from flask import current_app

from ..core.pdf import render_pdf
from .models import Certificate
from .numbering import settings_for
from .verification import qr_url

TEMPLATE = "pdf/certificates.html"  # any mix of level and award certificates, one per page


def image_data_uri(path: Path) -> str | None:
    if not path.exists():
        return None
    mime = "image/png" if path.suffix == ".png" else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


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
        "seal": image_data_uri(seal_path(settings.seal_file)) if settings.seal_file else None,
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
