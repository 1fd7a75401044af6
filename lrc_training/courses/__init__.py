"""Courses and training: the catalog, courses and their sessions and materials, enrollment and the waitlist,
attendance, completion and the completion record (培训结业证明).

The area's shape (docs/architecture.md): models.py, schemas.py (every input, declared once), services/ (the use
cases: flush + audit, never commit), queries.py (reads; the only module other areas may import), views/ (pages; its
__init__.py creates bp), api/ (JSON; its __init__.py creates api_bp), exports.py (Excel and the completion PDF),
demo.py, templates/. No timed work: a course's enrollment closes by its deadline (Course.enrollment_open), so there
is no jobs.py.

May call: core and auth. Imports no other area; `exams` reads completions through queries.completed_courses_of.
"""
