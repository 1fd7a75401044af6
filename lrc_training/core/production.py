"""Settings that production refuses to run without: a province's site must not start half-configured and fail later
in ways nobody notices (mail "sent" into a folder, QR codes printing 127.0.0.1, a per-process rate limit that lets
every worker count separately, SQLite under several nodes, certificates voided by a key rotation)."""

from __future__ import annotations

from collections.abc import Mapping

MIN_KEY_LENGTH = 32


def production_problems(config: Mapping) -> list[str]:
    """Every reason the configuration is unsafe for production, in Chinese and English (operators read logs)."""
    problems = []
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("postgresql"):
        problems.append("DATABASE_URL must be PostgreSQL (postgresql://…) in production / 生产环境须使用 PostgreSQL")
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        problems.append("LRC_RATELIMIT_STORAGE_URI must be a shared store (redis://…): per-process limits let every "
                        "worker count on its own / 限流须使用共享存储（Redis）")
    if not config.get("LRC_SMTP_HOST") and not config.get("LRC_MAIL_OFF"):
        problems.append("LRC_SMTP_HOST is not set: set the mail relay, or LRC_MAIL_OFF=1 to run without email "
                        "/ 未配置邮件服务器（或明确设置 LRC_MAIL_OFF=1 关闭邮件）")
    public = str(config.get("LRC_PUBLIC_URL") or "")
    if not public.startswith(("https://", "http://")) or "127.0.0.1" in public or "localhost" in public:
        problems.append("LRC_PUBLIC_URL must be the site's public address (https://…): certificates print it in "
                        "their QR codes / 须设置对外访问地址（证书二维码使用）")
    qr_key = str(config.get("LRC_QR_KEY") or "")
    if len(qr_key) < MIN_KEY_LENGTH or qr_key == config.get("SECRET_KEY"):
        problems.append(f"LRC_QR_KEY must be set (at least {MIN_KEY_LENGTH} characters, not SECRET_KEY): printed "
                        "certificates' QR codes must survive a SECRET_KEY rotation / 须单独设置证书二维码签名密钥")
    return problems


def check_production_settings(config: Mapping) -> None:
    if config.get("ENV_NAME") != "production":
        return
    problems = production_problems(config)
    if problems:
        raise RuntimeError("Refusing to start in production:\n- " + "\n- ".join(problems)
                           + "\nSee docs/operations.md (key settings).")
