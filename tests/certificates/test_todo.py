"""The home page's certificate to-dos: the holder's new certificate to download, a colleague's manual request to
approve (never one's own), a finished batch for the staff member who started it — nobody else's."""

from __future__ import annotations

from datetime import date, timedelta

from lrc_training.certificates.models import Certificate, CertificateBatch
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.certificates.todo import SHOWN
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.certificates.test_manual_certificates import ask
from tests.certificates.test_manual_certificates import world as world  # noqa: F401  (the fixture)
from tests.conftest import login
from tests.factories import make_user
from tests.home import todo_section


def signed_in(client, username):
    other = client.application.test_client()
    login(other, username)
    return other


def issue(org, holder, level=3, days_ago=0) -> Certificate:
    cert, _created = issue_certificate(IssueRequest(kind="level", holder_name=holder.name, holder_user_id=holder.id,
                                                    issuer_organization_id=org.id, source_type="manual", level=level,
                                                    issued_on=date(2025, 6, 30)))
    cert.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return cert


def test_a_new_certificate_is_offered_for_download_to_its_holder_only(client, world):
    new = issue(world["center"], world["holder"])
    old = issue(world["center"], world["holder"], level=4, days_ago=60)
    make_user("trainee", username="someone")
    html = todo_section(signed_in(client, "holder"))
    assert "新证书可下载" in html and f'href="/certificates/{new.number}.pdf"' in html and ">下载</a>" in html
    assert "三级/高级工证书" in html and old.number not in html
    assert todo_section(signed_in(client, "someone")) == ""


def test_only_a_colleague_is_asked_to_approve_a_manual_request(client, world):
    assert ask(client, world).status_code == 201
    html = todo_section(signed_in(client, "checker"))
    assert "复核手工发证申请" in html and "同事提交的 1 份申请待您复核" in html
    assert 'href="/certificates/manual?status=pending_approval"' in html
    for username in ("clerk", "elsewhere", "hr"):
        assert "复核手工发证申请" not in todo_section(signed_in(client, username))


def test_a_finished_batch_is_offered_to_whoever_started_it(client, world):
    clerk = db.session.query(type(world["holder"])).filter_by(username="clerk").one()
    batch = CertificateBatch(organization_id=world["center"].id, source_type="manual", title="2026 年第一批",
                             format="zip", status="done", total=12, done=12, created_by_id=clerk.id,
                             finished_at=utcnow())
    db.session.add(batch)
    db.session.commit()
    html = todo_section(signed_in(client, "clerk"))
    assert "证书批量文件已生成" in html and "2026 年第一批 · 12 张 · ZIP" in html
    assert f'href="/certificates/batches/{batch.id}/download"' in html
    assert "证书批量文件" not in todo_section(signed_in(client, "checker"))


def test_the_holders_home_shows_at_most_a_few_certificates_in_constant_queries(client, world, count_queries):
    issue(world["center"], world["holder"])
    holder = signed_in(client, "holder")
    with count_queries() as one:
        todo_section(holder)
    for _ in range(SHOWN + 2):
        issue(world["center"], world["holder"], level=4)
    with count_queries() as many:
        assert todo_section(holder).count("新证书可下载") == SHOWN
    assert many.count == one.count
