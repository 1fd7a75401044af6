"""Competition documents for the committee: the results workbook, the award list and the per-item score sheet PDFs
(who may fetch them, what they say, and that odd names cannot break or booby-trap them)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lrc_training.contests.models import Registration
from lrc_training.contests.services.results import publish
from lrc_training.extensions import db
from tests.conftest import login
from tests.contests.helpers import ITEMS, World
from tests.factories import make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def code_of(competition, person) -> str:
    return db.session.query(Registration).filter_by(competition_id=competition.id, user_id=person.id).one().contestant_code


def station_of(competition, person) -> str:
    return db.session.query(Registration).filter_by(competition_id=competition.id, user_id=person.id).one().station_number


def test_results_workbook_hides_names_until_revealed_and_explains_each_item(app, client):
    world = World(judges=5)
    competition = world.ready()
    # one judge far off on contestant 0's practical item: dropped by the trimmed mean of 5
    off = lambda j, p, item: 10 if (j, p, item) == (4, 0, 1) else PLANNED[p][item]  # noqa: E731
    world.score(competition, off, submit=False)
    login(client, "committee")
    book = load_workbook(io.BytesIO(client.get(f"/contests/{competition.id}/results.xlsx").data))
    assert book["成绩"]["C2"].value == "（未揭晓）" and book["成绩"]["D2"].value is None  # sheets not submitted
    assert {row[7] for row in book["2-案例分析"].iter_rows(min_row=2, values_only=True)} == {"未评"}

    world.score(competition, off)
    response = client.get(f"/contests/{competition.id}/results.xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["成绩", "1-理论知识", "2-案例分析"]
    results = book["成绩"]
    assert [c.value for c in results[1]] == ["名次", "参赛编号", "姓名", "单位", "理论知识得分", "理论知识折算（权重30%）",
                                            "案例分析得分", "案例分析折算（权重70%）", "总分", "奖项"]
    assert [c.value for c in results[2]] == [1, code_of(competition, world.people[0]), "选手0", "企业0",
                                            90, 27, 90, 63, 90, "一等奖"]
    assert [c.value for c in results[6]][:4] == [5, code_of(competition, world.people[4]), "选手4", "企业1"]
    assert results.cell(6, 10).value is None  # fifth of five: no award (10/20/30% of 5 → 1 first, 1 second, 1 third)

    practical = book["2-案例分析"]
    assert [c.value for c in practical[1]] == ["工位号", "裁判0（裁判长）", "裁判1", "裁判2", "裁判3", "裁判4", "去掉的分数",
                                              "汇总方式", "项目得分", "满分", "权重%", "折算得分"]
    row = next(r for r in practical.iter_rows(min_row=2, values_only=True) if r[0] == station_of(competition, world.people[0]))
    assert row[1:] == (90, 90, 90, 90, 10, "10.00、90.00", "去掉最高、最低分后平均", 90, 100, 70, 63)


def test_workbook_keeps_typed_text_as_text_and_accepts_any_item_name(app, client):
    world = World()
    items = [dict(ITEMS[0], name="理论[笔试]"), dict(ITEMS[1], name="案例分析/文书:制作?")]
    competition = world.ready(items=items)
    world.people[0].name = '=HYPERLINK("http://example.invalid","点此")'
    world.companies[0].name = "=1+2"
    db.session.commit()
    world.score(competition, PLANNED)
    login(client, "committee")
    book = load_workbook(io.BytesIO(client.get(f"/contests/{competition.id}/results.xlsx").data))
    assert book.sheetnames == ["成绩", "1-理论_笔试_", "2-案例分析_文书_制作_"]
    name, organization = book["成绩"]["C2"], book["成绩"]["D2"]
    assert (name.value, name.data_type) == ('=HYPERLINK("http://example.invalid","点此")', "s")  # text, not a formula
    assert (organization.value, organization.data_type) == ("=1+2", "s")


def test_award_list_waits_for_publication_and_lists_each_band(app, client):
    world = World()
    competition = world.ready(venue="聊城市技师学院")
    world.score(competition, PLANNED)
    login(client, "committee")
    refused = client.get(f"/contests/{competition.id}/award-list.pdf", follow_redirects=True)
    assert refused.request.path == f"/contests/{competition.id}"
    assert "结果公布后才能生成获奖名单" in refused.get_data(as_text=True)

    publish(world.staff, competition)
    db.session.commit()
    award_list = client.get(f"/contests/{competition.id}/award-list.pdf")
    assert award_list.headers["Content-Type"] == "application/pdf"
    text = pdf_text(award_list.data)
    assert "获奖名单" in text and "聊城市劳动关系协调员技能竞赛" in text and "市级竞赛" in text and "聊城市技师学院" in text
    assert text.index("一等奖（1名）") < text.index("选手0") < text.index("二等奖（1名）") < text.index("选手1") \
        < text.index("三等奖（1名）") < text.index("选手2")
    assert "企业0" in text and "90.00" in text and "选手3" not in text and "选手4" not in text
    assert "公示期内可向竞赛监督仲裁组提出书面申诉" in text and "聊城市总工会（盖章）" in text


def test_award_list_in_the_national_style(app, client):
    world = World(contestants=8)
    competition = world.ready(award_mode="national")
    world.score(competition, lambda j, p, item: 90 - 5 * p)
    publish(world.staff, competition)
    db.session.commit()
    login(client, "committee")
    text = pdf_text(client.get(f"/contests/{competition.id}/award-list.pdf").data)
    # ranks 1–3 gold, silver, bronze; the rest of the top half (rank 4 of 8) 优胜奖
    assert text.index("金奖（1名）") < text.index("银奖（1名）") < text.index("铜奖（1名）") < text.index("优胜奖（1名）") \
        < text.index("选手3")
    assert "选手4" not in text and "一等奖" not in text


def test_score_sheet_for_signing_says_when_sheets_are_missing(app, client):
    world = World()  # three judges: the plain mean
    competition = world.ready()
    world.score(competition, PLANNED, judges=world.judges[:2])
    login(client, "committee")
    text = pdf_text(client.get(f"/contests/{competition.id}/items/1/score-sheet.pdf").data)
    assert "尚有5份评分表未提交，本表不是最终成绩" in text  # judge 2's five practical sheets

    world.score(competition, PLANNED, judges=world.judges[2:])
    sheet = client.get(f"/contests/{competition.id}/items/1/score-sheet.pdf")
    assert sheet.headers["Content-Type"] == "application/pdf"
    text = pdf_text(sheet.data)
    assert "评分汇总表" in text and "案例分析" in text and "权重70%" in text and "不是最终成绩" not in text
    assert "裁判0" in text and "裁判2" in text and "裁判签名" in text and "裁判长（裁判0）签名" in text
    # a practical item's judges sign it: stations only (二次加密), never a code or a name
    assert "工位号" in text and f"{station_of(competition, world.people[1])}80.0080.0080.0080.0056.00" in text
    assert "选手1" not in text and code_of(competition, world.people[1]) not in text
    theory = pdf_text(client.get(f"/contests/{competition.id}/items/0/score-sheet.pdf").data)
    assert "参赛编号" in theory and code_of(competition, world.people[1]) in theory
    assert client.get(f"/contests/{competition.id}/items/7/score-sheet.pdf").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [
    ("other_staff", {"xlsx": 404, "award": 404, "sheet": 404}),  # another organization's committee
    ("trainee", {"xlsx": 403, "award": 403, "sheet": 403}),  # a contestant
    ("judge", {"xlsx": 403, "award": 403, "sheet": 404}),  # on the panel but not its chief
    ("chief", {"xlsx": 403, "award": 403, "sheet": 200}),  # the chief judge prints the score sheet to sign it
    ("admin", {"xlsx": 200, "award": 200, "sheet": 200}),
    ("committee", {"xlsx": 200, "award": 200, "sheet": 200}),
])
def test_documents_belong_to_the_committee(app, client, who, expected):
    world = World()
    competition = world.ready()
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    make_user("org_staff", username="other_staff", org=make_org("别的机构"))
    make_user("admin", username="admin")
    db.session.commit()
    username = {"trainee": "p0", "judge": "j1", "chief": "j0"}.get(who, who)
    login(client, username)
    urls = {"xlsx": f"/contests/{competition.id}/results.xlsx", "award": f"/contests/{competition.id}/award-list.pdf",
            "sheet": f"/contests/{competition.id}/items/1/score-sheet.pdf"}
    assert {key: client.get(url).status_code for key, url in urls.items()} == expected


def test_documents_need_a_sign_in(app, client):
    world = World()
    competition = world.ready()
    response = client.get(f"/contests/{competition.id}/results.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
