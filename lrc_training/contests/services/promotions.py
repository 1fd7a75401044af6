"""Promotions (晋升一级) after the results are final. The competition records them; the level certificate comes
from an accredited evaluation organization of that level: the committee chooses the evaluator and sends each
eligible promotion as a request (certificates/source_requests.py), the evaluator's staff approve (the evaluator
issues) or decline. A committee that is itself accredited for the level may choose itself and issue directly.

Eligibility is decided when the rewards are recorded (`ineligible_reason`): with the competition's rule
`promotion_requires_certificate`, a promotion to level L needs a valid platform certificate of level L+1."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...certificates.services.issuing import CertificateSource, source_certificates
from ...certificates.services.source_requests import (
    RequestOutcome,
    SourceRequestInput,
    evaluator_choices,
    request_issue,
    requests_for_source,
)
from ...core.audit import record_audit
from ...core.errors import Conflict
from ...core.levels import LEVEL_LABELS, LEVEL_NAMES
from ...extensions import db
from ..models import AWARD_LABELS, TIERS, Competition, Reward
from .access import get_competition_for_committee
from .results import result_rows

SOURCE = "competition_promotion"


def ineligible_reason(competition: Competition, held: int | None, target: int) -> str | None:
    """Why a promotion to `target` gets no certificate under the competition's rule (None: eligible)."""
    if not competition.promotion_requires_certificate or target >= 4:
        return None
    if held is not None and held <= target + 1:
        return None
    return (f"未持有{LEVEL_NAMES[target + 1]}（{LEVEL_LABELS[target + 1]}）职业技能等级证书；"
            f"本竞赛规则要求获奖晋级须已持有低一级证书")


def source_key(competition: Competition, reward: Reward) -> str:
    return f"competition:{competition.id}:promotion:{reward.registration_id}"


def promotion_rewards(competition: Competition) -> list[Reward]:
    return list(db.session.execute(select(Reward).options(joinedload(Reward.user).lazyload(User.role_rows)).where(
        Reward.competition_id == competition.id, Reward.kind == "promotion").order_by(Reward.id)).scalars())


@dataclass
class PromotionRow:
    reward: Reward
    status: str  # ineligible, unsent, pending, approved, declined, issued
    text: str
    request: object | None = None


def promotion_rows(competition: Competition) -> list[PromotionRow]:
    """Each promotion with where it stands (constant queries): not eligible (why), not sent yet, with the
    evaluator, issued (number) or declined (why)."""
    requests = requests_for_source(SOURCE, str(competition.id))
    issued = issued_numbers(competition)
    rows = []
    for reward in promotion_rewards(competition):
        key, req = source_key(competition, reward), None
        if reward.ineligible_reason:
            row = PromotionRow(reward, "ineligible", f"不符合晋级条件：{reward.ineligible_reason}")
        elif key in issued:
            row = PromotionRow(reward, "issued", f"已签发，证书编号 {issued[key]}")
        elif (req := requests.get(key)) is None:
            row = PromotionRow(reward, "unsent", "待组委会选择评价机构并发送申请")
        elif req.status == "declined":
            row = PromotionRow(reward, "declined", f"{req.issuer_organization.name}拒绝签发：{req.decision_reason}")
        else:
            row = PromotionRow(reward, req.status, f"已送交{req.issuer_organization.name}，待其审核签发")
        row.request = req
        rows.append(row)
    return rows


def issued_numbers(competition: Competition) -> dict[str, str]:
    return {c.source_key: c.number for c in source_certificates(SOURCE, str(competition.id)) if c.source_key}


def evaluators_for(rows: list[PromotionRow]) -> list[tuple[int, str]]:
    """The picker: evaluators whose valid filing covers a level still to be sent (the committee itself included
    when it is accredited; it then issues directly)."""
    levels = {r.reward.level for r in rows if r.status in ("unsent", "declined")}
    return evaluator_choices(levels) if levels else []


def _evidence(competition: Competition, reward: Reward, row: dict | None) -> list[list[str]]:
    evidence = [["竞赛", f"{competition.title}（{TIERS[competition.tier]}，{competition.organization.name}主办）"],
                ["结果确定", competition.finalized_at.date().isoformat() if competition.finalized_at else ""],
                ["晋级规则", competition.promotion_rule_text]]
    if row is not None:
        evidence.append(["名次与成绩", f"第 {row['rank']} 名，总分 {row['total']:.2f}，{AWARD_LABELS.get(row['award'], '')}"])
        evidence.extend([d["item"], f"{d['score']}（权重 {d['weight']:g}%）"] for d in row["item_details"].values())
    evidence.append(["奖励", reward.title])
    return evidence


def _inputs(competition: Competition, rewards: list[Reward]) -> list[SourceRequestInput]:
    rows = {r["user_id"]: r for r in result_rows(competition)}
    return [SourceRequestInput(
        source_type=SOURCE, source_id=str(competition.id), source_key=source_key(competition, r),
        source_title=competition.title, source_detail=r.title, holder_name=r.user.name, level=r.level,
        holder_user_id=r.user_id, id_number=r.user.id_number, evidence=_evidence(competition, r, rows.get(r.user_id)),
        evidence_link=f"/contests/{competition.id}/results") for r in rewards]


def send_promotion_requests(actor, competition_id: int, evaluator_organization_id) -> RequestOutcome:
    """Send every eligible promotion not yet sent (or declined) to the chosen evaluator; promotions of a level
    outside its filing stay unsent. Idempotent: one request and at most one certificate per reward."""
    competition = get_competition_for_committee(actor, competition_id)
    if competition.state != "final":
        raise Conflict("结果确定后才能发送晋级发证申请", {"competition_id": "结果尚未确定"}, code="wrong_state")
    rewards = [r.reward for r in promotion_rows(competition) if r.status in ("unsent", "declined")]
    outcome = request_issue(actor, competition.organization_id, evaluator_organization_id,
                            _inputs(competition, rewards))
    record_audit("competition.promotion_requests", "competition", competition.id,
                 new={"evaluator": evaluator_organization_id, "requested": len(outcome.requested),
                      "issued": len(outcome.issued), "not_covered": len(outcome.not_covered)}, actor_id=actor.id)
    return outcome


def outcome_text(outcome: RequestOutcome) -> str:
    parts = []
    if outcome.requested:
        parts.append(f"已向评价机构发送 {len(outcome.requested)} 条晋级发证申请，由其审核后签发")
    if outcome.issued:
        parts.append(f"本机构已备案该等级，直接签发 {len(outcome.issued)} 张晋级等级证书")
    if outcome.not_covered:
        parts.append(f"{len(outcome.not_covered)} 条的等级不在该机构备案范围内，请另选评价机构发送")
    return "；".join(parts or ["没有需要发送的晋级申请（已发送或已签发的不会重复）"]) + "。"


def issue_promotion_certificates(actor, competition_id: int) -> list:
    """The `competition_promotion` certificate source: the committee issues directly, which only a committee
    accredited for the levels may do (anyone else gets 403 not_accredited and sends requests instead)."""
    competition = get_competition_for_committee(actor, competition_id)
    if competition.state != "final":
        raise Conflict("结果确定后才能签发晋级证书", {"competition_id": "结果尚未确定"}, code="wrong_state")
    return send_promotion_requests(actor, competition_id, competition.organization_id).issued


CERTIFICATE_SOURCE = CertificateSource(SOURCE, issue_promotion_certificates)
