"""Issue requests from a source: another area (a competition's committee) asks an accredited evaluation
organization to issue a level certificate it cannot issue itself. The asker names the evaluator; only an
organization whose filing (备案) covers the level and is valid today can be named. The evaluator's staff see the
request with the evidence and approve it — the certificate is then issued by the evaluator, through the one
accreditation gate, with the source's type, id and key (so it stays traceable and is issued once) — or decline it
with a reason (the asker and the person are notified). An asker that is itself accredited for the level issues
directly: there is nobody else to ask.

This module takes plain values (SourceRequestInput) and knows nothing of competitions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload

from ...auth.models import Organization, User, UserRole
from ...auth.roles import ORG_STAFF
from ...auth.services.accreditation import NotAccredited, require_accreditation, valid_accreditations
from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.levels import LEVEL_NAMES
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import Certificate, SourceIssueRequest
from .issuing import IssueRequest, issue_certificate

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
PAGE_LINK = "/certificates/issue-requests"
EVALUATOR_FIELD = "evaluator_organization_id"


@dataclass
class SourceRequestInput:
    """One certificate a source asks for, in plain values."""

    source_type: str
    source_id: str
    source_key: str
    source_title: str
    source_detail: str
    holder_name: str
    level: int
    holder_user_id: int | None = None
    id_number: str | None = None
    evidence: list = field(default_factory=list)  # [[label, value], ...]
    evidence_link: str | None = None


@dataclass
class RequestOutcome:
    requested: list[SourceIssueRequest] = field(default_factory=list)  # sent (or sent again) to the evaluator
    issued: list[Certificate] = field(default_factory=list)  # issued directly (the asker is accredited itself)
    skipped: int = 0  # already pending, approved or issued
    not_covered: list[SourceRequestInput] = field(default_factory=list)  # level outside the evaluator's filing


def evaluator_choices(levels) -> list[tuple[int, str]]:
    """Evaluators that may be asked for at least one of `levels` today: (organization id, name with its levels)."""
    return [(row.organization_id, f"{row.organization.name}（备案等级：{'、'.join(LEVEL_NAMES[lv] for lv in row.levels)}，"
             f"有效期至 {row.valid_until.isoformat()}）") for row in valid_accreditations(levels)]


def _check_evaluator(organization_id, levels: set[int]) -> tuple[Organization, set[int]]:
    """The named evaluator and which of `levels` its valid filing covers; 422 when it is no organization,
    403 `not_accredited` (under the evaluator field) when its filing is missing, expired or covers none of them."""
    org = db.session.get(Organization, organization_id) if isinstance(organization_id, int) else None
    if org is None:
        raise ValidationFailed("请选择发证的评价机构", {EVALUATOR_FIELD: "请选择评价机构"})
    covered, reason = set(), None
    for level in sorted(levels):
        try:
            require_accreditation(org.id, level)
            covered.add(level)
        except NotAccredited as exc:
            reason = exc.message
    if not covered:
        message = f"{org.name}不能签发{'、'.join(LEVEL_NAMES[lv] for lv in sorted(levels))}证书：{reason}"
        raise NotAccredited(message, {EVALUATOR_FIELD: message})
    return org, covered


def _existing(keys: list[str]) -> tuple[dict[str, SourceIssueRequest], set[str]]:
    requests = {r.source_key: r for r in db.session.execute(select(SourceIssueRequest).where(
        SourceIssueRequest.source_key.in_(keys))).scalars()} if keys else {}
    issued = set(db.session.execute(select(Certificate.source_key).where(
        Certificate.source_key.in_(keys))).scalars()) if keys else set()
    return requests, issued


def request_issue(actor, requester_organization_id: int, evaluator_organization_id,
                  items: list[SourceRequestInput]) -> RequestOutcome:
    """Send the items to the evaluator (idempotent: an item already pending, approved or issued is skipped; a
    declined one is sent again). When the evaluator is the asker itself, it issues directly through the gate."""
    outcome = RequestOutcome()
    if not items:
        return outcome
    org, covered = _check_evaluator(evaluator_organization_id, {i.level for i in items})
    requests, issued = _existing([i.source_key for i in items])
    for item in items:
        row = requests.get(item.source_key)
        if item.source_key in issued or (row is not None and row.status != DECLINED):
            outcome.skipped += 1
        elif item.level not in covered:
            outcome.not_covered.append(item)
        elif org.id == requester_organization_id:
            outcome.issued.append(_issue(item, org.id, actor.id))
        else:
            outcome.requested.append(_send(actor, requester_organization_id, org, item, row))
    if outcome.requested:
        _tell_staff(org.id, "收到晋级发证申请",
                    f"{outcome.requested[0].source_title}：{len(outcome.requested)} 条，请核对后签发或拒绝。")
    return outcome


def _issue(item: SourceRequestInput, issuer_id: int, actor_id: int) -> Certificate:
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=item.holder_name, holder_user_id=item.holder_user_id, id_number=item.id_number,
        issuer_organization_id=issuer_id, level=item.level, source_type=item.source_type, source_id=item.source_id,
        event_title=item.source_title, source_key=item.source_key), actor_id=actor_id)
    return cert


def _send(actor, requester_id: int, org: Organization, item: SourceRequestInput,
          row: SourceIssueRequest | None) -> SourceIssueRequest:
    values = {"source_type": item.source_type, "source_id": item.source_id, "source_title": item.source_title[:200],
              "source_detail": item.source_detail[:200], "evidence": item.evidence, "evidence_link": item.evidence_link,
              "requester_organization_id": requester_id, "requested_by_id": actor.id, "issuer_organization_id": org.id,
              "holder_user_id": item.holder_user_id, "holder_name": item.holder_name[:50], "id_number": item.id_number,
              "level": item.level, "status": PENDING, "decided_by_id": None, "decided_at": None,
              "decision_reason": None}
    old = {"status": row.status, "evaluator": row.issuer_organization_id} if row is not None else None
    if row is None:
        row = SourceIssueRequest(source_key=item.source_key, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    record_audit("certificate_request.create", "certificate_source_request", row.id, old=old,
                 new={"source": f"{row.source_type}:{row.source_id}", "key": row.source_key, "level": row.level,
                      "holder": row.holder_name, "evaluator": org.id}, actor_id=actor.id)
    if row.holder_user_id:
        notify(row.holder_user_id, f"晋级发证申请已送交评价机构：{row.source_title}",
               f"{row.source_detail}。等级证书将由{org.name}审核后签发。", kind="certificate")
    return row


def _tell_staff(organization_id: int, title: str, body: str) -> None:
    staff = db.session.execute(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.organization_id == organization_id, User.active.is_(True), UserRole.role == ORG_STAFF)).scalars().all()
    for user_id in staff:
        notify(user_id, title, body, PAGE_LINK, kind="certificate")


# -- the evaluator's side ----------------------------------------------------------------------------------------

def get_for_issuer(actor, request_id) -> SourceIssueRequest:
    """A request addressed to the actor's organization; anything else is 404."""
    row = db.session.get(SourceIssueRequest, request_id) if isinstance(request_id, int) else None
    if row is None or actor is None or not actor.has_role(ORG_STAFF) or \
            row.issuer_organization_id != actor.organization_id:
        raise NotFound("发证申请不存在")
    return row


