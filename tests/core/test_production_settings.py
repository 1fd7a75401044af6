"""Production refuses to start half-configured, naming every missing piece; QR tokens have their own rotatable key;
mail can be switched off explicitly (and then nothing pretends to be sent)."""

from __future__ import annotations

import pytest

from lrc_training import create_app
from lrc_training.core.production import production_problems

SAFE = {"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "LRC_AUDIT_KEY": "a" * 40, "LRC_QR_KEY": "q" * 40,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://lrc@db.internal/lrc",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13", "LRC_SMTP_HOST": "smtp.internal",
        "LRC_PUBLIC_URL": "https://lrc.hrss.example.gov.cn"}


def test_a_complete_production_configuration_starts():
    app = create_app(dict(SAFE))
    assert app.config["ENV_NAME"] == "production"


@pytest.mark.parametrize(("change", "named"), [
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "PostgreSQL"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "LRC_RATELIMIT_STORAGE_URI"),
    ({"LRC_SMTP_HOST": ""}, "LRC_MAIL_OFF"),
    ({"LRC_PUBLIC_URL": ""}, "LRC_PUBLIC_URL"),
    ({"LRC_PUBLIC_URL": "http://127.0.0.1:5000"}, "LRC_PUBLIC_URL"),
    ({"LRC_QR_KEY": ""}, "LRC_QR_KEY"),
    ({"LRC_QR_KEY": "s" * 40}, "LRC_QR_KEY"),  # the same as SECRET_KEY: rotating one voids the other
])
def test_production_refuses_each_unsafe_setting_by_name(change, named):
    with pytest.raises(RuntimeError, match=named):
        create_app({**SAFE, **change})


def test_mail_off_is_an_explicit_choice_and_every_problem_is_listed_at_once():
    assert production_problems({**SAFE, "LRC_SMTP_HOST": "", "LRC_MAIL_OFF": True}) == []
    everything_missing = production_problems({"ENV_NAME": "production"})
    assert len(everything_missing) == 5


def test_qr_tokens_survive_a_key_rotation(app):
    from lrc_training.certificates.services.verification import _serializer

    app.config["LRC_QR_KEY"] = "old-qr-key-" + "o" * 30
    with app.test_request_context():
        token = _serializer().dumps({"n": "S000037150001263000001"})
    app.config.update(LRC_QR_KEY="new-qr-key-" + "n" * 30, LRC_QR_OLD_KEYS="old-qr-key-" + "o" * 30)
    try:
        with app.test_request_context():
            assert _serializer().loads(token) == {"n": "S000037150001263000001"}
        app.config["LRC_QR_OLD_KEYS"] = ""
        from itsdangerous import BadSignature

        with app.test_request_context(), pytest.raises(BadSignature):
            _serializer().loads(token)  # without the old key, the old token is void: the list is what keeps it
    finally:
        app.config.update(LRC_QR_KEY="", LRC_QR_OLD_KEYS="")


def test_mail_off_skips_copies_instead_of_pretending_to_send(app):
    from lrc_training.core.mail import send_pending_emails
    from lrc_training.core.notifications import notify
    from lrc_training.extensions import db
    from tests.factories import make_user

    user = make_user("trainee", username="mailoff")
    user.email = "mailoff@example.test"
    note = notify(user.id, "通知", "正文")
    db.session.commit()
    app.config["LRC_MAIL_OFF"] = True
    try:
        assert send_pending_emails() == 0
    finally:
        app.config["LRC_MAIL_OFF"] = False
    db.session.refresh(note)
    assert note.email_status == "skipped" and "LRC_MAIL_OFF" in note.email_error
