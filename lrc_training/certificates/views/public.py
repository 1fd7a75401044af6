"""The public verification page: by number + holder name, or by scanning the QR code (a signed token)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...core.access import public
from ...extensions import limiter
from ..services.verification import verify, verify_token
from . import public_bp as bp
from .forms import VerifyForm

LIMIT = "30 per minute"


@bp.route("/verify")
@public
@limiter.limit(LIMIT)
def verify_page():
    form = VerifyForm(request.args)
    result, searched = None, False
    # From a short link (/v/<number>) only the number is filled in: ask for the name without an error.
    prefilled = bool(request.args.get("number")) and "name" not in request.args
    if request.args and not prefilled and (query := form.parse()) is not None:
        searched = True
        result = verify(query.number, query.name)
    return render_template("certificates/verify.html", form=form, result=result, searched=searched)


@bp.route("/verify/q/<token>")
@public
@limiter.limit(LIMIT)
def verify_qr(token: str):
    result = verify_token(token)
    return render_template("certificates/verify.html", form=VerifyForm(), result=result, searched=True,
                           by_qr=True), (200 if result else 404)


@bp.route("/v/<number>")
@public
@limiter.limit(LIMIT)
def verify_short(number: str):
    """The short address printed under a certificate's QR code: the verification page with the number filled in
    (the holder's name is still asked for, as for any number typed in)."""
    return redirect(url_for("verify.verify_page", number=number[:40].strip().upper()))
