"""Courses benchmark: the catalog page and the management list on 2,000 courses (time and query count), and
enrollment throughput with many threads enrolling at once into a small course (capacity never exceeded).

Usage: .venv/bin/python bench/courses.py   (BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL, which the
concurrent part needs to mean anything; SQLite serialises writers)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

from sqlalchemy import event, func, insert, select  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.auth.models import Organization, User, UserRole  # noqa: E402
from lrc_training.core.work_areas import ensure_default_work_areas  # noqa: E402
from lrc_training.courses.models import Course, Enrollment, course_instructors, course_work_areas  # noqa: E402
from lrc_training.courses.services.enrollment import enroll_trainee  # noqa: E402
from lrc_training.db import utcnow  # noqa: E402
from lrc_training.extensions import db  # noqa: E402

COURSES = int(os.environ.get("BENCH_COURSES", "2000"))
THREADS = int(os.environ.get("BENCH_THREADS", "12"))


def seed(app) -> dict:
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_default_work_areas()
        school = Organization(name="聊城高级技工学校", kind="school", region_code="371502")
        db.session.add(school)
        db.session.flush()
        teacher = User(username="teacher", name="李秀梅", organization_id=school.id)
        teacher.set_password("Bench12345")
        teacher.set_roles(["instructor", "org_staff"])
        db.session.add(teacher)
        db.session.flush()
        now, start = utcnow(), date.today() + timedelta(days=10)
        rows = [{"organization_id": school.id, "title": f"劳动合同管理实务 第{i}期", "level": 4 - i % 4, "hours": 40,
                 "capacity": 50, "starts_on": start + timedelta(days=i % 90), "ends_on": start + timedelta(days=i % 90 + 30),
                 "enrollment_closes_at": now + timedelta(days=30), "online": False, "requires_approval": False,
                 "completion_share": 0.8, "status": "published", "created_at": now, "updated_at": now, "version": 1}
                for i in range(COURSES)]
        db.session.execute(insert(Course), rows)
        ids = list(db.session.execute(select(Course.id)).scalars())
        db.session.execute(insert(course_instructors), [{"course_id": c, "user_id": teacher.id} for c in ids])
        db.session.execute(insert(course_work_areas), [{"course_id": c, "work_area_code": "LC"} for c in ids])
        template = User(username="t", name="t")
        template.set_password("Bench12345")
        trainees = [{"username": f"trainee{i}", "password_hash": template.password_hash, "name": "学员",
                     "session_stamp": "x", "active": True, "created_at": now, "updated_at": now, "version": 1}
                    for i in range(THREADS * 4)]
        db.session.execute(insert(User), trainees)
        trainee_ids = list(db.session.execute(select(User.id).where(User.username.like("trainee%"))).scalars())
        db.session.execute(insert(UserRole), [{"user_id": u, "role": "trainee"} for u in trainee_ids])
        small = Course(organization_id=school.id, title="小班课", level=4, hours=10, capacity=5, starts_on=start,
                       ends_on=start + timedelta(days=5), enrollment_closes_at=now + timedelta(days=3),
                       status="published", completion_share=0.8)
        db.session.add(small)
        db.session.commit()
        return {"trainees": trainee_ids, "small": small.id}


def timed_get(client, engine, url: str, runs: int = 5) -> tuple[float, int]:
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    times = []
    for _ in range(runs):
        counter["n"] = 0
        event.listen(engine, "before_cursor_execute", count)
        t = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times.append((time.perf_counter() - t) * 1000)
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), counter["n"]


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.environ['LRC_INSTANCE_PATH']}/bench.db"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    print(f"database: {url.split('://')[0]}, courses: {COURSES}")
    data = seed(app)
    client = app.test_client()
    client.post("/login", data={"username": "teacher", "password": "Bench12345"})
    with app.app_context():
        engine = db.engine
    for page_url in ("/courses/", f"/courses/?page={COURSES // 20}", "/courses/?level=3&work_area=LC&open_seats=y",
                     "/courses/manage", f"/courses/manage?page={COURSES // 20}"):
        ms, queries = timed_get(client, engine, page_url)
        print(f"GET {page_url:45s} median {ms:7.1f} ms, {queries} queries")

    barrier = threading.Barrier(len(data["trainees"]))
    latencies, errors = [], []

    def enroll(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait(timeout=60)
                t = time.perf_counter()
                enroll_trainee(user, data["small"])
                db.session.commit()
                latencies.append((time.perf_counter() - t) * 1000)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    started = time.perf_counter()
    batch = data["trainees"][:THREADS]
    threads = [threading.Thread(target=enroll, args=(uid,)) for uid in batch]
    barrier = threading.Barrier(len(batch))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    with app.app_context():
        counts = dict(db.session.execute(select(Enrollment.status, func.count()).where(
            Enrollment.course_id == data["small"]).group_by(Enrollment.status)).all())
    print(f"{len(batch)} trainees enrolling at once into capacity 5: {elapsed:.2f} s, "
          f"median {statistics.median(latencies) if latencies else 0:.1f} ms, max {max(latencies, default=0):.1f} ms; "
          f"result {counts}, errors {len(errors)}")
    assert counts.get("enrolled", 0) <= 5, "capacity exceeded"


if __name__ == "__main__":
    main()
