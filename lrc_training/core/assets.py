"""Static file URLs carry a version (`/static/css/app.css?v=1a2b3c4d`, a hash of the file's content), so nginx can
let browsers cache them for a year and an upgrade still reaches everyone at once: changed files get new URLs. Where
the app serves them itself (no nginx in front, `make run`), a request naming the file's current version is
answered as cacheable for a year too, so a browser does not ask again on every page."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _content_hash(path: str, mtime_ns: int) -> str:  # mtime in the key: a file edited in development is re-read
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()[:10]


def static_version(folder: str, filename: str) -> str | None:
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return _content_hash(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=512)
def _deployed_version(folder: str, filename: str) -> str | None:
    return static_version(folder, filename)


def register_static_versions(app: Flask) -> None:
    """A deployment's files do not change while it runs, so each file's version is worked out once per process (a
    page names a dozen static files: four system calls each, on every request, otherwise); in development an
    edited file gets its new version at once."""
    editing = app.debug or app.config.get("ENV_NAME") == "development"
    version_of = static_version if editing else _deployed_version

    @app.url_defaults
    def version_static_urls(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values and app.static_folder:
            version = version_of(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_static_files(response):
        version = request.args.get("v")
        if (request.endpoint == "static" and response.status_code == 200 and version and app.static_folder
                and version == version_of(app.static_folder, request.view_args.get("filename", ""))):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.no_cache = None
            response.cache_control.immutable = True
        return response
