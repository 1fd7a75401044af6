"""Certificate PDFs through the core PDF helper: one certificate, or many in one document (batches)."""

from __future__ import annotations

import base64
import functools
import io

import segno
from PIL import Image

from ...auth.services.photos import approved_photo_files
from ...core.pdf import render_pdf
from ...core.storage import storage
from ..models import Certificate
from .numbering import settings_for
from .verification import qr_url, short_verify_url

TEMPLATE = "pdf/certificates.html"  # any mix of level and award certificates, one per page
SEAL_MAX_PIXELS = 600  # the seal prints 40 mm wide: 600 px is 380 dpi


def _data_uri(name: str, data: bytes) -> str:
    mime = "image/png" if name.endswith(".png") else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def photo_data_uri(file_name: str) -> str:
    """The holder's photo from the platform's storage; a photo the record names but storage lacks is an error
    (FileMissing), never a silently empty photo box."""
    return _data_uri(file_name, storage().get(f"photos/{file_name}"))


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


def seal_data_uri(file_name: str) -> str | None:
    """The organization's seal as a PNG data: URI, at most SEAL_MAX_PIXELS on a side.

    Built once per file and reused for every certificate (the file name is random per upload, so a new seal is a
    new name): an uploaded seal may be a 2 MB scan, and WeasyPrint re-encodes every image it writes, once per page
    in the per-certificate (ZIP) path. A seal the settings name but storage lacks raises FileMissing: a
    certificate never prints without its seal."""
    return _normalized_seal(_storage_id(), file_name)


def _storage_id() -> int:
    return id(storage())  # the cache is per storage (tests run several apps in one process)


@functools.lru_cache(maxsize=16)
def _normalized_seal(_storage: int, file_name: str) -> str:
    data = storage().get(f"seals/{file_name}")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if max(image.size) <= SEAL_MAX_PIXELS and image.format == "PNG":
                return _data_uri(file_name, data)
            seal = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return _data_uri(file_name, data)  # let WeasyPrint report an unreadable image
    seal.thumbnail((SEAL_MAX_PIXELS, SEAL_MAX_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    seal.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def certificate_context(cert: Certificate, holder_photos: dict[int, str] | None = None) -> dict:
    """Plain values for the certificate templates. The photo is the one taken when the certificate was issued,
    else the holder's approved photo now (`holder_photos`, loaded for many certificates at once), else none: the
    box prints empty with 照片 in it. Never a photo staff have not approved."""
    settings = settings_for(cert.issuer)
    url = qr_url(cert)
    if holder_photos is None:
        holder_photos = approved_photo_files([cert.holder_user_id]) if not cert.photo_file else {}
    photo = cert.photo_file or holder_photos.get(cert.holder_user_id)
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
        "photo": photo_data_uri(photo) if photo else None,
        "seal": seal_data_uri(settings.seal_file) if settings.seal_file else None,
        "qr_code": qr_data_uri(url),
        "verify_url": url,
        "short_url": short_verify_url(cert.number),  # printed under the QR only when the public URL is set
    }


def certificate_contexts(certs: list[Certificate]) -> list[dict]:
    """Contexts of many certificates with the holders' current photos read in one query."""
    photos = approved_photo_files(c.holder_user_id for c in certs if not c.photo_file)
    return [certificate_context(c, photos) for c in certs]


def render_certificate(cert: Certificate) -> bytes:
    return render_pdf(TEMPLATE, {"certificates": [certificate_context(cert)]})


def render_certificates(certs: list[Certificate]) -> bytes:
    """Many certificates in one PDF, one per page: fonts load once per document, not once per certificate."""
    return render_pdf(TEMPLATE, {"certificates": certificate_contexts(certs)})


def render_contexts(contexts: list[dict]) -> bytes:
    return render_pdf(TEMPLATE, {"certificates": contexts})
