"""Configuration classes. Settings come from the environment: DATABASE_URL, SECRET_KEY, the rest prefixed LRC_."""

from __future__ import annotations

import os
from datetime import timedelta


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions: HttpOnly + SameSite everywhere, Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("LRC_SESSION_HOURS", 8))
    # Server-side sign-in records (auth/services/web_sessions.py): a sign-in without "keep me signed in" ends after
    # this many minutes without a request; one with it ends LRC_REMEMBER_DAYS after signing in (the cookie too).
    LRC_IDLE_MINUTES = _env_int("LRC_IDLE_MINUTES", 30)
    LRC_REMEMBER_DAYS = _env_int("LRC_REMEMBER_DAYS", 14)
    REMEMBER_COOKIE_DURATION = timedelta(days=LRC_REMEMBER_DAYS)

    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    WTF_CSRF_CHECK_DEFAULT = False  # checked in create_app for every non-API request
    # Behind a reverse proxy (nginx), how many X-Forwarded-For hops to trust: login throttling and the audit
    # log need the client's real address. 0 when the app is reached directly.
    LRC_PROXY_HOPS = _env_int("LRC_PROXY_HOPS", 0)
    # Uploads (Excel imports, materials) may be this large; JSON bodies have their own 1 MB limit.
    MAX_CONTENT_LENGTH = _env_int("LRC_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    LRC_JSON_MAX_BYTES = _env_int("LRC_JSON_MAX_BYTES", 1024 * 1024)
    # Where files live (materials, seals, photos, batches): file:///path (default: the instance folder) or
    # s3://bucket/prefix with LRC_S3_ENDPOINT_URL and the AWS_* variables (see core/storage.py).
    LRC_STORAGE_URL = os.environ.get("LRC_STORAGE_URL", "")
    # Per-job interval overrides for the scheduler: "notifications.email=10,certificates.batches=2".
    LRC_JOB_INTERVALS = os.environ.get("LRC_JOB_INTERVALS", "")
    LRC_S3_ENDPOINT_URL = os.environ.get("LRC_S3_ENDPOINT_URL", "")
    # Downloads redirect to a 5-minute presigned URL instead of streaming through the app node.
    LRC_S3_PRESIGN_DOWNLOADS = os.environ.get("LRC_S3_PRESIGN_DOWNLOADS", "0") not in ("0", "false", "")
    LRC_MATERIAL_MAX_BYTES = _env_int("LRC_MATERIAL_MAX_BYTES", 20 * 1024 * 1024)
    # Scans attached to manual certificate requests (PDF/JPG/PNG).
    LRC_EVIDENCE_MAX_BYTES = _env_int("LRC_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

    # Rate limiting and login throttling (Flask-Limiter; memory by default, Redis when configured).
    RATELIMIT_STORAGE_URI = os.environ.get("LRC_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: per-process limits instead of errors
    # Wrong passwords lock the account (not the address) after this many within the lock period ...
    LRC_LOGIN_MAX_FAILURES = _env_int("LRC_LOGIN_MAX_FAILURES", 5)
    LRC_LOGIN_LOCK_MINUTES = _env_int("LRC_LOGIN_LOCK_MINUTES", 15)
    # ... and an address only at a much higher count (password spraying), so one exam hall behind one NAT
    # address is not locked out by a few people mistyping. Trusted networks (comma-separated CIDRs, e.g. the
    # exam halls' 10.20.0.0/16) are never address-locked.
    LRC_LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LRC_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
    LRC_LOGIN_ADDRESS_WINDOW_MINUTES = _env_int("LRC_LOGIN_ADDRESS_WINDOW_MINUTES", 15)
    LRC_TRUSTED_NETWORKS = os.environ.get("LRC_TRUSTED_NETWORKS", "")
    # Bulk look-ups by username / ID number (competition bulk registration, registry import): per user and hour.
    LRC_BULK_LOOKUPS_PER_HOUR = _env_int("LRC_BULK_LOOKUPS_PER_HOUR", 20)

    # argon2id cost (OWASP: 2 passes over 19 MiB). Sizing for an exam-day sign-in storm: docs in README.
    LRC_ARGON2_TIME_COST = _env_int("LRC_ARGON2_TIME_COST", 2)
    LRC_ARGON2_MEMORY_KIB = _env_int("LRC_ARGON2_MEMORY_KIB", 19 * 1024)

    LRC_TOKEN_HOURS = _env_int("LRC_TOKEN_HOURS", 12)
    # Candidates' exam papers are drawn this long before a session's window opens (exams/services/preparation.py).
    LRC_PAPER_LEAD_MINUTES = _env_int("LRC_PAPER_LEAD_MINUTES", 120)
    # Difficulty balancing (exams/balancing.py): a question's measured facility counts from the closed sessions in
    # which at least this many candidates had it; two candidates' papers differ in mean expected facility per
    # blueprint row by at most the tolerance.
    LRC_ITEM_STATS_MIN_CANDIDATES = _env_int("LRC_ITEM_STATS_MIN_CANDIDATES", 30)
    LRC_PAPER_FACILITY_TOLERANCE = float(os.environ.get("LRC_PAPER_FACILITY_TOLERANCE") or 0.05)
    LRC_TIMEZONE = os.environ.get("LRC_TIMEZONE", "Asia/Shanghai")
    # The occupation (standards, courses, exams, certificates, competitions) and the workforce (the registry)
    # are named differently since the 2022 classification; see core/occupation.py.
    LRC_OCCUPATION_CODE = os.environ.get("LRC_OCCUPATION_CODE", "4-07-03-02")
    LRC_OCCUPATION_NAME = os.environ.get("LRC_OCCUPATION_NAME", "劳动关系协调师")
    LRC_WORKFORCE_NAME = os.environ.get("LRC_WORKFORCE_NAME", "劳动关系协调员")
    LRC_PER_PAGE = _env_int("LRC_PER_PAGE", 50)
    # One 课时 (class hour) in minutes: a course session may not claim more 课时 than its times hold.
    LRC_LESSON_MINUTES = _env_int("LRC_LESSON_MINUTES", 45)
    # The public address printed in certificates' QR codes, e.g. https://lrc.hrss.shandong.gov.cn
    LRC_PUBLIC_URL = os.environ.get("LRC_PUBLIC_URL", "")
    # Signs certificates' QR tokens (defaults to SECRET_KEY outside production). Rotate by moving the old key to
    # LRC_QR_OLD_KEYS (comma-separated): QR codes already printed keep verifying.
    LRC_QR_KEY = os.environ.get("LRC_QR_KEY", "")
    LRC_QR_OLD_KEYS = os.environ.get("LRC_QR_OLD_KEYS", "")
    # Production refuses to start without LRC_SMTP_HOST unless mail is switched off explicitly.
    LRC_MAIL_OFF = os.environ.get("LRC_MAIL_OFF", "0") not in ("0", "false", "")
    # The registry's "large enterprise" check (guideline: large enterprises should have one or two coordinators).
    LRC_LARGE_ENTERPRISE_EMPLOYEES = _env_int("LRC_LARGE_ENTERPRISE_EMPLOYEES", 1000)
    LRC_LARGE_ENTERPRISE_MIN_COORDINATORS = _env_int("LRC_LARGE_ENTERPRISE_MIN_COORDINATORS", 2)
    # Reports upward (报表上报) are late once this many days have passed after the end of their period.
    LRC_REPORT_GRACE_DAYS = _env_int("LRC_REPORT_GRACE_DAYS", 10)
    # Email copies of notifications. Without LRC_SMTP_HOST they are written to <instance>/mail/ as .eml files.
    LRC_SMTP_HOST = os.environ.get("LRC_SMTP_HOST", "")
    LRC_SMTP_TLS = os.environ.get("LRC_SMTP_TLS", "1") not in ("0", "false", "")  # STARTTLS (certificate checked)
    # Implicit TLS from the first byte (port 465, e.g. smtp.qq.com / smtp.163.com) instead of STARTTLS.
    LRC_SMTP_SSL = os.environ.get("LRC_SMTP_SSL", "0") not in ("0", "false", "")
    LRC_SMTP_PORT = _env_int("LRC_SMTP_PORT", 465 if LRC_SMTP_SSL else 587)
    LRC_SMTP_USER = os.environ.get("LRC_SMTP_USER", "")
    LRC_SMTP_PASSWORD = os.environ.get("LRC_SMTP_PASSWORD", "")
    LRC_MAIL_SENDER = os.environ.get("LRC_MAIL_SENDER", f"{LRC_OCCUPATION_NAME}平台 <noreply@localhost>")
    # A mail job that claimed a copy and died: after this many minutes another scheduler may send it.
    LRC_MAIL_CLAIM_MINUTES = _env_int("LRC_MAIL_CLAIM_MINUTES", 15)
    # How long a 忘记密码 link and a new-email confirmation link work.
    LRC_RESET_LINK_MINUTES = _env_int("LRC_RESET_LINK_MINUTES", 30)
    LRC_EMAIL_LINK_HOURS = _env_int("LRC_EMAIL_LINK_HOURS", 24)

    # Operations (docs/operations.md). PostgreSQL connection pool per process, and a statement timeout (0 = none);
    # ignored for SQLite.
    LRC_DB_POOL_SIZE = _env_int("LRC_DB_POOL_SIZE", 5)
    LRC_DB_MAX_OVERFLOW = _env_int("LRC_DB_MAX_OVERFLOW", 10)
    LRC_DB_POOL_TIMEOUT = _env_int("LRC_DB_POOL_TIMEOUT", 30)
    LRC_DB_STATEMENT_TIMEOUT_MS = _env_int("LRC_DB_STATEMENT_TIMEOUT_MS", 0)
    # Who may read /metrics without signing in (comma-separated addresses or CIDRs); everyone else gets 404.
    LRC_METRICS_ALLOW = os.environ.get("LRC_METRICS_ALLOW", "127.0.0.0/8,::1")
    # One log line per request: "json" (one JSON object per line) or "text".
    LRC_LOG_FORMAT = os.environ.get("LRC_LOG_FORMAT", "text")
    # Successful exam autosaves are counted in the metrics, not logged one line each (core/request_log.py).
    LRC_LOG_AUTOSAVES = os.environ.get("LRC_LOG_AUTOSAVES", "") == "1"
    # Scheduler: how often each node looks for due jobs, and how long a node's claim on a running job lasts
    # before another node may take it over (the first node died).
    LRC_SCHEDULER_TICK_SECONDS = _env_int("LRC_SCHEDULER_TICK_SECONDS", 5)
    LRC_SCHEDULER_LEASE_SECONDS = _env_int("LRC_SCHEDULER_LEASE_SECONDS", 900)

    # The audit chain's HMAC key (never stored in the database) and its id; retired keys as "id:key,id:key".
    # Without LRC_AUDIT_KEY (development, tests) a key is derived from SECRET_KEY under its own label.
    LRC_AUDIT_KEY = os.environ.get("LRC_AUDIT_KEY", "")
    LRC_AUDIT_KEY_ID = os.environ.get("LRC_AUDIT_KEY_ID", "k1")
    LRC_AUDIT_OLD_KEYS = os.environ.get("LRC_AUDIT_OLD_KEYS", "")
    LRC_AUDIT_KEY_REQUIRED = False
    # Where checkpoints of the chain's head are appended (outside the database); default <instance>/audit-anchors.jsonl
    LRC_AUDIT_ANCHOR_PATH = os.environ.get("LRC_AUDIT_ANCHOR_PATH", "")
    # Excel imports: refused before parsing when the unpacked parts exceed these limits (a "zip bomb").
    LRC_XLSX_MAX_UNCOMPRESSED = _env_int("LRC_XLSX_MAX_UNCOMPRESSED", 50 * 1024 * 1024)
    LRC_XLSX_MAX_PART = _env_int("LRC_XLSX_MAX_PART", 30 * 1024 * 1024)
    LRC_XLSX_MAX_RATIO = _env_int("LRC_XLSX_MAX_RATIO", 100)


DEVELOPMENT_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105 - public, accepted only with LRC_ENV=development
TESTING_SECRET_KEY = "test-secret"  # noqa: S105
# Keys that are public (this repository, its README, common examples): signing with them lets anyone forge
# sessions and certificate QR tokens.
KNOWN_SECRET_KEYS = frozenset({
    DEVELOPMENT_SECRET_KEY, TESTING_SECRET_KEY, "change-me", "changeme", "secret", "secret-key", "your-secret-key",
    "dev", "development", "please-change-me", "replace-me",
})
MIN_SECRET_KEY_LENGTH = 32


class DevelopmentConfig(Config):
    DEBUG = False
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = TESTING_SECRET_KEY
    # Tests travel in time to pass exam deadlines and notice periods: that stands for waiting with the page open
    # (which polls the server), not for an abandoned browser. tests/auth/test_sessions.py sets the real limit.
    LRC_IDLE_MINUTES = 7 * 24 * 60
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # The cheapest argon2id argon2-cffi accepts: production cost is half the suite's time otherwise.
    LRC_ARGON2_TIME_COST = 1
    LRC_ARGON2_MEMORY_KIB = 8


class ProductionConfig(Config):
    LRC_AUDIT_KEY_REQUIRED = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LRC_LOG_FORMAT = os.environ.get("LRC_LOG_FORMAT", "json")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def secret_key_problem(env_name: str, key: str | None) -> str | None:
    """Why `key` may not sign sessions and QR tokens in `env_name`, or None when it may. Development and testing
    accept anything; every other environment needs a private key of at least 32 characters."""
    if env_name in ("development", "testing"):
        return None
    if not key:
        return "SECRET_KEY is not set"
    if key in KNOWN_SECRET_KEYS or key.lower() in KNOWN_SECRET_KEYS:
        return "SECRET_KEY is a publicly known example key"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None
