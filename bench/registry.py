"""Registry benchmark at a province's size: seeds Shandong organizations (200,000 enterprises and 5,000 other
organizations, platforms serving 20 enterprises each), 100,000 certified coordinators (level certificates issued
over two years), 1,000,000 work records (1 % of them risk reports), 100,000 course completions and 1,000,000 exam
applications with their attempts and published theory results (spread over a year), then times the statistics
dashboard — counts by level / kind / subregion, enterprise coverage, 12-month trends, large enterprises — at
province, city and county level, as the service and as the HTTP page, with SQL statement counts; then the coverage
page (per subregion and the uncovered enterprises), one coordinator's record page and the Excel export (every
table, including the whole list of people). The staff are 人社 (hrss) staff of the province, a city and a county.

Usage: .venv/bin/python bench/registry.py     (SQLite; a few minutes, mostly seeding)
       BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/registry.py
       BENCH_COORDINATORS=10000 BENCH_ATTEMPTS=100000 BENCH_ENTERPRISES=20000 BENCH_WORK_RECORDS=100000 for a
       quicker run; BENCH_REUSE=1 with BENCH_DATABASE_URL times a database an earlier run seeded (no seeding)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

from _timing import load_line, timed  # noqa: E402  (bench/ is on the path when a script runs)
from sqlalchemy import insert, select  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.auth.models import Organization, User, UserRole  # noqa: E402
from lrc_training.certificates.models import Certificate  # noqa: E402
from lrc_training.core.regions import COUNTIES  # noqa: E402
from lrc_training.courses.models import Course, Enrollment  # noqa: E402
from lrc_training.db import utcnow  # noqa: E402
from lrc_training.exams.models import Application, Attempt, ExamSession, PartResult  # noqa: E402
from lrc_training.exams.services.outcomes import rebuild  # noqa: E402
from lrc_training.extensions import db  # noqa: E402
from lrc_training.registry.models import RiskReport, ServiceArea, WorkRecord  # noqa: E402
from lrc_training.registry.services.access import Access  # noqa: E402
from lrc_training.registry.services.coverage import coverage_by_subregion  # noqa: E402
from lrc_training.registry.services.periods import default_period  # noqa: E402
from lrc_training.registry.services.snapshot import build_snapshot  # noqa: E402
from lrc_training.registry.services.statistics import statistics as registry_statistics  # noqa: E402
from lrc_training.registry.services.trends import large_enterprise_gaps, monthly_trends  # noqa: E402

COORDINATORS = int(os.environ.get("BENCH_COORDINATORS", "100000"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "1000000"))
ORGANIZATIONS = 5000
ENTERPRISES = int(os.environ.get("BENCH_ENTERPRISES", "200000"))
WORK_RECORDS = int(os.environ.get("BENCH_WORK_RECORDS", "1000000"))
SERVED_PER_PLATFORM = 20
PROVINCE = "37"  # Shandong: the staff below are its province, 聊城 city (3715) and 东昌府区 (371502) offices
SESSIONS = 200
CHUNK = 20000
PASSWORD = "Bench12345"  # noqa: S105 - a throwaway benchmark database


def chunks(rows):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def bulk(model, rows) -> None:
    for part in chunks(rows):
        db.session.execute(insert(model), part)


def seed(app) -> None:
    rng = random.Random(2026)
    now = utcnow()
    today = now.date()
    # Every organization in a Shandong county (about 136 of them): the province's staff see the whole volume.
    counties = sorted(code for code in COUNTIES if code.startswith(PROVINCE))
    with app.app_context():
        db.drop_all()
        db.create_all()
        province = Organization(name="山东省人力资源和社会保障厅", kind="hrss", region_code="370000")
        city = Organization(name="聊城市人力资源和社会保障局", kind="hrss", region_code="371500")
        county = Organization(name="东昌府区人力资源和社会保障局", kind="hrss", region_code="371502")
        evaluator = Organization(name="山东省劳动关系协调师职业技能等级认定中心", kind="evaluator", region_code="370000")
        db.session.add_all([province, city, county, evaluator])
        db.session.flush()
        kinds = ["enterprise"] * 7 + ["platform", "union", "employer_org"]
        bulk(Organization, [{"name": f"单位{i:05d}", "kind": kinds[i % len(kinds)],
                             "region_code": counties[i % len(counties)], "active": True,
                             "employees": rng.choice([50, 200, 800, 1500, 6000]), "created_at": now,
                             "updated_at": now, "version": 1} for i in range(ORGANIZATIONS)])
        org_ids = list(db.session.execute(select(Organization.id).where(Organization.name.like("单位%"))
                                          .order_by(Organization.id)).scalars())
        seed_enterprises(rng, counties, now)
        template = User(username="t", name="t")
        template.set_password(PASSWORD)
        for username, org in (("province", province), ("city", city), ("county", county)):
            staff = User(username=username, name=f"{username} staff", organization_id=org.id)
            staff.set_password(PASSWORD)
            staff.set_roles(["org_staff"])
            db.session.add(staff)
        bulk(User, [{"username": f"c{i:06d}", "password_hash": template.password_hash, "name": f"协调员{i}",
                     "organization_id": org_ids[rng.randrange(len(org_ids))], "session_stamp": "x", "active": True,
                     "created_at": now, "updated_at": now, "version": 1} for i in range(COORDINATORS)])
        users = list(db.session.execute(select(User.id).where(User.username.like("c%")).order_by(User.id)).scalars())
        bulk(UserRole, [{"user_id": u, "role": "trainee"} for u in users])
        bulk(Certificate, [{"number": f"S00003715000126{n:07d}", "kind": "level", "status": "valid",
                            "holder_name": "协调员", "holder_user_id": u, "id_type": "居民身份证",
                            "occupation": "劳动关系协调师", "job_direction": "--", "level": rng.choice([4, 4, 4, 3, 3, 2, 1]),
                            "issuer_organization_id": evaluator.id, "issuer_name": evaluator.name,
                            "issued_on": today - timedelta(days=rng.randrange(730)), "source_type": "import",
                            "created_at": now, "updated_at": now} for n, u in enumerate(users)])
        course = Course(organization_id=evaluator.id, title="劳动关系协调师四级培训", level=4, hours=40, capacity=100000,
                        starts_on=today, ends_on=today, enrollment_closes_at=now, status="published",
                        completion_share=0.8)
        db.session.add(course)
        db.session.flush()
        bulk(Enrollment, [{"course_id": course.id, "user_id": u, "status": "completed", "hours_attended": 40,
                           "completed_at": now - timedelta(days=rng.randrange(365)), "created_at": now,
                           "updated_at": now} for u in users[: min(len(users), 200000)]])
        bulk(ExamSession, [{"organization_id": evaluator.id, "title": f"第{s}批认定", "level": 4, "parts": ["theory"],
                            "opens_at": now - timedelta(days=365 - s), "closes_at": now - timedelta(days=364 - s),
                            "applications_close_at": now - timedelta(days=366 - s), "duration_minutes": 90,
                            "pass_mark": 60, "practical_pass_mark": 60, "review_pass_mark": 60, "blueprint": [],
                            "partial_credit": False, "examiners_per_paper": 3, "arbitration_share": 0.2,
                            "part_validity_years": 2, "allow_review": True, "state": "published",
                            "published_at": now - timedelta(days=360 - s), "created_at": now, "updated_at": now,
                            "version": 1} for s in range(SESSIONS)])
        sessions = list(db.session.execute(select(ExamSession.id, ExamSession.published_at)
                                           .order_by(ExamSession.id)).all())
        per_session = -(-ATTEMPTS // len(sessions))
        made = 0
        for session_id, published_at in sessions:
            count = min(per_session, ATTEMPTS - made, len(users))
            if count <= 0:
                break
            people = rng.sample(users, count)
            bulk(Application, [{"session_id": session_id, "user_id": u, "status": "approved", "work_years": 5,
                                "education": "none", "related_major": False, "exempt_parts": [], "created_at": now,
                                "updated_at": now, "version": 1} for u in people])
            apps = list(db.session.execute(select(Application.id, Application.user_id).where(
                Application.session_id == session_id)).all())
            bulk(Attempt, [{"application_id": a, "started_at": published_at - timedelta(days=5),
                            "deadline": published_at - timedelta(days=5) + timedelta(minutes=90), "status": "submitted",
                            "submitted_at": published_at - timedelta(days=5), "submitted_by": "candidate",
                            "objective_score": 70, "total_points": 100} for a, _ in apps])
            scores = [rng.randint(30, 100) for _ in apps]
            bulk(PartResult, [{"application_id": a, "user_id": u, "level": 4, "part": "theory", "score": score,
                               "passed": score >= 60, "published_at": published_at}
                              for (a, u), score in zip(apps, scores, strict=True)])
            made += count
            db.session.commit()
        seed_work(rng, users, today, now)
        db.session.commit()


def seed_enterprises(rng, counties, now) -> None:
    """ENTERPRISES more enterprises (no coordinators of their own: most are small) and each platform's service
    area: SERVED_PER_PLATFORM enterprises of its own county."""
    bulk(Organization, [{"name": f"企业{i:06d}", "kind": "enterprise", "region_code": counties[i % len(counties)],
                         "active": True, "employees": rng.choice([8, 15, 30, 60, 120, 400, 1200]),
                         "created_at": now, "updated_at": now, "version": 1} for i in range(ENTERPRISES)])
    by_county: dict[str, list[int]] = {}
    for org_id, region in db.session.execute(select(Organization.id, Organization.region_code).where(
            Organization.name.like("企业%"))):
        by_county.setdefault(region, []).append(org_id)
    areas = []
    for platform_id, region in db.session.execute(select(Organization.id, Organization.region_code).where(
            Organization.kind == "platform", Organization.name.like("单位%"))):
        pool = by_county.get(region, [])
        areas += [{"platform_id": platform_id, "enterprise_id": e}
                  for e in rng.sample(pool, min(SERVED_PER_PLATFORM, len(pool)))]
    bulk(ServiceArea, list({(a["platform_id"], a["enterprise_id"]): a for a in areas}.values()))
    db.session.commit()


def seed_work(rng, users, today, now) -> None:
    """WORK_RECORDS work records of the coordinators over a year, at enterprises; 1 % are risk reports."""
    enterprises = list(db.session.execute(select(Organization.id, Organization.region_code).where(
        Organization.kind == "enterprise")).all())
    kinds = ["consultation", "mediation", "negotiation", "rules", "training"]
    for start in range(0, WORK_RECORDS, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, WORK_RECORDS)):
            user = users[rng.randrange(len(users))]
            risk = i % 100 == 0
            rows.append({"user_id": user, "kind": "risk" if risk else kinds[i % len(kinds)],
                         "occurred_on": today - timedelta(days=rng.randrange(365)),
                         "enterprise_id": enterprises[rng.randrange(len(enterprises))][0],
                         "summary": "调解工资争议" if not risk else "拖欠工资隐患", "people": rng.randint(1, 40),
                         "severity": rng.choice(["low", "medium", "high"]) if risk else None,
                         "recorded_by_id": user, "created_at": now})
        db.session.execute(insert(WorkRecord), rows)
    region = dict(enterprises)
    risks = db.session.execute(select(WorkRecord.id, WorkRecord.enterprise_id, WorkRecord.severity).where(
        WorkRecord.kind == "risk")).all()
    bulk(RiskReport, [{"work_record_id": r, "enterprise_id": e, "region_code": region[e], "severity": sev,
                       "status": "open" if r % 3 else "closed", "opened_at": now} for r, e, sev in risks])
    db.session.commit()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.environ['LRC_INSTANCE_PATH']}/bench.db"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    print(f"database: {url.split('://')[0]}; {COORDINATORS:,} coordinators, {ENTERPRISES:,} enterprises, "
          f"{WORK_RECORDS:,} work records, {ATTEMPTS:,} exam attempts; " + load_line())
    reuse = os.environ.get("BENCH_REUSE") == "1" and os.environ.get("BENCH_DATABASE_URL")
    if not reuse:
        started = time.perf_counter()
        seed(app)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        # The results were written in bulk, not published through the exams service: recount the monthly outcome
        # counters once, as `flask stats rebuild-exam-outcomes` does after an upgrade.
        started = time.perf_counter()
        rows = rebuild()
        db.session.commit()
        print(f"exam outcome counters rebuilt from {ATTEMPTS:,} results in {time.perf_counter() - started:.1f} s "
              f"({rows} month × organization rows)")
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            # As autovacuum leaves a live database: statistics for the planner and the visibility map that lets
            # index-only scans skip the table (right after a bulk load every row would be fetched again).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        for label, prefix, code in (("province 37", "37", "370000"), ("city 3715", "3715", "371500"),
                                    ("county 371502", "371502", "371502")):
            timed(f"statistics() {label}", engine, lambda p=prefix, c=code: registry_statistics(
                Access(p, c, p)))
            timed(f"monthly_trends() {label}", engine, lambda p=prefix: monthly_trends(Access.region(p)))
            timed(f"large_enterprise_gaps() {label}", engine, lambda p=prefix: large_enterprise_gaps(Access.region(p), 20))
            timed(f"coverage_by_subregion() {label}", engine, lambda p=prefix: coverage_by_subregion(Access.region(p)))
            timed(f"report snapshot {label} (last quarter)", engine, lambda p=prefix: build_snapshot(
                p, default_period(utcnow().date()), []))
    with app.app_context():  # a coordinator in 东昌府区, inside every staff member's scope
        person = db.session.execute(select(User.id).join(Organization, Organization.id == User.organization_id).where(
            User.username.like("c%"), Organization.region_code == "371502").limit(1)).scalar_one()
    for username in ("province", "city", "county"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        timed(f"GET /registry/ as {username} staff (the whole dashboard)", engine,
              lambda c=client: c.get("/registry/").status_code == 200 or sys.exit("dashboard failed"))
        timed(f"GET /registry/list as {username} staff (first page)", engine,
              lambda c=client: c.get("/registry/list").status_code == 200 or sys.exit("list failed"))
        timed(f"GET /registry/coverage as {username} staff (per subregion + first page)", engine,
              lambda c=client: c.get("/registry/coverage").status_code == 200 or sys.exit("coverage failed"))
        timed(f"GET /registry/people/<id> as {username} staff", engine,
              lambda c=client: c.get(f"/registry/people/{person}").status_code == 200 or sys.exit("record failed"))
        timed(f"GET /registry/export.xlsx as {username} staff (every table)", engine,
              lambda c=client: c.get("/registry/export.xlsx").status_code == 200 or sys.exit("export failed"),
              repeat=1)


if __name__ == "__main__":
    main()
