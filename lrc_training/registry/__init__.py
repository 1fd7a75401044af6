"""The coordinator registry (信息库): who is a coordinator and where they count (a read model kept in step with
certificates, registry records, people and organizations), access by organization kind, statistics, coverage and
targets by region, coordinators' work and risk reports, reports upward (county → city → province) and selections
(评选).

The area's shape (docs/architecture.md): models.py, schemas/ (every input once, and the API's response shapes),
services/ (the use cases: flush + audit, never commit), queries.py (the list's reads), views/ (pages; its __init__.py
creates bp) and api/ (JSON; its __init__.py creates api_bp), jobs.py (the read model's nightly rebuild, selections
falling due), exports.py (Excel and the report PDF), cli.py, todo.py, demo.py; selection/ (评选) is a sub-package of
its own in the same shape, whose pages (selection/views/) and API attach to views' bp and api's api_bp.

May call: core and auth; certificates, courses, exams and contests only through their queries modules (the demo
data issues certificates through certificates.services.issuing). Nothing imports the registry: create_app wires its
listeners (a competition's honors, the read model's flush listener), jobs, commands and to-dos.
"""
