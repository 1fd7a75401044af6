"""Factory functions for tests: organizations and users with valid, unique identity data."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from lrc_training.auth.models import Accreditation, Organization, User
from lrc_training.auth.services.accreditation import AccreditationInput, local_today, record_accreditation
from lrc_training.auth.services.identity import id_check_char
from lrc_training.certificates.models import CertificateSettings
from lrc_training.certificates.services.numbering import default_settings
from lrc_training.certificates.services.seals import drawn_seal_png
from lrc_training.core.storage import storage
from lrc_training.extensions import db

# The password factory users sign in with. make_user stores it directly, as an account created before the password
# policy would have it; a password being *set* (registration, change, admin create/reset, API user creation) must
# pass the policy (10+ characters, two classes, not common), so tests that set one use NEW_PASSWORD.
PASSWORD = "Passw0rd1"
NEW_PASSWORD = "Peixun#2026ok"
_counter = itertools.count(1)


def valid_id_number(region: str = "371502", birth: str = "19900101", seq: int | None = None) -> str:
    seq = next(_counter) % 1000 if seq is None else seq
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def make_org(name: str | None = None, kind: str = "evaluator", region_code: str = "371500", *,
             accredited: bool = True, levels=(4, 3, 2, 1), site_code: str | None = None,
             letter: str = "S", seal: bool = True, **extra) -> Organization:
    """An organization; an evaluator is accredited (备案) for every level, valid since 2000 and for five more years,
    unless `accredited=False`. The filing's site code defaults to the one derived from the organization id.
    Every organization gets an electronic seal (certificates are never issued without one) unless `seal=False`."""
    org = Organization(name=name or f"测试机构{next(_counter)}", kind=kind, region_code=region_code, active=True, **extra)
    db.session.add(org)
    db.session.commit()
    if kind == "evaluator" and accredited:
        accredit(org, levels=levels, site_code=site_code, letter=letter)
    if seal:
        give_seal(org)
    return org


TEST_SEAL = "test-seal.png"


def give_seal(org: Organization) -> None:
    """Certificate settings with the defaults and a drawn seal, as staff would save them on 证书设置."""
    store = storage()
    if not store.exists(f"seals/{TEST_SEAL}"):
        store.put(f"seals/{TEST_SEAL}", drawn_seal_png(), "image/png")
    row = db.session.get(CertificateSettings, org.id)
    if row is None:
        defaults = default_settings(org)
        row = CertificateSettings(organization_id=org.id, type_letter=defaults.type_letter,
                                  org_code=defaults.org_code, province_code=defaults.province_code,
                                  site_code=defaults.site_code, registered_name=defaults.registered_name)
        db.session.add(row)
    row.seal_file = TEST_SEAL
    db.session.commit()


def accredit(org: Organization, *, levels=(4, 3, 2, 1), site_code: str | None = None, letter: str = "S",
             valid_from: date = date(2000, 1, 1), valid_until: date | None = None) -> Accreditation:
    row = record_accreditation(None, org, AccreditationInput(
        filing_number=f"测试备案{org.id}", letter=letter, levels=list(levels), valid_from=valid_from,
        valid_until=valid_until or local_today() + timedelta(days=5 * 365), site_code=site_code))
    db.session.commit()
    return row


def make_user(*roles: str, username: str | None = None, name: str = "测试用户", org: Organization | None = None,
              password: str = PASSWORD, active: bool = True) -> User:
    n = next(_counter)
    user = User(username=username or f"user{n}", name=name, id_number=valid_id_number(seq=n % 1000),
                phone=f"1390000{n:04d}", organization_id=org.id if org else None, active=active)
    user.set_password(password)
    user.set_roles(list(roles) or ["trainee"])
    db.session.add(user)
    db.session.commit()
    return user
