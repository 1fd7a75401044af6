"""The signing key: the public development key runs only when development is asked for by name, and production
refuses to start with a missing, short or public key (anyone holding the key can forge sessions and the QR tokens
that /verify/q/... accepts). Personal documents are sent with Cache-Control: no-store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from itsdangerous import URLSafeSerializer

from lrc_training import configure
from lrc_training.config import DEVELOPMENT_SECRET_KEY
from tests.conftest import login
from tests.factories import make_org, make_user

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3Yq-9xV2mT7pL0sR4wZ8nB1cD6fG5hJ"  # 32 characters, in no public list
AUDIT_KEY = "a-separate-audit-key-0123456789abcdef"  # production also needs its own audit key
# …and the rest production insists on (tests/core/test_production_settings.py tries each one missing)
PRODUCTION = {"LRC_AUDIT_KEY": AUDIT_KEY, "LRC_QR_KEY": "q" * 40, "LRC_SMTP_HOST": "smtp.internal",
              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://lrc@db.internal/lrc",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "LRC_PUBLIC_URL": "https://lrc.example.gov.cn"}


def bare_app() -> Flask:
    return Flask("probe", instance_path=os.environ["LRC_INSTANCE_PATH"])


@pytest.mark.parametrize(("env", "key", "problem"), [
    (None, None, "SECRET_KEY is not set"),
    (None, DEVELOPMENT_SECRET_KEY, "publicly known"),  # the attack: LRC_ENV unset used to mean development
    ("production", "test-secret", "publicly known"),
    ("production", "short-but-private-1234", "shorter than 32"),
])
def test_outside_development_a_missing_short_or_public_key_refuses_to_start(monkeypatch, env, key, problem):
    monkeypatch.delenv("LRC_ENV", raising=False)
    if env:
        monkeypatch.setenv("LRC_ENV", env)
    with pytest.raises(RuntimeError, match=problem) as failure:
        configure(bare_app(), {"SECRET_KEY": key})
    assert "LRC_ENV=development" in str(failure.value)  # the message says how to run locally


def test_a_private_key_starts_production_and_development_must_be_named(monkeypatch):
    monkeypatch.setenv("LRC_ENV", "production")
    app = bare_app()
    configure(app, {"SECRET_KEY": GOOD_KEY, **PRODUCTION})
    assert app.config["ENV_NAME"] == "production" and app.config["SESSION_COOKIE_SECURE"]
    monkeypatch.setenv("LRC_ENV", "development")
    dev = bare_app()
    configure(dev, {"SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert dev.config["ENV_NAME"] == "development"
    with pytest.raises(RuntimeError, match="LRC_TRUSTED_NETWORKS"):
        configure(bare_app(), {"SECRET_KEY": GOOD_KEY, **PRODUCTION,
                               "LRC_TRUSTED_NETWORKS": "10.20.0.0/16, exam-hall"})
    monkeypatch.setenv("LRC_ENV", "staging")
    with pytest.raises(RuntimeError, match="not one of"):
        configure(bare_app(), {"SECRET_KEY": GOOD_KEY})


def test_wsgi_without_lrc_env_refuses_to_start_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("LRC_ENV", "SECRET_KEY")}
    env.update(LRC_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "LRC_ENV=development" in result.stderr
    env["LRC_ENV"] = "development"
    started = subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.config['ENV_NAME'])"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr[-500:]
    assert started.stdout.strip() == "development"


@pytest.fixture
def certificate():
    from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
    from lrc_training.extensions import db

    org = make_org("山东省劳动关系协调员职业技能等级认定中心", kind="evaluator", region_code="370000")
    holder = make_user("trainee", username="doc_holder", name="陈晓燕")
    cert, _ = issue_certificate(IssueRequest(kind="level", holder_name="陈晓燕", issuer_organization_id=org.id,
                                             source_type="manual", level=3, id_number=holder.id_number))
    db.session.commit()
    return cert


def test_a_qr_token_minted_with_the_development_key_is_refused_where_another_key_signs(client, certificate):
    """What the attacker does with the key from the repository: sign a QR payload for a real certificate number.
    Any deployment not named development now runs with its own key, so /verify/q/... refuses the forgery."""
    from lrc_training.certificates.services.verification import qr_token

    forged = URLSafeSerializer(DEVELOPMENT_SECRET_KEY, salt="lrc-certificate-qr").dumps({"n": certificate.number})
    assert client.get(f"/verify/q/{forged}").status_code == 404
    assert client.get(f"/verify/q/{qr_token(certificate)}").status_code == 200


def test_personal_documents_are_not_stored_by_browsers_or_proxies(client, certificate):
    make_user("admin", username="doc_admin")
    login(client, "doc_admin")
    pdf = client.get(f"/certificates/{certificate.number}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"  # send_file's default was no-cache
    assert client.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"  # static files still cache
