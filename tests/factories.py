"""Factory functions for tests: organizations and users with valid, unique identity data."""

from __future__ import annotations

import itertools

from lrc_training.auth.identity import id_check_char
from lrc_training.auth.models import Organization, User
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


def make_org(name: str | None = None, kind: str = "evaluator", region_code: str = "371500") -> Organization:
    org = Organization(name=name or f"测试机构{next(_counter)}", kind=kind, region_code=region_code, active=True)
    db.session.add(org)
    db.session.commit()
    return org


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
