"""Users, their roles, organizations and accreditation, API tokens, sign-in records, account links and ID photos
(证件照)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow
from .roles import ALL_ROLES, ORG_KINDS, PLATFORM_LEVELS, ROLE_LABELS
from .services.identity import mask_id_number, mask_phone

# An ID photo's status (PersonPhoto below).
PENDING, APPROVED, REJECTED, SUPERSEDED = "pending", "approved", "rejected", "superseded"
PHOTO_STATUS_LABELS = {PENDING: "待审核", APPROVED: "已通过", REJECTED: "未通过", SUPERSEDED: "已替换"}

TOKEN_PURPOSES = ("password_reset", "email_change")

# The columns' lengths, written once: the schemas (and so the forms) read them.
USERNAME_MAX = 32
NAME_MAX = 50
ID_NUMBER_MAX = 18
PHONE_MAX = 11  # stored as 11 digits
PHONE_TYPED_MAX = 20  # as typed, with the spaces or dashes that validate_phone removes
EMAIL_MAX = 254
ORG_NAME_MAX = 100
REGION_CODE_MAX = 12
FILING_NUMBER_MAX = 40
ORG_CODE_LENGTH = 4
SITE_CODE_LENGTH = 6
REASON_MAX = 200  # what staff type when they refuse or close something: a photo's rejection, a deactivation

# OWASP's recommended argon2id setting (19 MiB, 2 passes, 1 lane): strong, yet cheap enough that a
# province's candidates can all sign in at the start of an exam on a small server. The testing
# configuration lowers the cost (LRC_ARGON2_TIME_COST / LRC_ARGON2_MEMORY_KIB) so the suite stays fast;
# a stored hash with other parameters is re-hashed at the next sign-in.
_DEFAULT_COST = (2, 19 * 1024)
_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    cost = _DEFAULT_COST
    if has_app_context():
        cost = (
            current_app.config.get("LRC_ARGON2_TIME_COST", _DEFAULT_COST[0]),
            current_app.config.get("LRC_ARGON2_MEMORY_KIB", _DEFAULT_COST[1]),
        )
    if cost not in _hashers:
        _hashers[cost] = PasswordHasher(time_cost=cost[0], memory_cost=cost[1], parallelism=1)
    return _hashers[cost]


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Organization(TimestampMixin, VersionMixin, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(ORG_KINDS)})", name="kind_known"),
        CheckConstraint("length(region_code) IN (6, 9, 12)", name="region_code_length"),  # county / township / community
        CheckConstraint(f"platform_level IS NULL OR (kind = 'platform' AND platform_level IN ({_in(PLATFORM_LEVELS)}))",
                        name="platform_level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(ORG_NAME_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(REGION_CODE_MAX), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    employees: Mapped[int | None] = mapped_column(Integer)  # enterprises: headcount, for the "large" threshold
    platform_level: Mapped[str | None] = mapped_column(String(10))  # platforms: park / township / community
    # A national body (人社部, 全国总工会 …): its region code is its seat; it may organize national competitions.
    national: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    users: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"


class Accreditation(TimestampMixin, VersionMixin, Base):
    """An evaluation organization's filing (备案) with the human-resources department: which levels it may assess
    and certify, until when, and the codes its certificate numbers carry. Ending a filing keeps the row
    (ended_at), so the history stays; at most one filing per organization is open at a time, and no two open
    filings share a number prefix (letter + organization code + province code + site code)."""

    __tablename__ = "accreditations"
    __table_args__ = (
        CheckConstraint("letter IN ('Y', 'S')", name="letter_known"),
        CheckConstraint("length(org_code) = 4", name="org_code_four_digits"),
        CheckConstraint("length(province_code) = 2", name="province_code_two_digits"),
        CheckConstraint("length(site_code) = 6", name="site_code_six_digits"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
        Index("uq_accreditations_open_organization", "organization_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("uq_accreditations_open_prefix", "letter", "org_code", "province_code", "site_code", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    filing_number: Mapped[str] = mapped_column(String(FILING_NUMBER_MAX))
    letter: Mapped[str] = mapped_column(String(1))  # Y employer-based evaluator, S social training-evaluation org
    levels: Mapped[list] = mapped_column(JSON)  # e.g. [4, 3]
    org_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))  # 0000 when registered at province level
    province_code: Mapped[str] = mapped_column(String(2))
    site_code: Mapped[str] = mapped_column(String(SITE_CODE_LENGTH))
    site_code_derived: Mapped[bool] = mapped_column(Boolean, default=False)  # the filing gave none
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()

    @property
    def number_prefix(self) -> str:
        return f"{self.letter}{self.org_code}{self.province_code}{self.site_code}"

    def covers(self, level: int, on: date) -> bool:
        return self.ended_at is None and level in (self.levels or []) and self.valid_from <= on <= self.valid_until


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN ({_in(ALL_ROLES)})", name="role_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class User(UserMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    id_number: Mapped[str | None] = mapped_column(String(ID_NUMBER_MAX), unique=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))  # for email notifications; optional
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the session id; a new one on every password change signs out every other session.
    session_stamp: Mapped[str] = mapped_column(String(16), default=lambda: secrets.token_hex(8))

    organization: Mapped[Organization | None] = relationship(back_populates="users")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    # -- passwords ---------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = _hasher().hash(password)
        self.password_changed_at = utcnow()
        self.session_stamp = secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        try:
            _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher().check_needs_rehash(self.password_hash):
            self.password_hash = _hasher().hash(password)  # parameters changed since it was stored
        return True

    # -- roles -------------------------------------------------------------
    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]

    def set_roles(self, roles: list[str] | set[str]) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - set(self.roles))
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[r] for r in self.roles]

    # -- Flask-Login ---------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the user, the password stamp and the
        key of the server-side sign-in record (services/web_sessions.py), so ending that record ends both cookies."""
        key = getattr(self, "_session_key", None)
        # Without a record (login_user() not preceded by start_session()) the id has no key, and the user loader
        # refuses such cookies: forgetting the record fails closed.
        return f"{self.id}:{self.session_stamp}:{key}" if key else f"{self.id}:{self.session_stamp}"

    # UserMixin compares get_id(), which now carries the sign-in key: the same person is the same user whichever
    # request loaded them.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def login_session(self) -> UserSession | None:
        """The sign-in record of the current request (None outside a signed-in page request)."""
        return getattr(self, "_session_row", None)

    # -- personal data -----------------------------------------------------
    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; expiry and revocation are checked on every request."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"), Index("ix_api_tokens_user_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_from: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class UserSession(Base):
    """One sign-in on one device. The cookie holds a random key; only its SHA-256 is stored here. The session and
    the remember-me cookie are honoured only while this record is open, so ending it signs the device out."""

    __tablename__ = "user_sessions"
    __table_args__ = (UniqueConstraint("key_hash"), Index("ix_user_sessions_user_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the person ticked "keep me signed in": the record then lives until this moment, idle or not.
    remember_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class AccountToken(Base):
    """A single-use link sent by email: a password reset ("忘记密码") or the confirmation of a new email address.

    The request only records that a link is wanted (`mail_status` pending); the `auth.account_mail` job draws the
    random token when it writes the message and stores only its SHA-256, so the token itself is never in the
    database (nor in a queued message). A link works once (`used_at`), until `expires_at`."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint(f"purpose IN ({_in(TOKEN_PURPOSES)})", name="purpose_known"),
        CheckConstraint("mail_status IN ('pending', 'sent', 'failed', 'skipped')", name="mail_status_known"),
        UniqueConstraint("token_hash"),
        Index("ix_account_tokens_user_id", "user_id"),
        Index("ix_account_tokens_mail_status", "mail_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # password_reset | email_change
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))  # where the link goes (the new address for email_change)
    token_hash: Mapped[str | None] = mapped_column(String(64))  # set when the message is written
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_status: Mapped[str] = mapped_column(String(10), default="pending")
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_error: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.token_hash is not None and now < self.expires_at


class PersonPhoto(TimestampMixin, VersionMixin, Base):
    """A person has at most one approved photo (the one printed) and at most one pending one (waiting for staff).
    Approving a new photo supersedes the old approved one; a new upload supersedes a photo still pending."""

    __tablename__ = "person_photos"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')", name="status_known"),
        Index("ix_person_photos_user_status", "user_id", "status"),
        Index("ix_person_photos_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(64))  # a name in the storage's photos/ folder (JPEG, 413×579)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def status_label(self) -> str:
        return PHOTO_STATUS_LABELS[self.status]
