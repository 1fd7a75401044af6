"""/metrics under the production server: gunicorn with deploy/gunicorn.conf.py and two worker processes. Whichever
worker answers the scrape, the request counts of both are added up (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.core.test_operations import metric_value

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def gunicorn(app, tmp_path):
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed next to this Python")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path / "prometheus"
    env = {**os.environ, "LRC_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LRC_BIND": f"127.0.0.1:{port}", "LRC_WEB_WORKERS": "2", "LRC_WEB_THREADS": "4",
           "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left over from an earlier run")  # cleared at start
    server = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],  # noqa: S603
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    served = 0
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    served += 1
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        yield port, folder, served
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def test_metrics_add_up_the_requests_of_every_gunicorn_worker(gunicorn):
    port, folder, _probes = gunicorn
    assert not (folder / "counter_999999.db").exists()

    def workers_that_served() -> set[str]:
        return {m.group(1) for f in folder.iterdir() if (m := re.fullmatch(r"histogram_(\d+)\.db", f.name))}

    # Start from what the metrics already counted: a start-up probe that timed out on a loaded machine may still
    # have been served, so the test's own tally of the probes is not exact.
    served = metric_value(_get(port, "/metrics")[1], "lrc_http_request_duration_seconds_count",
                          endpoint="ops.healthz", method="GET", status="200") or 0
    with ThreadPoolExecutor(8) as pool:
        for _ in range(60):  # until both workers have answered some (the kernel picks the worker; on a busy
            statuses = list(pool.map(lambda _i: _get(port, "/healthz")[0], range(40)))  # machine one may take all)
            assert statuses == [200] * 40
            served += 40
            if len(workers_that_served()) == 2:
                break
            time.sleep(0.1)  # let the other worker get back to its accept loop
    assert len(workers_that_served()) == 2
    status, body = _get(port, "/metrics")
    assert status == 200
    assert metric_value(body, "lrc_http_request_duration_seconds_count",
                        endpoint="ops.healthz", method="GET", status="200") == served
    assert metric_value(body, "lrc_email_queue_length") == 0
