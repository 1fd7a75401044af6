"""/verify takes a certificate number as people type or paste it: any case, spaces, full-width characters, dashes."""

from __future__ import annotations

import pytest

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.certificates.services.verification import normalize_number, verify
from lrc_training.extensions import db
from tests.factories import make_org, valid_id_number

ASCII = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-"
FULL_WIDTH = str.maketrans(ASCII, "".join(chr(ord(c) + 0xFEE0) for c in ASCII))  # what a Chinese input method types


@pytest.fixture
def certificates():
    org = make_org("山东省劳动关系协调员职业技能等级认定中心", kind="evaluator", region_code="370000")
    level, _ = issue_certificate(IssueRequest(kind="level", holder_name="陈晓燕", issuer_organization_id=org.id,
                                              source_type="manual", level=3, id_number=valid_id_number()))
    award, _ = issue_certificate(IssueRequest(kind="award", holder_name="赵文博", issuer_organization_id=org.id,
                                              source_type="competition", source_id="3", award="一等奖",
                                              event_title="聊城市劳动关系协调员技能竞赛", rank=1,
                                              number_prefix="2026LCJS-"))
    db.session.commit()
    return level.number, award.number


def spaced(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize("typed", [
    lambda n: n.lower(),
    lambda n: f"  {n}\t",
    spaced,
    lambda n: spaced(n).replace(" ", "\u3000"),  # ideographic spaces
    lambda n: n.translate(FULL_WIDTH),  # typed with a full-width input method
    lambda n: spaced(n).replace(" ", "-"),
    lambda n: spaced(n).replace(" ", "\u2014"),  # an em dash from a word processor
    lambda n: spaced(n.lower()).translate(FULL_WIDTH).replace(" ", "－"),
])
def test_a_level_number_is_found_however_it_is_typed(client, certificates, typed):
    number, _ = certificates
    page = client.get("/verify", query_string={"number": typed(number), "name": "陈晓燕"}).get_data(as_text=True)
    assert "证书有效" in page
    assert "未找到" not in page and number in page


@pytest.mark.parametrize("typed", ["2026lcjs-0001", "2026LCJS0001", "2026 LCJS－0001", "２０２６ＬＣＪＳ—０００１"])
def test_an_award_number_keeps_its_own_hyphens_but_they_are_optional(app, certificates, typed):
    _, number = certificates
    assert number == "2026LCJS-0001"
    result = verify(typed, "赵文博")
    assert result is not None and result.number == number


def test_normalizing_never_makes_a_wrong_number_or_name_match(app, certificates):
    number, award = certificates
    assert verify(number[:-1] + ("0" if number[-1] != "0" else "1"), "陈晓燕") is None
    assert verify(number, "陈小燕") is None
    assert verify("2026LCJS-00", "赵文博") is None and verify("", "赵文博") is None
    assert verify("-" * 30, "赵文博") is None and verify("x" * 500, "赵文博") is None


def test_normalize_number():
    assert normalize_number("ｓ０００ 0０37－1500\u300001") == "S0000037-150001"
    assert normalize_number(None) == ""


def test_the_api_verifies_a_spaced_number_too(client, certificates):
    number, _ = certificates
    response = client.get(f"/api/v1/verify/{spaced(number.lower())}", query_string={"name": "陈晓燕"})
    assert response.status_code == 200 and response.get_json()["number"] == number
