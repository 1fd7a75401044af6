"""The captured account mail: without LRC_SMTP_HOST the mail jobs write .eml files into <instance>/mail/."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

from lrc_training.auth.jobs import send_account_mail
from lrc_training.core.mail import mail_folder

LINK_RE = re.compile(r"https?://\S+/(?:forgot-password|profile/email)/[A-Za-z0-9_-]+")


def empty_mailbox() -> None:
    for old in mail_folder().glob("*.eml"):
        old.unlink()


def messages() -> list[EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(mail_folder().glob("*.eml"))]


def deliver() -> list[tuple[str, str]]:
    """Run the account mail job once; (recipient, link) for every message in the mailbox afterwards."""
    send_account_mail()
    found = []
    for message in messages():
        match = LINK_RE.search(message.get_content())
        found.append((message["To"], match.group(0) if match else ""))
    return found


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]
