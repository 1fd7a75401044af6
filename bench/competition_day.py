"""Competition-day benchmark from the database: 2,000 contestants × 3 items × 7 judges × 10 criteria (42,000 judging
sheets, 420,000 scores) seeded in bulk, then the results service (`standings`: every sheet read, aggregated exactly,
ranked, awarded), the committee's control room, the chief judge's progress page and the results API timed, with
their SQL statement counts. bench/ranking.py times the same arithmetic without a database.

Usage: .venv/bin/python bench/competition_day.py
       BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/competition_day.py
       BENCH_CONTESTANTS=500 for a quicker run
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

from _timing import load_line, timed  # noqa: E402  (bench/ is on the path when a script runs)
from sqlalchemy import insert, select  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.auth.models import Organization, User, UserRole  # noqa: E402
from lrc_training.contests.models import (  # noqa: E402
    Competition,
    CompetitionItem,
    Criterion,
    JudgeAssignment,
    JudgingSheet,
    Registration,
)
from lrc_training.contests.services.oversight import progress  # noqa: E402
from lrc_training.contests.services.results import standings  # noqa: E402
from lrc_training.db import utcnow  # noqa: E402
from lrc_training.extensions import db  # noqa: E402

CONTESTANTS = int(os.environ.get("BENCH_CONTESTANTS", "2000"))
ITEMS, JUDGES, CRITERIA = 3, 7, 10
PASSWORD = "Bench12345"  # noqa: S105 - a throwaway benchmark database


def seed(app) -> int:
    rng = random.Random(2026)
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        committee = Organization(name="山东省职业技能竞赛组委会", kind="evaluator", region_code="370000")
        school = Organization(name="山东劳动职业技术学院", kind="school", region_code="370100")
        db.session.add_all([committee, school])
        db.session.flush()
        companies = [{"name": f"参赛企业{i}", "kind": "enterprise", "region_code": "371502", "created_at": now,
                      "updated_at": now, "version": 1} for i in range(200)]
        db.session.execute(insert(Organization), companies)
        company_ids = list(db.session.execute(select(Organization.id).where(
            Organization.name.like("参赛企业%"))).scalars())
        template = User(username="t", name="t")
        template.set_password(PASSWORD)
        staff = User(username="committee", name="组委会", organization_id=committee.id)
        staff.set_password(PASSWORD)
        staff.set_roles(["org_staff"])
        db.session.add(staff)
        judges = [{"username": f"judge{j}", "password_hash": template.password_hash, "name": f"裁判{j}",
                   "organization_id": school.id, "session_stamp": "x", "active": True, "created_at": now,
                   "updated_at": now, "version": 1} for j in range(ITEMS * JUDGES)]
        people = [{"username": f"p{i}", "password_hash": template.password_hash, "name": f"选手{i}",
                   "organization_id": company_ids[i % len(company_ids)], "session_stamp": "x", "active": True,
                   "created_at": now, "updated_at": now, "version": 1} for i in range(CONTESTANTS)]
        db.session.execute(insert(User), judges + people)
        judge_ids = list(db.session.execute(select(User.id).where(User.username.like("judge%"))
                                            .order_by(User.id)).scalars())
        people_ids = list(db.session.execute(select(User.id).where(User.username.like("p%"))
                                             .order_by(User.id)).scalars())
        db.session.execute(insert(UserRole), [{"user_id": j, "role": "judge"} for j in judge_ids])
        competition = Competition(
            organization_id=committee.id, title="山东省劳动关系协调师职业技能竞赛", tier="provincial", level=3,
            registration_closes_at=now - timedelta(days=1), award_ratios={"first": 0.1, "second": 0.2, "third": 0.3},
            state="drawn", eligibility={}, tie_break=["practical", "theory"], promotion_awards=[])
        for position, (name, kind, weight) in enumerate((("理论知识", "theory", 30), ("案例分析", "practical", 35),
                                                        ("调解模拟", "practical", 35))):
            competition.items.append(CompetitionItem(position=position, name=name, kind=kind, weight=weight, criteria=[
                Criterion(position=c, name=f"评分要点{c + 1}", max_points=10) for c in range(CRITERIA)]))
        db.session.add(competition)
        db.session.flush()
        db.session.execute(insert(Registration), [
            {"competition_id": competition.id, "user_id": uid, "organization_id": company_ids[n % len(company_ids)],
             "status": "approved", "contestant_code": f"C{n + 1:05d}", "station_number": f"{n + 1:04d}",
             "checked_in_at": now, "created_at": now, "updated_at": now} for n, uid in enumerate(people_ids)])
        registration_ids = list(db.session.execute(select(Registration.id).order_by(Registration.id)).scalars())
        sheets = []
        for index, item in enumerate(competition.items):
            panel = judge_ids[index * JUDGES:(index + 1) * JUDGES]
            db.session.add_all(JudgeAssignment(competition_id=competition.id, item_id=item.id, user_id=j,
                                               is_chief=n == 0) for n, j in enumerate(panel))
            criterion_ids = [str(c.id) for c in item.criteria]
            for registration_id in registration_ids:
                for judge_id in panel:
                    scores = {c: f"{rng.randint(0, 100) / 10:.1f}" for c in criterion_ids}
                    sheets.append({"item_id": item.id, "judge_id": judge_id, "registration_id": registration_id,
                                   "scores": scores, "total": sum(Decimal(v) for v in scores.values()),
                                   "version": 2, "submitted_at": now})
        for start in range(0, len(sheets), 5000):
            db.session.execute(insert(JudgingSheet), sheets[start:start + 5000])
        db.session.commit()
        return competition.id


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.environ['LRC_INSTANCE_PATH']}/bench.db"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    print(f"database: {url.split('://')[0]}; {CONTESTANTS} contestants × {ITEMS} items × {JUDGES} judges × "
          f"{CRITERIA} criteria = {CONTESTANTS * ITEMS * JUDGES:,} sheets; " + load_line())
    started = time.perf_counter()
    competition_id = seed(app)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    with app.app_context():
        engine = db.engine
        competition = db.session.get(Competition, competition_id)
        staff = db.session.execute(select(User).where(User.username == "committee")).scalar_one()
        chief = db.session.execute(select(User).where(User.username == "judge0")).scalar_one()

        def ranked():
            db.session.expire_all()
            ordered = standings(db.session.get(Competition, competition_id))
            assert len(ordered) == CONTESTANTS

        timed("standings(): read, aggregate, rank, award", engine, ranked)
        timed("progress(): chief judge's progress and outliers (1 item)", engine, lambda: progress(chief, competition_id))
        timed("progress(): committee, all items", engine, lambda: progress(staff, competition_id))
        assert competition.state == "drawn"
    client = app.test_client()
    client.post("/login", data={"username": "committee", "password": PASSWORD})
    timed("GET /contests/<id> (control room, every row)", engine,
          lambda: client.get(f"/contests/{competition_id}").status_code == 200 or sys.exit("page failed"))
    timed("GET /contests/<id>/oversight", engine,
          lambda: client.get(f"/contests/{competition_id}/oversight").status_code == 200 or sys.exit("page failed"))


if __name__ == "__main__":
    main()
