"""With the shared rate-limit store (Redis) unreachable, the public verification page, page sign-in and API tokens
still answer (limits fall back to each process's memory) instead of a 500. Run in a fresh process: the limiter's
storage is process-wide, and the suite's other tests must keep theirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, tempfile
from lrc_training import create_app
from lrc_training.extensions import db
instance = tempfile.mkdtemp()
app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/t.db",
                  "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0", "WTF_CSRF_ENABLED": False})
with app.app_context():
    db.create_all()
    from tests.factories import make_user
    make_user("trainee", username="redisdown")
client = app.test_client()
answers = {
    "verify": client.get("/verify/S000037150001263000001?name=%E5%BC%A0%E4%B8%89").status_code,
    "verify_page": client.get("/verify").status_code,
    "login": client.post("/login", data={"username": "redisdown", "password": "Passw0rd1"}).status_code,
    "token": client.post("/api/v1/auth/token", json={"username": "redisdown", "password": "Passw0rd1"}).status_code,
}
print(json.dumps(answers))
"""


def test_public_pages_and_sign_in_survive_an_unreachable_rate_limit_store():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LRC_ENV": "testing"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["verify_page"] == 200 and answers["verify"] in (200, 404)
    assert answers["login"] == 302 and answers["token"] == 200
