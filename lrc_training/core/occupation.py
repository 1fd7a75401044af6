"""The names the platform prints, as settings: the occupation (劳动关系协调师, code 4-07-03-02 in the 2022
national occupational classification) for standards, courses, exams, certificates and competitions, and the
workforce (劳动关系协调员) for the registry (劳动关系协调员信息库). Code reads them here; templates get them as
`occupation_name`, `workforce_name`, `occupation_code` and `site_name` (core/templating.py)."""

from __future__ import annotations

from flask import current_app

DEFAULT_OCCUPATION_NAME = "劳动关系协调师"
DEFAULT_WORKFORCE_NAME = "劳动关系协调员"
DEFAULT_OCCUPATION_CODE = "4-07-03-02"


def occupation_name() -> str:
    return current_app.config.get("LRC_OCCUPATION_NAME") or DEFAULT_OCCUPATION_NAME


def workforce_name() -> str:
    return current_app.config.get("LRC_WORKFORCE_NAME") or DEFAULT_WORKFORCE_NAME


def occupation_code() -> str:
    return current_app.config.get("LRC_OCCUPATION_CODE") or DEFAULT_OCCUPATION_CODE


def site_name() -> str:
    """The platform's name (page titles, e-mails): a training and certification platform for the occupation."""
    return f"{occupation_name()}培训认证平台"


def template_names() -> dict[str, str]:
    return {"occupation_name": occupation_name(), "workforce_name": workforce_name(),
            "occupation_code": occupation_code(), "site_name": site_name()}
