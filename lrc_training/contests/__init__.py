"""Skills competitions (职业技能竞赛): setup and tiers, registration and eligibility, officials, check-in and the
anonymous codes, judge panels and judging sheets, ranking and awards, publication and appeals, finalisation and
rewards (promotions, honor titles), and the promotion requests sent to an evaluator.

The area's shape (docs/architecture.md): models.py, schemas/ (inputs declared once; the API's responses),
services/ (the use cases: flush + audit, never commit), queries.py (reads: the pages', and the only module
other areas may import), views/ (pages without queries; its __init__.py creates bp), api/ (JSON: competitions and
promotions; its __init__.py creates api_bp and the competition's certificate source), exports.py (workbook and
PDFs), jobs.py (the finalize job), demo.py, todo.py, templates/.

May call: core, auth, certificates (issuing, source requests, a person's levels) and exams (an online theory
item's published results). Imports neither courses nor registry: the registry reads `queries.py` and records
honor titles through the listener create_app wires (services.finalize.on_honor_granted).
"""
