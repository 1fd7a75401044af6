"""Exam-day benchmark: the app under gunicorn on PostgreSQL, N simulated candidates driven from a separate
process over loopback. Each candidate gets a token, starts the theory exam (a level-4 paper: 40 single choice
+ 20 true/false), autosaves every answer (one PUT per answer, as a browser does) and submits. Prints requests/s,
p50/p95/p99 latency overall and per endpoint, errors by status, and lost answers (must be 0), then the largest N
whose exam traffic keeps p99 under BENCH_P99_MS.

Usage: .venv/bin/python bench/exam_day.py          (see bench/README.md; BENCH_QUICK=1 for a 20-candidate smoke run)
Needs PostgreSQL: BENCH_DATABASE_URL, else a throwaway database lrc_bench_<random> on postgres@127.0.0.1:5432,
created and dropped by this script.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import random
import resource
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LRC_INSTANCE_PATH", tempfile.mkdtemp(prefix="lrc-bench-"))

PASSWORD = "Bench12345"  # noqa: S105 - throwaway candidates in a throwaway database
QUICK = os.environ.get("BENCH_QUICK") == "1"
STEPS = [int(n) for n in os.environ.get("BENCH_STEPS", "20" if QUICK else "5,10,20,40,80,160,320").split(",")]
FIXED_WORKERS = int(os.environ["BENCH_WORKERS"]) if os.environ.get("BENCH_WORKERS") else None  # else = N
LOGIN_WORKERS = int(os.environ.get("BENCH_LOGIN_WORKERS", "8"))
THINK_MS = float(os.environ.get("BENCH_THINK_MS", "0"))
RAMP_MS = float(os.environ.get("BENCH_RAMP_MS", "0"))  # spread the candidates' starts over this window
P99_LIMIT_MS = float(os.environ.get("BENCH_P99_MS", "250"))
STEP_TIME_LIMIT = float(os.environ.get("BENCH_STEP_SECONDS", "120" if QUICK else "300"))
REQUEST_TIMEOUT = float(os.environ.get("BENCH_REQUEST_TIMEOUT", "30"))
KEEP_GOING = os.environ.get("BENCH_KEEP_GOING") == "1"  # run every step, not only up to the first over the limit
# One or more gunicorn settings separated by "|", each measured with its own ramp.
GUNICORN = [c.strip() for c in os.environ.get("BENCH_GUNICORN", "-w 2 --threads 8 -k gthread").split("|")]
# Level 4 theory: single choice and true/false (docs/domain.md). 4 work areas x (10 single + 5 true/false) = 60.
AREAS = ("LS", "LC", "CB", "DR")
BLUEPRINT = [row for code in AREAS for row in (
    {"function_code": code, "kind": "single", "count": 10, "points_each": 1.5},
    {"function_code": code, "kind": "true_false", "count": 5, "points_each": 2})]
BANK_PER_AREA = {"single": 30, "true_false": 15}  # 180 questions: papers differ between candidates
ENDPOINTS = ("token", "start", "save", "submit")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --------------------------------------------------------------------------------------------------------------
# The load generator: runs in its own process (python bench/exam_day.py --drive CONFIG OUT), stdlib only.
# --------------------------------------------------------------------------------------------------------------

class Client:
    """One keep-alive HTTP/1.1 connection, as one browser tab would hold. Like a browser, it sends a request
    once more on a new connection when a reused one was closed by the server before any answer came back
    (the keep-alive race); `retries` counts those."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.retries = 0

    def request(self, method: str, path: str, body: object | None = None, token: str | None = None):
        """(status or error name, parsed JSON or None, milliseconds)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        for attempt in range(2):
            reused, answered = self.conn is not None, False
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                answered = True
                raw = response.read()
                status: int | str = response.status
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                stale = isinstance(exc, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected)
                if attempt == 0 and reused and not answered and stale:
                    self.retries += 1
                    continue
                return type(exc).__name__, None, (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed, elapsed

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def drive(config: dict) -> dict:
    host, port, session_id = config["host"], config["port"], config["session_id"]
    usernames: list[str] = config["usernames"]
    deadline = time.monotonic() + config["time_limit"]
    think = config["think_ms"] / 1000
    records: list[tuple[str, float, object]] = []  # (endpoint, ms, status)
    saved: list[tuple[int, int, object]] = []  # (attempt id, question id, value) answered 200
    outcome: dict[str, dict] = {}  # username -> {"attempt", "submitted", "questions", "stopped"}
    tokens: dict[str, str] = {}
    retries = [0]
    lock = threading.Lock()

    def note(endpoint: str, ms: float, status) -> None:
        with lock:
            records.append((endpoint, ms, status))

    def pause() -> None:
        if think:
            time.sleep(think * random.uniform(0.5, 1.5))

    def run_pool(count: int, job) -> None:
        todo: queue.SimpleQueue = queue.SimpleQueue()
        for name in usernames:
            todo.put(name)

        def worker() -> None:
            client = Client(host, port, config["timeout"])
            try:
                while time.monotonic() < deadline:
                    try:
                        name = todo.get_nowait()
                    except queue.Empty:
                        return
                    job(client, name)
            finally:
                client.close()
                with lock:
                    retries[0] += client.retries

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(count, len(usernames))))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.1, deadline - time.monotonic() + 5))

    def login(client: Client, name: str) -> None:
        status, body, ms = client.request("POST", "/api/v1/auth/token", {"username": name, "password": PASSWORD})
        note("token", ms, status)
        if status == 200 and body:
            with lock:
                tokens[name] = body["token"]

    def candidate(client: Client, name: str) -> None:
        token = tokens.get(name)
        state = {"attempt": None, "submitted": False, "questions": 0, "stopped": None}
        with lock:
            outcome[name] = state
        if token is None:
            state["stopped"] = "no token"
            return
        if config["ramp_ms"]:
            time.sleep(random.uniform(0, config["ramp_ms"] / 1000))
        status, paper, ms = client.request("POST", f"/api/v1/exam-sessions/{session_id}/attempts", None, token)
        note("start", ms, status)
        if status not in (200, 201) or not paper:
            state["stopped"] = f"start {status}"
            return
        attempt_id = paper["id"]
        state["attempt"], state["questions"] = attempt_id, len(paper["questions"])
        for question in paper["questions"][:500]:  # a paper has at most 500 questions (blueprint limit)
            if time.monotonic() >= deadline:
                state["stopped"] = "time limit"
                return
            pause()
            if question["kind"] == "true_false":
                value: object = random.random() < 0.5
            else:
                value = random.choice(sorted(question["options"] or {"A": ""}))
            status, _body, ms = client.request(
                "PUT", f"/api/v1/attempts/{attempt_id}/responses/{question['id']}", {"response": value}, token)
            note("save", ms, status)
            if status == 200:
                with lock:
                    saved.append((attempt_id, question["id"], value))
        pause()
        status, _body, ms = client.request("POST", f"/api/v1/attempts/{attempt_id}/submit", None, token)
        note("submit", ms, status)
        state["submitted"] = status == 200
        if status != 200:
            state["stopped"] = f"submit {status}"

    started = time.perf_counter()
    run_pool(config["login_workers"], login)
    login_seconds = time.perf_counter() - started
    print("login done", flush=True)  # the parent reads the servers' CPU counters between the phases
    sys.stdin.readline()
    started = time.perf_counter()
    run_pool(config["workers"], candidate)
    exam_seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"records": records, "saved": saved, "outcome": outcome, "login_seconds": login_seconds,
            "exam_seconds": exam_seconds, "retries": retries[0], "driver_cpu_seconds": usage.ru_utime + usage.ru_stime}


def drive_main(config_path: str, out_path: str) -> None:
    threading.stack_size(512 * 1024)  # hundreds of threads, each only a small HTTP loop
    config = json.loads(Path(config_path).read_text())
    Path(out_path).write_text(json.dumps(drive(config)))


# --------------------------------------------------------------------------------------------------------------
# Setup, gunicorn and verification: the parent process.
# --------------------------------------------------------------------------------------------------------------

def admin_dsn() -> str:
    return os.environ.get("BENCH_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def create_database() -> tuple[str, str | None]:
    """(SQLAlchemy URL, name of the database this script created or None)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], None
    import psycopg

    name = f"lrc_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(admin_dsn(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(url: str) -> dict:
    env = dict(os.environ)
    # The development config: plain-http cookies; the API uses bearer tokens anyway.
    env.update(LRC_ENV="development", DATABASE_URL=url, SECRET_KEY="bench-" + secrets.token_hex(16),
               LRC_LOGIN_MAX_FAILURES="1000000",
               LRC_RATELIMIT_STORAGE_URI="memory://", LRC_INSTANCE_PATH=os.environ["LRC_INSTANCE_PATH"])
    return env


