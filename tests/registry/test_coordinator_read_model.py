"""The coordinator read model follows every change to who is a coordinator and where they count, in the same
transaction: issuing, revoking and moving certificates, registry records, a person's organization or ID number, an
organization's region or kind; bulk statements and the nightly rebuild re-derive it; and the rebuilt table equals the
one kept in step."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from lrc_training.auth.models import Organization, User
from lrc_training.certificates.models import Certificate
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.models import Coordinator, RegistryEntry
from lrc_training.registry.services.access import Access
from lrc_training.registry.services.coordinators import rebuild
from lrc_training.registry.services.statistics import statistics
from tests.factories import make_org, make_user, valid_id_number

_numbers = iter(range(1, 10_000))


def issuer_id() -> int:
    found = db.session.execute(select(Organization.id).where(Organization.name == "评价机构")).scalar()
    return found or make_org("评价机构", kind="evaluator", region_code="370000").id


def certificate(user: User | None, level: int | None = 4, status: str = "valid", kind: str = "level") -> Certificate:
    cert = Certificate(issuer_organization_id=issuer_id(), number=f"S0000371500012{next(_numbers):08d}", kind=kind, status=status,
                       holder_name=user.name if user else "某人", holder_user_id=user.id if user else None,
                       id_type="居民身份证", occupation="劳动关系协调师", job_direction="--", level=level,
                       issuer_name="评价机构", issued_on=utcnow().date(), source_type="import")
    db.session.add(cert)
    db.session.commit()
    return cert


def row(user: User) -> tuple | None:
    found = db.session.execute(select(Coordinator.level, Coordinator.organization_id, Coordinator.organization_kind,
                                      Coordinator.region_code).where(Coordinator.user_id == user.id)).first()
    return tuple(found) if found else None


def table() -> set[tuple]:
    return set(db.session.execute(select(Coordinator.user_id, Coordinator.level, Coordinator.organization_id,
                                         Coordinator.organization_kind, Coordinator.region_code)).all())


def test_certificates_make_revoke_and_move_coordinators(app):
    enterprise = make_org("聊城小企业", kind="enterprise", region_code="371502")
    person = make_user("trainee", org=enterprise)
    other = make_user("trainee", org=enterprise)
    assert row(person) is None

    cert = certificate(person, level=4)
    assert row(person) == (4, enterprise.id, "enterprise", "371502")
    higher = certificate(person, level=2)
    assert row(person)[0] == 2  # the highest level: 1 is the highest

    higher.status = "revoked"
    db.session.commit()
    assert row(person)[0] == 4
    cert.holder_user_id = other.id  # a certificate matched to the wrong account, corrected
    db.session.commit()
    assert row(person) is None and row(other) == (4, enterprise.id, "enterprise", "371502")

    certificate(person, kind="award", level=None)  # an award certificate does not make a coordinator
    assert row(person) is None


def test_registry_records_people_and_organizations_move_the_rows(app):
    county = make_org("东昌府区某企业", kind="enterprise", region_code="371502")
    elsewhere = make_org("济南平台", kind="platform", region_code="370102")
    person = make_user("trainee", org=county)
    entry = RegistryEntry(user_id=person.id, level=3, party_member=True)
    db.session.add(entry)
    db.session.commit()
    assert row(person) == (3, county.id, "enterprise", "371502")

    person.organization_id = elsewhere.id
    db.session.commit()
    assert row(person) == (3, elsewhere.id, "platform", "370102")

    elsewhere.region_code = "370103"
    elsewhere.kind = "union"
    db.session.commit()
    assert row(person) == (3, elsewhere.id, "union", "370103")

    person.organization_id = None  # without an organization: counted in the home region of the ID number
    person.id_number = valid_id_number("371521")
    db.session.commit()
    assert row(person) == (3, None, "none", "371521")

    db.session.delete(entry)
    db.session.commit()
    assert row(person) is None


def test_statistics_count_what_the_read_model_holds(app):
    enterprise = make_org("聊城小企业", kind="enterprise", region_code="371502")
    people = [make_user("trainee", org=enterprise) for _ in range(3)]
    for person, level in zip(people, (4, 3, 3), strict=True):
        certificate(person, level=level)
    stats = statistics(Access("3715", "371500", "3715"))
    assert stats["total"] == 3 and stats["by_level"]["3"] == 2 and stats["coverage"]["covered_by_own"] == 1
    people[1].organization_id = make_org("济南企业", kind="enterprise", region_code="370102").id
    db.session.commit()
    assert statistics(Access("3715", "371500", "3715"))["total"] == 2


def test_bulk_statements_and_the_rebuild_re_derive_every_row(app):
    enterprise = make_org("聊城小企业", kind="enterprise", region_code="371502")
    people = [make_user("trainee", org=enterprise) for _ in range(4)]
    now, issuer = utcnow(), issuer_id()
    db.session.execute(insert(Certificate), [
        {"number": f"S0000371500013{i:08d}", "kind": "level", "status": "valid", "holder_name": p.name,
         "holder_user_id": p.id, "id_type": "居民身份证", "occupation": "劳动关系协调师", "job_direction": "--",
         "level": 4, "issuer_organization_id": issuer, "issuer_name": "评价机构", "issued_on": now.date(),
         "source_type": "import", "created_at": now, "updated_at": now} for i, p in enumerate(people)])
    db.session.commit()
    assert all(row(p) == (4, enterprise.id, "enterprise", "371502") for p in people)
    db.session.execute(update(Organization).where(Organization.id == enterprise.id).values(region_code="371521"))
    db.session.commit()
    assert {row(p)[3] for p in people} == {"371521"}

    kept = table()
    db.session.execute(Coordinator.__table__.delete())  # a table damaged by SQL outside the application
    db.session.commit()
    assert table() == set()
    assert rebuild() == 4
    db.session.commit()
    assert table() == kept


def test_the_command_rebuilds_and_says_how_many(app):
    person = make_user("trainee", org=make_org("聊城小企业", kind="enterprise", region_code="371502"))
    certificate(person)
    db.session.execute(Coordinator.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "rebuild-coordinators"])
    assert result.exit_code == 0 and "1 名" in result.output
    assert row(person) is not None