def requests_to(actor, status: str | None = None) -> Select:
    """Requests addressed to the actor's organization, pending first (constant queries)."""
    org_id = actor.organization_id if actor.has_role(ORG_STAFF) else None
    stmt = (select(SourceIssueRequest).where(SourceIssueRequest.issuer_organization_id == (org_id or -1))
            .options(joinedload(SourceIssueRequest.requester_organization), joinedload(SourceIssueRequest.certificate),
                     joinedload(SourceIssueRequest.decided_by))
            .order_by(SourceIssueRequest.status != PENDING, SourceIssueRequest.id.desc()))
    if status in (PENDING, APPROVED, DECLINED):
        stmt = stmt.where(SourceIssueRequest.status == status)
    return stmt


def _claim(row: SourceIssueRequest, actor, version, status: str, reason: str | None = None) -> None:
    """Decide a pending request at the version the decider saw: a stale version or a second decider → 409."""
    if version is not None and version != row.version:
        raise Conflict("该申请已被他人处理或修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version")
    done = db.session.execute(
        update(SourceIssueRequest).where(SourceIssueRequest.id == row.id, SourceIssueRequest.status == PENDING,
                                         SourceIssueRequest.version == row.version)
        .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), decision_reason=reason,
                version=row.version + 1).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict("该申请已被处理", {"status": "已处理"}, code="wrong_state")
    db.session.refresh(row)


def approve(actor, request_id, version: int | None = None) -> tuple[SourceIssueRequest, Certificate]:
    """Issue the certificate as the evaluator (the gate checks its filing again today)."""
    row = get_for_issuer(actor, request_id)
    _claim(row, actor, version, APPROVED)
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=row.holder_name, holder_user_id=row.holder_user_id, id_number=row.id_number,
        issuer_organization_id=row.issuer_organization_id, level=row.level, source_type=row.source_type,
        source_id=row.source_id, event_title=row.source_title, source_key=row.source_key), actor_id=actor.id)
    row.certificate_id = cert.id
    db.session.flush()
    record_audit("certificate_request.approve", "certificate_source_request", row.id, old={"status": PENDING},
                 new={"status": APPROVED, "number": cert.number, "issuer": row.issuer_organization_id},
                 actor_id=actor.id)
    if row.requested_by_id:
        notify(row.requested_by_id, f"晋级证书已签发：{row.holder_name}", f"{row.source_title}：证书编号 {cert.number}",
               kind="certificate")
    return row, cert


def decline(actor, request_id, reason: str, version: int | None = None) -> SourceIssueRequest:
    row = get_for_issuer(actor, request_id)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 500:
        raise ValidationFailed("请填写拒绝原因（不超过 500 字）", {"reason": "请填写拒绝原因（不超过 500 字）"})
    _claim(row, actor, version, DECLINED, reason)
    record_audit("certificate_request.decline", "certificate_source_request", row.id, old={"status": PENDING},
                 new={"status": DECLINED, "issuer": row.issuer_organization_id}, reason=reason, actor_id=actor.id)
    body = f"{row.source_title}：{row.holder_name} 的{row.level_label}证书未签发。原因：{reason}"
    for user_id in {row.requested_by_id, row.holder_user_id} - {None}:
        notify(user_id, f"评价机构拒绝了晋级发证申请：{row.issuer_organization.name}", body, kind="certificate")
    return row


def requests_for_source(source_type: str, source_id: str) -> dict[str, SourceIssueRequest]:
    """The requests of one source, by source key, with their evaluator and certificate (one query)."""
    rows = db.session.execute(select(SourceIssueRequest).where(
        SourceIssueRequest.source_type == source_type, SourceIssueRequest.source_id == source_id).options(
        joinedload(SourceIssueRequest.issuer_organization), joinedload(SourceIssueRequest.certificate))).scalars()
    return {row.source_key: row for row in rows}
