"""Public verification by number + name, or by the signed token a certificate's QR code carries."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from ...auth.services.identity import mask_name
from ...extensions import db
from ..models import Certificate
from .issuing import find_by_number
from .numbering import LEVEL_NUMBER_RE

_SALT = "lrc-certificate-qr"


@dataclass(frozen=True)
class VerificationResult:
    number: str
    status: str  # valid / revoked
    holder: str  # masked
    kind: str
    occupation: str
    level: str | None
    award: str | None
    event_title: str | None
    issued_on: str
    issuer: str
    revoke_reason: str | None
    replaced_by: str | None

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    def as_json(self) -> dict:
        return {"valid": self.valid, "status": self.status, "holder": self.holder, "number": self.number,
                "kind": self.kind, "occupation": self.occupation, "level": self.level, "award": self.award,
                "event_title": self.event_title, "issued_on": self.issued_on, "issuer": self.issuer,
                "replaced_by": self.replaced_by}


def _result(cert: Certificate) -> VerificationResult:
    return VerificationResult(
        number=cert.number, status=cert.status, holder=mask_name(cert.holder_name), kind=cert.kind_label,
        occupation=cert.occupation, level=cert.level_label or None, award=cert.award, event_title=cert.event_title,
        issued_on=cert.issued_on.isoformat(), issuer=cert.issuer_name,
        revoke_reason="已撤销" if cert.status == "revoked" else None,
        replaced_by=cert.replaced_by.number if cert.replaced_by else None)


# Dashes people (and input methods) type instead of the ASCII hyphen; NFKC already turns the full-width one into "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


def normalize_number(raw: str | None) -> str:
    """A number as typed or pasted, made comparable: full-width characters to ASCII (NFKC), every kind of dash to
    "-", spaces (also full-width and line breaks) removed, upper case: "ｓ０００ 0-37…" → "S0000-37…"."""
    text = unicodedata.normalize("NFKC", raw or "").translate(_DASHES)
    return "".join(text.split()).upper()


def find_for_verification(raw: str | None) -> Certificate | None:
    """The certificate a typed number means. Level numbers have no hyphens, so hyphens typed for readability are
    dropped; award numbers may carry their own (2026SDLRC-0001), so for them the hyphens are compared loosely."""
    number = normalize_number(raw)
    compact = number.replace("-", "")
    if not compact or len(number) > 60:
        return None
    cert = find_by_number(number) or (find_by_number(compact) if compact != number else None)
    if cert is None and not LEVEL_NUMBER_RE.match(compact):
        cert = db.session.execute(select(Certificate).where(
            Certificate.kind == "award", func.replace(Certificate.number, "-", "") == compact)
            .order_by(Certificate.id).limit(1)).scalar_one_or_none()
    return cert


def _same_name(typed: str | None, holder: str) -> bool:
    return unicodedata.normalize("NFKC", typed or "").strip() == unicodedata.normalize("NFKC", holder or "")


def verify(number: str, name: str) -> VerificationResult | None:
    """The certificate if number and holder name both match; None otherwise (never says which one failed)."""
    cert = find_for_verification(number)
    if cert is None or not _same_name(name, cert.holder_name):
        return None
    return _result(cert)


def _serializer() -> URLSafeSerializer:
    """Signs with LRC_QR_KEY (SECRET_KEY when unset); verifies with it and every key in LRC_QR_OLD_KEYS, so a
    rotation never voids a printed certificate."""
    config = current_app.config
    current = config.get("LRC_QR_KEY") or config["SECRET_KEY"]
    old = [k.strip() for k in (config.get("LRC_QR_OLD_KEYS") or "").split(",") if k.strip()]
    return URLSafeSerializer([*old, current], salt=_SALT)  # itsdangerous signs with the last, accepts any


def qr_token(cert: Certificate) -> str:
    """A signed token naming the certificate; a forged or altered token does not verify."""
    return _serializer().dumps({"n": cert.number})


def verify_token(token: str) -> VerificationResult | None:
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    cert = find_by_number(payload.get("n", "")) if isinstance(payload, dict) else None
    return _result(cert) if cert is not None else None


def qr_url(cert: Certificate) -> str:
    """The absolute URL a certificate's QR code opens: LRC_PUBLIC_URL, else the current request's host
    (background jobs need LRC_PUBLIC_URL)."""
    base = current_app.config.get("LRC_PUBLIC_URL") or (request.host_url if has_request_context() else "")
    return (base or "http://127.0.0.1:5000/").rstrip("/") + f"/verify/q/{qr_token(cert)}"


def short_verify_url(number: str) -> str | None:
    """`https://<public host>/v/<number>`, short enough to type from paper, when LRC_PUBLIC_URL is set; None
    otherwise (a certificate must not print a development or internal address)."""
    base = (current_app.config.get("LRC_PUBLIC_URL") or "").strip().rstrip("/")
    return f"{base}/v/{number}" if base else None
