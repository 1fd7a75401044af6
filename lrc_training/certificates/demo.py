"""Demo certificates held before the platform was used: two demo trainees hold level certificates that 聊城 evaluator
issued months ago (recorded as imported), so the registry and the trainees' pages have something to show. The
certificates that exams and competitions issue come from their own demo data."""

from __future__ import annotations

from datetime import date, timedelta

from .services.issuing import IssueRequest, issue_certificate
from .services.seals import ensure_drawn_seal

# (username, level, issued this many days ago)
HELD = (("trainee2", 4, 95), ("trainee3", 3, 240))


def seed_certificates(users: dict, orgs: list) -> None:
    evaluator = orgs[0]
    ensure_drawn_seal(evaluator)  # certificates are never issued without the issuer's seal
    today = date.today()
    for username, level, days_ago in HELD:
        person = users[username]
        issue_certificate(IssueRequest(
            kind="level", holder_name=person.name, holder_user_id=person.id, id_number=person.id_number,
            issuer_organization_id=evaluator.id, level=level, source_type="import", source_id="demo",
            source_key=f"demo:{username}", issued_on=today - timedelta(days=days_ago)))
