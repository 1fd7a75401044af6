"""Foundation benchmark: password hashing, sign-in, token-authenticated API calls, the users list page
on 10,000 users (time and query count), and audit-chain verification speed.

Usage: .venv/bin/python bench/foundation.py   (BENCH_DATABASE_URL=postgresql+psycopg://... to use PostgreSQL)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

from sqlalchemy import event, insert  # noqa: E402

from lrc_training import create_app  # noqa: E402
from lrc_training.auth.models import Organization, User, UserRole  # noqa: E402
from lrc_training.auth.services.identity import id_check_char  # noqa: E402
from lrc_training.core.audit import record_audit, verify_chain  # noqa: E402
from lrc_training.db import utcnow  # noqa: E402
from lrc_training.extensions import db  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", "10000"))
AUDIT_RECORDS = int(os.environ.get("BENCH_AUDIT", "5000"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def seed(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        orgs = [Organization(name=f"机构{i}", kind="enterprise", region_code="371502") for i in range(20)]
        db.session.add_all(orgs)
        db.session.flush()
        template = User(username="x", name="x")
        template.set_password("Bench12345")
        now = utcnow()
        rows = []
        for i in range(USERS):
            birth = (date(1970, 1, 1) + timedelta(days=i // 1000)).strftime("%Y%m%d")
            first17 = f"371502{birth}{i % 1000:03d}"
            rows.append({"username": f"user{i}", "password_hash": template.password_hash, "name": "测试学员",
                         "id_number": first17 + id_check_char(first17),
                         "phone": f"139{i:08d}", "organization_id": orgs[i % 20].id, "active": True,
                         "created_at": now, "updated_at": now, "version": 1})
        db.session.execute(insert(User), rows)
        ids = [row[0] for row in db.session.execute(db.select(User.id))]
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": "trainee"} for uid in ids])
        admin = db.session.get(User, ids[0])
        admin.set_roles(["admin", "trainee"])
        db.session.commit()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.environ['LRC_INSTANCE_PATH']}/bench.db"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "LRC_LOGIN_MAX_FAILURES": 10**6})
    print(f"database: {url.split('://')[0]}, users: {USERS}")
    started = time.perf_counter()
    seed(app)
    print(f"seed: {time.perf_counter() - started:.1f} s")

    user = User(username="h", name="h")
    hashes = []
    for _ in range(10):
        t = time.perf_counter()
        user.set_password("Bench12345")
        hashes.append((time.perf_counter() - t) * 1000)
    print(f"argon2id hash: median {statistics.median(hashes):.1f} ms")

    logins = []
    for _ in range(20):
        client = app.test_client()
        t = time.perf_counter()
        response = client.post("/login", data={"username": "user0", "password": "Bench12345"})
        logins.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 302, response.status_code
    print(f"page sign-in (POST /login): median {statistics.median(logins):.1f} ms")

    token = client.post("/api/v1/auth/token", json={"username": "user0", "password": "Bench12345"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    latencies = []
    for _ in range(500):
        t = time.perf_counter()
        assert client.get("/api/v1/users/me", headers=headers).status_code == 200
        latencies.append((time.perf_counter() - t) * 1000)
    print(f"GET /api/v1/users/me x500: p50 {percentile(latencies, 50):.2f} ms, p95 {percentile(latencies, 95):.2f} ms,"
          f" p99 {percentile(latencies, 99):.2f} ms")

    with app.app_context():
        engine = db.engine
    for page in (1, USERS // 50):
        counter = {"n": 0}

        def count(*_args, _c=counter):
            _c["n"] += 1

        event.listen(engine, "before_cursor_execute", count)
        t = time.perf_counter()
        response = client.get(f"/admin/users?page={page}")
        elapsed = (time.perf_counter() - t) * 1000
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        print(f"GET /admin/users?page={page} (50 rows of {USERS}): {elapsed:.1f} ms, {counter['n']} queries")

    with app.app_context():
        t = time.perf_counter()
        for i in range(AUDIT_RECORDS):
            record_audit("bench.change", "thing", i, old={"v": i}, new={"v": i + 1})
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()
        write = time.perf_counter() - t
        t = time.perf_counter()
        checked, problem = verify_chain()
        verify = time.perf_counter() - t
        assert problem is None
    print(f"audit: write {AUDIT_RECORDS / write:,.0f} records/s; verify {checked:,} records in {verify:.2f} s "
          f"({checked / verify:,.0f}/s)")


if __name__ == "__main__":
    main()
