"""Competition documents and the public notice: the results workbook, the award list and score sheet PDFs, and
the public results pages (only once published; no ID numbers; constant queries)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from lrc_training.contests.models import Registration
from lrc_training.contests.results import publish
from lrc_training.extensions import db
from tests.conftest import login
from tests.contests.helpers import World
from tests.contests.test_competition_journey_pages import switch_user
from tests.factories import make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def test_results_workbook_hides_names_until_revealed_and_explains_each_item(app, client):
    world = World(judges=5)
    competition = world.ready()
    # one judge far off on contestant 0's practical item: dropped by the trimmed mean of 5
    world.score(competition, lambda j, p, item: 10 if (j, p, item) == (4, 0, 1) else PLANNED[p][item], submit=False)
    login(client, "committee")
    book = load_workbook(io.BytesIO(client.get(f"/contests/{competition.id}/results.xlsx").data))
    assert book["成绩"]["C2"].value == "（未揭晓）"  # sheets not submitted: names hidden
    world.score(competition, lambda j, p, item: 10 if (j, p, item) == (4, 0, 1) else PLANNED[p][item])
    response = client.get(f"/contests/{competition.id}/results.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    results = book["成绩"]
    assert [c.value for c in results[1]][:4] == ["名次", "参赛编号", "姓名", "单位"]
    assert [results["A2"].value, results["C2"].value, results["D2"].value] == [1, "选手0", "企业0"]
    assert results.cell(2, results.max_column).value == "一等奖"
    practical = book["2-案例分析"]
    header = [c.value for c in practical[1]]
    assert header[1:6] == ["裁判0", "裁判1", "裁判2", "裁判3", "裁判4"]
    first = next(row for row in practical.iter_rows(min_row=2, values_only=True)
                 if row[5] == 10.0)  # contestant 0's row: judge 4 gave 10
    assert first[6] == "10、90" and first[7] == "去掉最高、最低分后平均" and first[8] == 90.0


def test_award_list_and_score_sheet_pdfs(app, client):
    world = World()
    competition = world.ready(venue="聊城市技师学院")
    world.score(competition, PLANNED)
    login(client, "committee")
    assert client.get(f"/contests/{competition.id}/award-list.pdf").status_code == 409  # not published yet
    publish(world.staff, competition)
    db.session.commit()
    award_list = client.get(f"/contests/{competition.id}/award-list.pdf")
    assert award_list.headers["Content-Type"] == "application/pdf"
    text = _text(award_list.data)
    assert "获奖名单" in text and "一等奖（1名）" in text and "选手0" in text and "企业0" in text
    assert "公示期内可向竞赛监督仲裁组提出书面申诉" in text
    sheet = client.get(f"/contests/{competition.id}/items/1/score-sheet.pdf")
    text = _text(sheet.data)
    assert "评分汇总表" in text and "案例分析" in text and "裁判长（裁判0）签名" in text
    code = db.session.query(Registration).filter_by(user_id=world.people[0].id).one().contestant_code
    assert code in text and "90.00" in text
    assert client.get(f"/contests/{competition.id}/items/7/score-sheet.pdf").status_code == 404
    # a judge who is not the item's chief cannot print it; the chief can
    switch_user(client, "j1")
    assert client.get(f"/contests/{competition.id}/items/1/score-sheet.pdf").status_code == 404
    switch_user(client, "j0")
    assert client.get(f"/contests/{competition.id}/items/1/score-sheet.pdf").status_code == 200
    # another organization's staff see nothing
    make_user("org_staff", username="other", org=make_org("别的机构"))
    switch_user(client, "other")
    assert client.get(f"/contests/{competition.id}/results.xlsx").status_code == 404
    assert client.get(f"/contests/{competition.id}/award-list.pdf").status_code == 404


def test_public_results_appear_only_after_publication_without_personal_data(app, client, count_queries):
    small, large = World(contestants=3, prefix="s"), World(contestants=12, prefix="l")
    counts = []
    for world in (small, large):
        competition = world.ready()
        world.score(competition, lambda j, p, item: 90 - p)
        assert client.get(f"/contests/{competition.id}/results").status_code == 404
        publish(world.staff, competition)
        db.session.commit()
        with count_queries() as counter:
            page = client.get(f"/contests/{competition.id}/results")
        counts.append(counter.count)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and f"{world.people[0].name}" in text and "一等奖" in text
        assert "公示期至" in text and world.people[0].id_number not in text
        assert world.people[0].phone not in text
    assert counts[0] == counts[1]
    listing = client.get("/contests/results").get_data(as_text=True)
    assert "公示中" in listing and len(re.findall(r'/contests/\d+/results"', listing)) == 2
