"""The issuing organization's electronic seal (电子印章): no certificate is issued without one.

A certificate without a seal is not an official document, so issuing (every path: exam sessions, competitions,
promotions, imports, approved manual requests, reissues) refuses with a 422 naming the field `seal` and saying
where staff set it: 证书管理 → 证书设置 (`/certificates/settings`)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from ...auth.models import Organization
from ...core.errors import ValidationFailed
from ...core.storage import new_key, storage
from .numbering import EffectiveSettings, settings_for, update_settings

SETTINGS_PATH = "/certificates/settings"
WHERE_TO_SET = f"请本机构工作人员在“证书管理 → 证书设置”（{SETTINGS_PATH}）上传电子印章后再签发"


class SealMissing(ValidationFailed):
    code = "seal_missing"

    def __init__(self, org_name: str):
        reason = f"{org_name}尚未设置电子印章，不能签发证书。{WHERE_TO_SET}。"
        super().__init__(reason, {"seal": reason})


def require_seal(org: Organization, settings: EffectiveSettings) -> None:
    """Refuse to issue for an organization whose settings name no seal image."""
    if not settings.seal_file:
        raise SealMissing(settings.registered_name or org.name)


def drawn_seal_png(size: int = 400) -> bytes:
    """A plain red round seal (ring and star) as a transparent PNG: the demo data's and the tests' seal. A real
    organization uploads a scan of its own."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 16, 230)
    ring = size // 25
    draw.ellipse((ring, ring, size - ring, size - ring), outline=red, width=ring)
    centre, outer = size / 2, size * 0.16
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else outer * 0.4
        angle = math.pi / 2 + i * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def ensure_drawn_seal(org: Organization) -> None:
    """Give an organization without a seal the drawn one (demo data only: a real organization uploads its own)."""
    current = settings_for(org)
    if current.seal_file:
        return
    key = new_key("seals", "png")
    storage().put(key, drawn_seal_png(), "image/png")
    update_settings(org, type_letter=current.type_letter, org_code=current.org_code,
                    province_code=current.province_code, site_code=current.site_code,
                    registered_name=current.registered_name, signatory=current.signatory,
                    seal_file=key.split("/", 1)[1])
