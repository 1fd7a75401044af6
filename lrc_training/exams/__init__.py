"""Skill-level assessment (职业技能等级认定): the question bank, exam sessions and their blueprints, eligibility
and applications, papers drawn per candidate, the online theory exam with autosave and proctoring, grading,
results and their publication, item analysis and key corrections.

The area's shape (docs/architecture.md): models.py (+ review_models.py), schemas/ (inputs and the API's response
shapes), services/ (the use cases: flush + audit, never commit), queries.py (reads; the only module other areas may
import), views/ (pages; its __init__.py creates bp), api/ (JSON; its __init__.py creates api_bp), jobs.py
(auto-submit, paper preparation, reminders), exports.py (Excel and the results register PDF), documents.py
(admission tickets, sign-in sheets, the room report), todo.py, demo.py.

May call: core and auth; courses through courses.queries (completions); certificates to issue level certificates
and look up a person's. Imports neither contests nor registry; they read exams through queries.py.
"""