def migrate(url: str) -> None:
    flask = ROOT / ".venv" / "bin" / "flask"
    subprocess.run([str(flask), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=app_env(url), check=True,
                   capture_output=True, timeout=300)


def seed_base(app, users: int) -> dict:
    """An evaluation organization, its staff, the question bank (through the services) and `users` candidates
    (bulk insert with one precomputed argon2 hash)."""
    from sqlalchemy import insert, select

    from lrc_training.auth.identity import id_check_char
    from lrc_training.auth.models import Organization, User, UserRole
    from lrc_training.db import utcnow
    from lrc_training.exams.bank import QuestionInput, create_question
    from lrc_training.extensions import db

    with app.app_context():
        org = Organization(name="聊城市职业技能等级认定中心", kind="evaluator", region_code="371500", active=True)
        employer = Organization(name="压测企业", kind="enterprise", region_code="371502", active=True)
        db.session.add_all([org, employer])
        db.session.flush()
        staff = User(username="bench_staff", name="考务人员", organization_id=org.id, active=True)
        staff.set_password(PASSWORD)
        staff.set_roles(["org_staff"])
        db.session.add(staff)
        db.session.flush()
        for code in AREAS:
            for i in range(BANK_PER_AREA["single"]):
                create_question(staff, QuestionInput(
                    kind="single", level=4, function_code=code, stem=f"{code} 单选题 {i}：劳动合同期限的规定是？",
                    options={"A": "一年", "B": "两年", "C": "三年", "D": "无固定期限"}, answer="ABCD"[i % 4],
                    points=1.5))
            for i in range(BANK_PER_AREA["true_false"]):
                create_question(staff, QuestionInput(kind="true_false", level=4, function_code=code,
                                                     stem=f"{code} 判断题 {i}：用人单位应当依法建立规章制度。",
                                                     answer=i % 2 == 0, points=2))
        template = User(username="x", name="x")
        template.set_password(PASSWORD)
        now = utcnow()
        rows = []
        for i in range(users):
            birth = (date(1975, 1, 1) + timedelta(days=i // 1000)).strftime("%Y%m%d")
            first17 = f"371502{birth}{i % 1000:03d}"
            rows.append({"username": f"cand{i}", "password_hash": template.password_hash, "name": "考生",
                         "id_number": first17 + id_check_char(first17), "phone": f"138{i:08d}",
                         "organization_id": employer.id, "active": True, "created_at": now, "updated_at": now,
                         "version": 1})
        db.session.execute(insert(User), rows)
        ids = list(db.session.execute(select(User.id).where(User.username.like("cand%")).order_by(User.id)).scalars())
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": "trainee"} for uid in ids])
        db.session.commit()
        return {"staff_id": staff.id, "user_ids": ids}


def new_session(app, base: dict, candidates: int, title: str) -> int:
    """An exam session open now (created through the service, so the blueprint is checked against the bank)
    and approved applications for the first `candidates` users (bulk insert, as staff approval would leave them)."""
    from sqlalchemy import insert

    from lrc_training.auth.models import User
    from lrc_training.db import utcnow
    from lrc_training.exams.models import Application
    from lrc_training.exams.sessions import SessionInput, create_session
    from lrc_training.extensions import db

    with app.app_context():
        staff = db.session.get(User, base["staff_id"])
        now = utcnow()
        session = create_session(staff, SessionInput(
            title=title, level=4, opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=4),
            duration_minutes=90, blueprint=BLUEPRINT, pass_mark=60))
        db.session.flush()
        codes = random.sample(range(10**6), candidates)
        db.session.execute(insert(Application), [
            {"session_id": session.id, "user_id": uid, "status": "approved", "work_years": 5, "education": "none",
             "related_major": False, "eligibility_note": "压测", "exempt_parts": [],
             "anonymous_code": f"K{codes[i]:06d}", "created_at": now, "updated_at": now, "version": 1}
            for i, uid in enumerate(base["user_ids"][:candidates])])
        db.session.commit()
        return session.id


def query_counts(app, base: dict) -> None:
    """Queries per request for one candidate, in process (Flask test client, same database): finds N+1s."""
    from sqlalchemy import event

    from lrc_training.extensions import db

    session_id = new_session(app, base, 1, "查询计数")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    client = app.test_client()
    rows = []

    def call(label: str, method: str, path: str, **kwargs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.open(path, method=method, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        event.remove(engine, "before_cursor_execute", count)
        rows.append((label, response.status_code, len(statements), elapsed, list(statements)))
        return response

    token = call("token", "POST", "/api/v1/auth/token", json={"username": "cand0", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    paper = call("start (new paper)", "POST", f"/api/v1/exam-sessions/{session_id}/attempts", headers=headers)
    paper = paper.get_json()
    for index, question in enumerate(paper["questions"]):
        value = True if question["kind"] == "true_false" else "A"
        url = f"/api/v1/attempts/{paper['id']}/responses/{question['id']}"
        call("save (new answer)", "PUT", url, json={"response": value}, headers=headers)
        if index == 0:
            call("save (changed answer)", "PUT", url, json={"response": "B" if value == "A" else False},
                 headers=headers)
    call("start again (resume)", "POST", f"/api/v1/exam-sessions/{session_id}/attempts", headers=headers)
    call(f"submit ({len(paper['questions'])} answers)", "POST", f"/api/v1/attempts/{paper['id']}/submit",
         headers=headers)
    merged: dict[str, list] = {}
    for label, status, queries, elapsed, sql in rows:  # the 60 saves as one line: min/max queries, mean time
        merged.setdefault(label, []).append((status, queries, elapsed, sql))
    print("\nSQL statements per request (one candidate, in process, no concurrency; each request also pays the"
          " pool's pre-ping SELECT 1, BEGIN and COMMIT):")
    for label, calls in merged.items():
        counts = sorted({c[1] for c in calls})
        statuses = sorted({c[0] for c in calls})
        mean = sum(c[2] for c in calls) / len(calls)
        times = f"x{len(calls)} " if len(calls) > 1 else ""
        print(f"  {label:<22} {'/'.join(map(str, statuses))}  {'-'.join(map(str, counts)):>5} statements  "
              f"{times}{'mean ' if times else ''}{mean:.1f} ms")
        if os.environ.get("BENCH_SHOW_SQL") == "1":
            for statement in calls[0][3]:
                print("      " + " ".join(statement.split())[:160])


def pg_sessions(app) -> int:
    """Sessions ever opened to this database (PostgreSQL 14+), 0 where the server does not count them."""
    from sqlalchemy import text

    from lrc_training.extensions import db

    with app.app_context():
        try:
            value = db.session.execute(text(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")).scalar()
        except Exception:  # noqa: BLE001 - older server: no such column
            value = 0
        db.session.remove()
        return int(value or 0)


class CpuSampler:
    """CPU seconds used by the gunicorn workers and by the PostgreSQL backends of one database, read from /proc
    every 0.2 s. A backend that exits keeps the last value seen (the pool closes overflow connections), so the
    PostgreSQL figure is a lower bound."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid, self.database = gunicorn_pid, database.encode()
        self.last: dict[tuple[str, int], float] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _used(pid: str) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def sample(self) -> None:
        pid = str(self.gunicorn_pid)
        try:
            workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            workers = []
        seen = [("app", p) for p in [pid, *workers]]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.startswith(b"postgres: ") and b" " + self.database + b" " in cmdline:
                    seen.append(("pg", entry.name))
        with self.lock:
            for kind, p in seen:
                value = self._used(p)
                if value is not None:
                    self.last[(kind, int(p))] = value

    def _loop(self) -> None:
        while not self.stopping.wait(0.2):
            self.sample()

    def totals(self) -> tuple[float, float]:
        """(app CPU seconds, PostgreSQL CPU seconds) so far."""
        self.sample()
        with self.lock:
            app = sum(v for (kind, _), v in self.last.items() if kind == "app")
            pg = sum(v for (kind, _), v in self.last.items() if kind == "pg")
            return app, pg

    def __enter__(self) -> CpuSampler:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        self.thread.join(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, settings: str, logdir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(Path(logdir) / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", *shlex.split(settings),
         "--log-level", "warning", "--graceful-timeout", "10", "wsgi:app"],
        cwd=ROOT, env=app_env(url), stdout=log, stderr=subprocess.STDOUT)
    proc.logfile = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; log: {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status < 500:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    proc.logfile.close()  # type: ignore[attr-defined]


def verify(app, session_id: int, result: dict) -> dict:
    """Compare what the server said it saved with what the database holds."""
    from sqlalchemy import select

    from lrc_training.exams.models import Application, Attempt, Response
    from lrc_training.extensions import db

    with app.app_context():
        stored = {(a, q): v for a, q, v in db.session.execute(
            select(Response.attempt_id, Response.question_id, Response.response)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .join(Application, Application.id == Attempt.application_id)
            .where(Application.session_id == session_id))}
        status = dict(db.session.execute(select(Attempt.id, Attempt.status).join(Application).where(
            Application.session_id == session_id)).all())
        db.session.remove()
    missing = sum(1 for a, q, v in result["saved"] if stored.get((a, q), object()) != v)
    outcomes = result["outcome"].values()
    not_submitted = sum(1 for o in outcomes if o["attempt"] is None or status.get(o["attempt"]) != "submitted")
    claimed_but_open = sum(1 for o in outcomes if o["submitted"] and status.get(o["attempt"]) != "submitted")
    return {"missing": missing, "not_submitted": not_submitted, "claimed_but_open": claimed_but_open,
            "stored": len(stored), "saved_200": len(result["saved"]),
            "stopped": sorted({o["stopped"] for o in outcomes if o["stopped"]})}


def summarize(result: dict) -> dict:
    by_endpoint: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    errors: dict[str, int] = {}
    for endpoint, ms, status in result["records"]:
        by_endpoint[endpoint].append(ms)
        if not (isinstance(status, int) and status in (200, 201)):
            key = f"{endpoint} {status}"
            errors[key] = errors.get(key, 0) + 1
    exam = [ms for e in ("start", "save", "submit") for ms in by_endpoint[e]]
    return {"by_endpoint": by_endpoint, "exam": exam, "errors": errors}


def line(label: str, values: list[float], seconds: float | None = None) -> str:
    rate = f"{len(values) / seconds:8.1f} req/s" if seconds else " " * 14
    return (f"  {label:<8} {len(values):>7} req {rate}  p50 {percentile(values, 50):7.1f}  "
            f"p95 {percentile(values, 95):7.1f}  p99 {percentile(values, 99):7.1f}  max "
            f"{max(values) if values else float('nan'):7.1f} ms")


def run_step(app, base: dict, url: str, gunicorn_pid: int, port: int, n: int, settings: str, logdir: str,
             think_ms: float = THINK_MS, ramp_ms: float = RAMP_MS) -> dict:
    workers = FIXED_WORKERS or n
    session_id = new_session(app, base, n, f"压测批次 N={n}")
    config = {"host": "127.0.0.1", "port": port, "session_id": session_id,
              "usernames": [f"cand{i}" for i in range(n)], "workers": workers, "login_workers": LOGIN_WORKERS,
              "think_ms": think_ms, "ramp_ms": ramp_ms, "time_limit": STEP_TIME_LIMIT, "timeout": REQUEST_TIMEOUT}
    config_path, out_path = Path(logdir) / f"drive-{n}.json", Path(logdir) / f"result-{n}.json"
    config_path.write_text(json.dumps(config))
    load_before = loadavg()
    database = url.rsplit("/", 1)[-1].split("?")[0]
    sessions_before = pg_sessions(app)
    driver = subprocess.Popen([sys.executable, __file__, "--drive", str(config_path), str(out_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        with CpuSampler(gunicorn_pid, database) as sampler:
            cpu0 = sampler.totals()
            driver.stdout.readline()  # the login phase is over (or the driver stopped: then readline gives "")
            cpu1 = sampler.totals()
            driver.stdin.write("go\n")
            driver.stdin.flush()
            driver.wait(timeout=2 * STEP_TIME_LIMIT + 60)
            cpu2 = sampler.totals()
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait(10)
    if driver.returncode:
        raise RuntimeError(f"load generator exited with {driver.returncode}")
    time.sleep(1.1)  # PostgreSQL publishes a backend's statistics within a second
    sessions = pg_sessions(app) - sessions_before
    result = json.loads(out_path.read_text())
    stats, checked = summarize(result), verify(app, session_id, result)
    lost = checked["missing"] + checked["not_submitted"]
    exam, seconds = stats["exam"], result["exam_seconds"]
    print(f"\nN={n} candidates, {workers} concurrent, think {think_ms:g} ms, starts over {ramp_ms:g} ms, gunicorn {settings!r}, "
          f"load {load_before} -> {loadavg()}")
    print(f" login phase ({LOGIN_WORKERS} concurrent): {result['login_seconds']:.1f} s")
    print(line("token", stats["by_endpoint"]["token"], result["login_seconds"]))
    print(f" exam phase: {len(exam)} requests in {seconds:.1f} s, driver used {result['driver_cpu_seconds']:.1f} s CPU"
          f" for both phases")
    print(line("exam", exam, seconds))
    tokens_done = max(1, len(stats["by_endpoint"]["token"]))
    login_app, login_pg = ((cpu1[i] - cpu0[i]) * 1000 / tokens_done for i in (0, 1))
    exam_app, exam_pg = ((cpu2[i] - cpu1[i]) * 1000 / max(1, len(exam)) for i in (0, 1))
    capacity = (os.cpu_count() or 1) * 1000 / max(0.01, exam_app + exam_pg)
    print(f" server CPU per request: token {login_app:.1f} ms app + {login_pg:.1f} ms PostgreSQL; exam "
          f"{exam_app:.1f} ms app + {exam_pg:.1f} ms PostgreSQL -> at most ~{capacity:.0f} exam req/s "
          f"with all {os.cpu_count()} CPUs and nothing else running")
    print(f" PostgreSQL connections opened by the app during the step (pg_stat_database.sessions): {sessions}")
    for endpoint in ("start", "save", "submit"):
        print(line(endpoint, stats["by_endpoint"][endpoint]))
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(stats["errors"].items())) or "none"
    print(f" errors: {errors}; requests sent again after a closed keep-alive connection: {result['retries']}")
    print(f" answers saved (200): {checked['saved_200']}, in the database: {checked['stored']}; "
          f"lost answers: {checked['missing']}; attempts not submitted: {checked['not_submitted']} "
          f"(submit said 200 but still open: {checked['claimed_but_open']}); LOST TOTAL: {lost}")
    if checked["stopped"]:
        print(f" candidates stopped early: {', '.join(checked['stopped'])}")
    return {"n": n, "workers": workers, "requests": len(exam), "seconds": seconds, "rps": len(exam) / seconds,
            "p50": percentile(exam, 50), "p95": percentile(exam, 95), "p99": percentile(exam, 99),
            "save_p99": percentile(stats["by_endpoint"]["save"], 99),
            "token_p99": percentile(stats["by_endpoint"]["token"], 99),
            "errors": sum(stats["errors"].values()), "lost": lost, "cpu_ms": exam_app + exam_pg,
            "capacity": capacity, "load": load_before.split()[0]}


def warm_up(app, base: dict, url: str, gunicorn_pid: int, port: int, settings: str, logdir: str) -> None:
    """A few candidates through the whole flow first, so every worker has imported, connected and cached."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        run_step(app, base, url, gunicorn_pid, port, min(8, max(STEPS)), settings, logdir, think_ms=0, ramp_ms=0)


def main() -> None:
    from lrc_training import create_app

    try:
        url, created = create_database()
    except Exception as exc:  # noqa: BLE001 - no server here: say so, do not fail `make bench`
        print(f"exam_day: PostgreSQL not reachable ({type(exc).__name__}: {exc}); skipped. "
              f"Set BENCH_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432.")
        return
    logdir = tempfile.mkdtemp(prefix="lrc-bench-exam-")
    print(f"database: {url.rsplit('/', 1)[-1]} (PostgreSQL), steps N={STEPS}, think {THINK_MS:g} ms, "
          f"p99 limit {P99_LIMIT_MS:g} ms, {os.cpu_count()} CPUs, load average {loadavg()}; logs in {logdir}")
    try:
        started = time.perf_counter()
        migrate(url)
        app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "LRC_LOGIN_MAX_FAILURES": 10**6,
                          "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False})
        base = seed_base(app, max(STEPS))
        print(f"schema (flask db upgrade) and seed ({max(STEPS)} candidates, "
              f"{len(AREAS) * sum(BANK_PER_AREA.values())} questions): {time.perf_counter() - started:.1f} s")
        query_counts(app, base)
        tables = []
        for settings in GUNICORN:
            proc, port = start_gunicorn(url, settings, logdir)
            rows = []
            try:
                warm_up(app, base, url, proc.pid, port, settings, logdir)
                for n in STEPS:
                    row = run_step(app, base, url, proc.pid, port, n, settings, logdir)
                    rows.append(row)
                    over = row["p99"] >= P99_LIMIT_MS and row["save_p99"] >= P99_LIMIT_MS
                    if not KEEP_GOING and (over or row["lost"] or row["errors"]):
                        break
            finally:
                stop_gunicorn(proc)
            tables.append((settings, rows))
        print(f"\nsummary: exam traffic (start + every answer + submit), think {THINK_MS:g} ms, starts spread over "
              f"{RAMP_MS:g} ms, concurrency {'= N' if FIXED_WORKERS is None else FIXED_WORKERS}; login apart")
        print(f"  {'gunicorn':<28} {'N':>5} {'conc':>5} {'requests':>8} {'req/s':>7} {'p50':>7} {'p95':>7} "
              f"{'p99':>7} {'save p99':>8} {'login p99':>9} {'errors':>6} {'lost':>5} {'cpu ms/req':>10} {'load':>5}")
        for settings, rows in tables:
            for r in rows:
                print(f"  {settings:<28} {r['n']:>5} {r['workers']:>5} {r['requests']:>8} {r['rps']:>7.0f} "
                      f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['save_p99']:>8.1f} "
                      f"{r['token_p99']:>9.1f} {r['errors']:>6} {r['lost']:>5} {r['cpu_ms']:>10.1f} {r['load']:>5}")
            for label, key in (("exam p99 (start, saves, submit)", "p99"), ("save p99", "save_p99")):
                good = [r["n"] for r in rows if r[key] < P99_LIMIT_MS and not r["lost"] and not r["errors"]]
                print(f"  -> {settings}: largest N with {label} < {P99_LIMIT_MS:g} ms, no errors, 0 lost: "
                      f"{max(good) if good else 'none of the steps'}")
        costs = sorted(r["cpu_ms"] for _, rows in tables for r in rows)
        if costs:
            cost = costs[len(costs) // 2]
            ceiling = (os.cpu_count() or 1) * 1000 / cost
            print(f"server CPU per exam request (median over steps): {cost:.1f} ms -> ceiling ~{ceiling:.0f} req/s on "
                  f"an idle {os.cpu_count()}-CPU machine. Estimate, not measured: candidates saving one answer every "
                  f"30 s, kept at 70% of that ceiling: ~{0.7 * ceiling * 30:.0f} at once")
        lost_total = sum(r["lost"] for _, rows in tables for r in rows)
        print(f"lost answers over all runs: {lost_total}")
        if lost_total:
            sys.exit(1)
    finally:
        if created:
            drop_database(created)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--drive":
        drive_main(sys.argv[2], sys.argv[3])
    else:
        main()
