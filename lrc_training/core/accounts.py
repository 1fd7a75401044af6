"""What core needs to know about accounts, answered by auth.

`core` imports nothing else in the project, yet the API's access check reads tokens, the mail job needs addresses
and the audit log viewer names who acted. `auth` answers those questions with the functions below, and
`create_app` hands them to core (`use_accounts`): the dependency points from auth to core, never back.
Pages' signed-in users come through Flask-Login's user loader, which create_app sets the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

EXTENSION_KEY = "lrc_accounts"


@dataclass(frozen=True)
class TokenRecord:
    """A bearer token as the access check needs it: plain values read in one statement, no ORM objects."""

    token_id: int
    user_id: int
    expires_at: datetime
    revoked_at: datetime | None
    user_active: bool
    roles: frozenset[str]


@dataclass(frozen=True)
class Recipient:
    email: str | None
    name: str
    active: bool


@dataclass(frozen=True)
class Accounts:
    token_record: Callable[[str], TokenRecord | None]  # by the token's SHA-256; every API request asks this
    load_user: Callable[[int], object | None]  # the User behind g.api_user
    load_token: Callable[[int], object | None]  # the ApiToken behind g.api_token
    recipients: Callable[[Collection[int]], dict[int, Recipient]]  # by user id, for the mail job
    names: Callable[[Collection[int]], dict[int, str]]  # by user id, for the audit log viewer


def use_accounts(app: Flask, accounts: Accounts) -> None:
    app.extensions[EXTENSION_KEY] = accounts


def accounts() -> Accounts:
    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("no accounts: create_app hands auth's answers to core with use_accounts") from None
