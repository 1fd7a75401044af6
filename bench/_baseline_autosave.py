"""The yardstick for autosave: a bare Flask + SQLAlchemy Core + PostgreSQL app doing only what an autosave
must — look the bearer token up and upsert the answer — against the platform's own tables. bench/exam_day.py
runs it under gunicorn next to the platform, with the same settings and load, and prints the platform's
throughput as a share of this one's.

It checks nothing else (no owner, deadline, pause, paper or value check; no error format): what the platform
does on top is the price of its rules, and the issue asks that price to stay under 20 %.

Run by gunicorn: `gunicorn ... 'bench._baseline_autosave:create()'` with DATABASE_URL set.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

from flask import Flask, Response, request
from sqlalchemy import create_engine, text

TOKEN = text("SELECT user_id FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL AND expires_at > :now")
UPSERT = text(
    "INSERT INTO exam_responses (attempt_id, question_id, response, saved_at, needs_arbitration) "
    "VALUES (:a, :q, CAST(:v AS json), :now, false) "
    "ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at")


def create() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    engine = create_engine(url, pool_size=int(os.environ.get("LRC_DB_POOL_SIZE", "5")),
                           pool_pre_ping=os.environ.get("BASELINE_PRE_PING", "1") == "1")

    @app.put("/api/v1/attempts/<int:attempt_id>/responses/<int:question_id>")
    def save(attempt_id: int, question_id: int):
        token = request.headers.get("Authorization", "").partition(" ")[2]
        body = request.get_json(silent=True)
        if not token or not isinstance(body, dict) or "response" not in body:
            return Response('{"error":"bad_request"}', 400, mimetype="application/json")
        now = datetime.now(UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            user = conn.execute(TOKEN, {"h": hashlib.sha256(token.encode()).hexdigest(), "now": now}).scalar()
            if user is None:
                return Response('{"error":"unauthorized"}', 401, mimetype="application/json")
            conn.execute(UPSERT, {"a": attempt_id, "q": question_id, "v": json.dumps(body["response"]), "now": now})
        return {"saved_at": now.isoformat(), "question_id": question_id}

    return app
