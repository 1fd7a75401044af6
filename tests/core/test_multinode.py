"""The production shape, for real: two app nodes (gunicorn processes) and two scheduler processes on one PostgreSQL
database, Redis for rate limits, moto's standalone S3 server for files and an SMTP sink for mail. A file uploaded
through one node downloads from the other, and every email arrives exactly once although both schedulers run.

PostgreSQL only (the SQLite pass skips it): several processes on one SQLite file is not a supported deployment."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lrc_training.core.notifications import notify
from lrc_training.extensions import db
from tests.conftest import USING_POSTGRES, database_uri
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUCKET = "lrc-cluster"

pytestmark = pytest.mark.skipif(not USING_POSTGRES, reason="several processes share a PostgreSQL database")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Sink:
    """An SMTP server (aiosmtpd) that keeps every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def cluster(tmp_path):
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis on 127.0.0.1:6379")
    processes: list[subprocess.Popen] = []
    sink = Sink()
    sink.controller.start()
    s3_port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    processes.append(subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],  # noqa: S603
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    endpoint = f"http://127.0.0.1:{s3_port}"
    _wait_until(lambda: _answers(endpoint), 30, "the S3 server")
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=BUCKET)

    node_env = {**env, "LRC_ENV": "development", "SECRET_KEY": "multinode-" + "k" * 40,
                "DATABASE_URL": database_uri(), "LRC_STORAGE_URL": f"s3://{BUCKET}/lrc",
                "LRC_S3_ENDPOINT_URL": endpoint, "LRC_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
                "LRC_SMTP_HOST": "127.0.0.1", "LRC_SMTP_PORT": str(sink.port), "LRC_SMTP_TLS": "0",
                "LRC_PUBLIC_URL": "http://lrc.test", "LRC_ARGON2_TIME_COST": "1", "LRC_ARGON2_MEMORY_KIB": "8",
                "LRC_JOB_INTERVALS": "notifications.email=2,certificates.batches=2", "LRC_SCHEDULER_TICK_SECONDS": "1",
                "LRC_LOG_FORMAT": "text"}
    nodes = []
    for name in ("a", "b"):
        port = _free_port()
        instance = tmp_path / f"node-{name}"  # each node's own disk: nothing may rely on it
        processes.append(subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env={**node_env, "LRC_INSTANCE_PATH": str(instance)},
            stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"node-{name}.log", "wb")))  # noqa: SIM115
        nodes.append(f"http://127.0.0.1:{port}")
    for name in ("a", "b"):
        processes.append(subprocess.Popen(  # noqa: S603
            [str(BIN / "flask"), "--app", "wsgi", "scheduler"], cwd=ROOT,
            env={**node_env, "LRC_INSTANCE_PATH": str(tmp_path / f"scheduler-{name}")},
            stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"scheduler-{name}.log", "wb")))  # noqa: SIM115
    try:
        for node in nodes:
            ready = _wait_until(lambda node=node: _ready(node), 60, f"{node}/readyz")
            assert ready == {"database": "ok", "storage": "ok", "ratelimit": "ok"}, ready
        yield {"nodes": nodes, "sink": sink, "s3": endpoint}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.controller.stop()


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
    except requests.RequestException:
        return False
    return True


def _ready(node: str):
    try:
        response = requests.get(f"{node}/readyz", timeout=2)
    except requests.RequestException:
        return None
    return response.json() if response.status_code == 200 else None


def _signed_in(node: str, username: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{node}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = browser.post(f"{node}/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return browser


def test_two_nodes_and_two_schedulers_share_files_and_send_every_email_once(cluster):
    node_a, node_b = cluster["nodes"]
    school, teacher = make_school_and_teacher()
    course = make_course(teacher)
    trainee = make_user("trainee", username="cluster_trainee")
    trainee.email = "trainee@example.test"
    from lrc_training.courses.services.enrollment import enroll_trainee

    enroll_trainee(trainee, course.id)
    db.session.commit()

    # A material uploaded through node A downloads from node B (neither has it on its own disk).
    uploader = _signed_in(node_a, teacher.username)
    manage = uploader.get(f"{node_a}/courses/{course.id}/manage", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', manage).group(1)
    handout = b"%PDF-1.4 cluster handout"
    response = uploader.post(f"{node_a}/courses/{course.id}/materials", allow_redirects=False, timeout=20, data={
        "csrf_token": token, "material-title": "讲义"}, files={"material-file": ("讲义.pdf", handout, "application/pdf")})
    assert response.status_code == 302
    from sqlalchemy import select

    from lrc_training.courses.models import CourseMaterial

    db.session.expire_all()
    material = db.session.execute(select(CourseMaterial)).scalar_one()
    reader = _signed_in(node_b, "cluster_trainee")
    download = reader.get(f"{node_b}/courses/materials/{material.id}", timeout=20)
    assert download.status_code == 200 and download.content == handout

    # A certificate batch built by whichever scheduler claims it downloads from both nodes.
    from datetime import date

    from lrc_training.certificates.models import CertificateBatch
    from lrc_training.certificates.services.batches import create_batch
    from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
    from tests.factories import make_org, valid_id_number

    evaluator = make_org("集群测试评价机构", region_code="371500")
    # Its electronic seal, saved where the cluster keeps files (the factory saved it in this process's own store):
    # the scheduler that builds the batch reads it from S3.
    import boto3

    from lrc_training.certificates.services.seals import drawn_seal_png
    from tests.factories import TEST_SEAL

    boto3.client("s3", endpoint_url=cluster["s3"], region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").put_object(Bucket=BUCKET, Key=f"lrc/seals/{TEST_SEAL}",
                                                          Body=drawn_seal_png(), ContentType="image/png")
    staff = make_user("org_staff", username="cluster_staff", org=evaluator)
    for n in range(3):
        issue_certificate(IssueRequest(kind="level", holder_name=f"持证人{n}", issuer_organization_id=evaluator.id,
                                       source_type="import", source_id="cluster", level=4,
                                       id_number=valid_id_number(seq=n + 1), issued_on=date.today()))
    batch = create_batch(staff, evaluator.id, "import", "cluster", "zip")
    db.session.commit()

    def built():
        db.session.expire_all()
        return db.session.get(CertificateBatch, batch.id).status == "done"

    _wait_until(built, 90, "the batch")
    archives = [_signed_in(node, "cluster_staff").get(f"{node}/certificates/batches/{batch.id}/download", timeout=20)
                for node in (node_a, node_b)]
    assert [a.status_code for a in archives] == [200, 200]
    assert archives[0].content == archives[1].content and archives[0].content.startswith(b"PK")

    # Six notifications with email copies: both schedulers run the mail job, each message arrives once.
    for n in range(6):
        notify(trainee.id, f"通知 {n}", "正文", kind="general")
    db.session.commit()
    sink = cluster["sink"]
    _wait_until(lambda: len(sink.messages) >= 6, 60, "six emails")
    time.sleep(5)  # both schedulers have looked at the queue again since
    subjects = sorted(re.search(rb"Subject: (.+)", m).group(1) for m in sink.messages)
    assert len(sink.messages) == 6, subjects
