"""PDF rendering: the one way every area turns a template into a PDF.

`render_pdf("pdf/....html", context)` renders a Jinja template with the app's environment, then WeasyPrint turns
the HTML into PDF bytes. Two rules keep PDFs reproducible and safe:

* The context holds plain values only (no ORM objects), so a template can't lazy-load rows or reach relations
  the caller didn't mean to show, and the same context can be built in a view, a job or a test.
* WeasyPrint fetches nothing but our own static files and `data:` URIs. Templates refer to static files as
  `/static/...`; the document's base URL is a fake host (`STATIC_BASE_URL`) that the fetcher maps onto the app's
  static folder. Anything else (http, file://, other hosts, a missing file) stops the render with
  `PdfRenderError`, so a broken font or image never silently yields a different-looking PDF.

The fonts are bundled in `static/fonts/` and declared in `pdf/base.html`, which every PDF template extends.
WeasyPrint is imported on first use: the web app must start on machines without Pango.
"""

from __future__ import annotations

import functools
import mimetypes
import threading
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from werkzeug.security import safe_join

STATIC_HOST = "lrc-static.invalid"  # .invalid can never resolve (RFC 2606), so nothing can leak to a real host
STATIC_BASE_URL = f"https://{STATIC_HOST}/"

# datetime is a subclass of date, bool of int.
PLAIN_TYPES: tuple[type, ...] = (str, int, float, Decimal, date, bytes, type(None))


class PdfRenderError(RuntimeError):
    """A PDF template referred to a resource that may not or could not be loaded."""


class ResourceRefused(ValueError):
    """The URL fetcher will not serve this URL."""


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render `template_name` with `context` (plain values only) and return the PDF.

    Raises TypeError when the context holds anything but plain values, PdfRenderError when the template refers to
    a resource other than our static files or a data: URI. Needs an app context, not a request.
    """
    check_plain_context(context)
    html = render_template(template_name, **context)
    return _html_to_pdf(html, source=template_name)


_local = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread: the bundled fonts are read and registered once, not on
    every render (about a third of a single certificate's render time). Per thread, because Pango and
    Fontconfig are not documented as thread-safe."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def _html_to_pdf(html: str, *, source: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(current_app.static_folder, current_app.static_url_path)
    try:
        return HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).write_pdf(font_config=_font_config())
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: turn it into an ordinary error
        reason = f"{exc}: {exc.__cause__}" if exc.__cause__ else str(exc)
        raise PdfRenderError(f"{source}: {reason}") from exc.__cause__


def render_pdf_pages(template_name: str, context: Mapping[str, Any]) -> list[bytes]:
    """Render once, then write each page as its own PDF (a batch of certificates → one file each).
    Layout and fonts are loaded once for the whole document."""
    check_plain_context(context)
    html = render_template(template_name, **context)
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(current_app.static_folder, current_app.static_url_path)
    try:
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(font_config=_font_config())
        return [document.copy([page]).write_pdf() for page in document.pages]
    except FatalURLFetchingError as exc:
        reason = f"{exc}: {exc.__cause__}" if exc.__cause__ else str(exc)
        raise PdfRenderError(f"{template_name}: {reason}") from exc.__cause__


def check_plain_context(context: Mapping[str, Any]) -> None:
    """Raise TypeError naming the first key whose value is not a plain value (checked recursively)."""
    if not isinstance(context, Mapping):
        raise TypeError(f"PDF context must be a mapping, not {type(context).__name__}")
    for key, value in context.items():
        if not isinstance(key, str):
            raise TypeError(f"PDF context keys must be str, got {key!r}")
        _check_plain(value, key)


def _check_plain(value: Any, path: str) -> None:
    if isinstance(value, PLAIN_TYPES):
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int):
                raise TypeError(f"PDF context {path!r} has a non-plain key {key!r}")
            _check_plain(item, f"{path}[{key!r}]")
        return
    raise TypeError(
        f"PDF context {path!r} is a {type(value).__module__}.{type(value).__qualname__}; "
        "pass plain values (str, numbers, Decimal, dates, bytes, None, and lists/dicts of them), "
        "not ORM or other objects"
    )


def resolve_resource(
    url: str, static_folder: str | Path | None, static_url_path: str | None = "/static"
) -> tuple[bytes, str]:
    """Return (body, content type) for a URL WeasyPrint asks for, or raise ResourceRefused.

    Serves `data:` URIs and `STATIC_BASE_URL` + `static/<path>` from `static_folder`; refuses everything else.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _decode_data_uri(url)
    parts = urlsplit(url)
    prefix = (static_url_path or "").rstrip("/") + "/"
    is_static = parts.scheme == "https" and parts.netloc == STATIC_HOST and parts.path.startswith(prefix)
    if not (static_folder and is_static):
        raise ResourceRefused(f"refused {_short(url)}: PDFs may only use our static files and data: URIs")
    relative = unquote(parts.path[len(prefix):])
    joined = safe_join(str(static_folder), relative) if relative else None
    if joined is None:
        raise ResourceRefused(f"refused {_short(url)}: not a path inside the static folder")
    root = Path(static_folder).resolve()
    path = Path(joined).resolve()
    if not path.is_relative_to(root):  # a symlink pointing out of static/
        raise ResourceRefused(f"refused {_short(url)}: resolves outside the static folder")
    if not path.is_file():
        raise ResourceRefused(f"static file not found: {relative}")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.read_bytes(), content_type


def _decode_data_uri(url: str) -> tuple[bytes, str]:
    from urllib.request import DataHandler, Request

    try:
        # Only data: URLs reach here; DataHandler decodes them in memory and never opens a connection.
        response = DataHandler().data_open(Request(url))  # noqa: S310
    except ValueError as exc:
        raise ResourceRefused(f"malformed data: URI ({exc})") from exc
    return response.read(), response.headers.get_content_type()


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


@functools.cache
def _fetcher_class() -> type:
    """WeasyPrint's documented extension point is a URLFetcher subclass; built on first use (lazy import)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self, static_folder: str | None, static_url_path: str | None) -> None:
            # fail_on_errors: any refused or missing resource stops the render instead of a logged warning.
            super().__init__(fail_on_errors=True, allowed_protocols=("https", "data"))
            self.static_folder = static_folder
            self.static_url_path = static_url_path

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            # Never delegate to URLFetcher.fetch: that is urllib with network and file:// handlers.
            body, content_type = resolve_resource(url, self.static_folder, self.static_url_path)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyFetcher
