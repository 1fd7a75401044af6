"""auth's answers to what core asks about accounts (core/accounts.py): tokens for the API's access check, users,
mail recipients and names. create_app hands ACCOUNTS to core, so core never imports auth."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, select

from ..core.accounts import Accounts, Recipient, TokenRecord
from ..extensions import db
from .models import ApiToken, User, UserRole

# Token, user state and roles in one statement (one row per role), built once: every API request runs it.
_TOKEN_LOOKUP = (
    select(ApiToken.id, ApiToken.user_id, ApiToken.expires_at, ApiToken.revoked_at, User.active, UserRole.role)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash")))


def token_record(token_hash: str) -> TokenRecord | None:
    rows = db.session.connection().execute(_TOKEN_LOOKUP, {"token_hash": token_hash}).all()
    if not rows:
        return None
    token_id, user_id, expires_at, revoked_at, active, _ = rows[0]
    return TokenRecord(token_id=token_id, user_id=user_id, expires_at=expires_at, revoked_at=revoked_at,
                       user_active=active, roles=frozenset(row[5] for row in rows if row[5]))


def load_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def load_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def recipients(user_ids: Collection[int]) -> dict[int, Recipient]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.email, User.name, User.active).where(User.id.in_(set(user_ids))))
    return {user_id: Recipient(email, name, active) for user_id, email, name, active in rows}


def names(user_ids: Collection[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(set(user_ids))))
    return {user_id: name for user_id, name in rows}


ACCOUNTS = Accounts(token_record=token_record, load_user=load_user, load_token=load_token, recipients=recipients,
                    names=names)
