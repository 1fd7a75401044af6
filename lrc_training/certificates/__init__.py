"""Certificates: numbering and each organization's settings, the accreditation gate (备案) and the seal, issuing,
revoking and reissuing, manual requests (two people) and their Excel import, issue requests from a source
addressed to an evaluator, rendering (PDF) and batches, public verification.

The area's shape (docs/architecture.md): models.py, schemas.py (every input once, and the API's response shapes),
services/ (the use cases: flush + audit, never commit), queries.py (reads; what other areas import besides
services.issuing and services.source_requests), views/ (pages: blueprints "certificates" and "verify"), api/ (JSON:
"certificates_api"), todo.py, templates/.

May call: core and auth. It knows nothing of exams or contests: they declare certificate sources
(services.issuing.CertificateSource) and hand it plain values; create_app registers the sources and the
blueprints (from .views and .api).
"""
