"""The public notice (公示): competitions whose results are published or final, and per competition the ranks,
names, organizations, totals and awards. A competition not yet published does not exist here (404). Names are
shown in full — docs/domain.md reveals them on publication and a 公示 lists them — but never ID numbers, phones or
judges. Each page reads in a fixed number of statements whatever the number of contestants."""

from __future__ import annotations

from flask import abort, render_template

from ...core.access import public
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ..models import AWARD_LABELS
from ..queries import PUBLIC_STATES, competition_by_id, organizations_by_contestant, public_competitions
from ..services.appeals import appeal_window_open
from ..services.results import result_rows
from . import bp

# Signed-in users find it in the navigation; visitors through the footer link in base.html.
NAV = [NavItem("竞赛结果公示", "contests.public_results", description="已公布的竞赛成绩与获奖名单", group="技能竞赛")]


@bp.route("/results")
@public
def public_results():
    page = paginate_page(public_competitions())
    return render_template("contests/public_index.html", page=page)


@bp.route("/<int:competition_id>/results")
@public
def public_result(competition_id: int):
    competition = competition_by_id(competition_id)
    if competition is None or competition.state not in PUBLIC_STATES:
        abort(404)
    organizations = organizations_by_contestant(competition.id)
    advancing = competition.advance_count if competition.stage == "preliminary" else None
    rows = [{"rank": row["rank"], "name": row["name"], "organization": organizations.get(row["user_id"], ""),
             "scores": {position: d["score"] for position, d in row["item_details"].items()},
             "total": row["total"], "award": AWARD_LABELS.get(row["award"], ""),
             "advances": advancing is not None and row["rank"] <= advancing} for row in result_rows(competition)]
    return render_template("contests/public_results.html", competition=competition, rows=rows, advancing=advancing,
                           appeal_open=appeal_window_open(competition), awards=AWARD_LABELS)
