"""JSON API: a bearer token for username and password, and revoking it (docs/api.md "Conventions")."""

from __future__ import annotations

from flask import g, jsonify, request

from ...core.access import login_required, public
from ...core.api import api_response, json_body
from ...core.timeutil import iso_local
from ...extensions import db
from ..schemas import TokenOut, TokenRequest
from ..services.sessions import BadCredentials, authenticate, issue_token, record_sign_in, revoke_token
from . import api_bp as bp


@bp.post("/auth/token")
@public
@json_body(TokenRequest)
@api_response(TokenOut)
def create_token(body: TokenRequest):
    """Exchange username and password for a bearer token (expires after LRC_TOKEN_HOURS)."""
    try:
        user = authenticate(body.username, body.password, request.remote_addr)
    except BadCredentials:
        db.session.commit()  # the failure's audit record (and a lock's notification); 401 via the error handler
        raise
    token, row = issue_token(user, request.remote_addr)  # LoginThrottled above → 429 with Retry-After
    record_sign_in(user, "api")
    db.session.commit()
    return jsonify({"token": token, "expires_at": iso_local(row.expires_at),
                    "user": {"id": user.id, "username": user.username, "roles": user.roles}})


@bp.delete("/auth/token")
@login_required
@api_response(None, 204)
def delete_token():
    """Revoke the token used for this request."""
    revoke_token(g.api_token)
    db.session.commit()
    return "", 204
