"""Uploaded images (certificate seals, holders' photos) checked from their header before anything decodes them:
a small PNG can declare 20000×20000 pixels and decompress to gigabytes (Pillow's DecompressionBombError, a 500)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from .errors import ValidationFailed

# A seal prints 40 mm wide and a photo 1 inch: a phone photo (4000×3000) is the largest anyone needs.
MAX_SIDE = 6000
MAX_PIXELS = 24_000_000


def check_image(data: bytes, field: str, formats: tuple[str, ...] = ("PNG", "JPEG")) -> str:
    """The image's format (one of `formats`) after checking its declared size and its integrity; otherwise a
    ValidationFailed naming `field`, in Chinese."""
    def refuse(reason: str):
        return ValidationFailed(reason, {field: reason})

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(f"图片尺寸过大，长边不能超过 {MAX_SIDE} 像素") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refuse("文件不是有效的图片") from None
    width, height = image.size
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise refuse(f"图片尺寸过大（{width}×{height} 像素），长边不能超过 {MAX_SIDE} 像素")
    if image.format not in formats:
        raise refuse("只支持 " + " 或 ".join("JPG" if f == "JPEG" else f for f in formats) + " 图片")
    try:
        image.verify()  # checksums and structure, still without keeping the pixels
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a corrupt file
        raise refuse("文件不是有效的图片") from None
    return image.format
