"""Safe file names for downloads and archive entries built from user-typed text (a holder's name, a course title).

Chinese and other letters stay; path separators, runs of dots, control and bidirectional-override characters and the characters
Windows refuses become "_"; leading dots and trailing dots or spaces go; Windows device names (CON, NUL, COM1 …)
get a prefix; names are capped in length with the extension kept. `UniqueNames` adds " (2)", " (3)" … so two
entries of one archive never share a name.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 8 and ext.isascii() and ext.isalnum():
        return stem, "." + ext
    return name, ""


def safe_filename(name: str | None, *, default: str = "文件", max_length: int = 120) -> str:
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\.{2,}", "_", text)  # no ".." left to look like a parent folder
    text = re.sub(r"_{2,}", "_", text).strip(" .")
    if not text.strip("_"):
        text = default
    stem, ext = _split_extension(text)
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = "_" + stem
    stem = stem[: max(1, max_length - len(ext))].rstrip(" .") or default
    return stem + ext


class UniqueNames:
    """Hands out each safe name once (compared case-insensitively, as Windows and macOS do)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, name: str | None, **kwargs) -> str:
        candidate = safe_filename(name, **kwargs)
        stem, ext = _split_extension(candidate)
        number = 1
        while candidate.casefold() in self._used:
            number += 1
            candidate = f"{stem} ({number}){ext}"
        self._used.add(candidate.casefold())
        return candidate
