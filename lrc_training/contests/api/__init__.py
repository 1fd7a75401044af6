"""JSON API for skills competitions (docs/api.md "Competitions"): each endpoint parses its request with a schema
from schemas/inputs.py, calls one service, commits once and answers with its declared response schema.

competitions  competitions, registrations, check-in, judges and sheets, results, appeals
promotions    a final competition's promotions and the requests sent to an evaluator

CERTIFICATE_SOURCE tells certificates how to issue a competition's award certificates (create_app hands it over).
"""

from flask import Blueprint

from ...certificates.services.issuing import CertificateSource
from ..services.results import issue_award_certificates

api_bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")

CERTIFICATE_SOURCE = CertificateSource("competition", issue_award_certificates)

from . import competitions, promotions  # noqa: E402,F401  (their endpoints attach to api_bp)
