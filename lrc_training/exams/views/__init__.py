"""The pages of the exams area: thin handlers that load-and-authorise, run one service (through
core.forms.run_action for a form's POST) and render or redirect.

candidate  我的认定, applying, the admission ticket, reviewing one's answers after publication
exam       taking the theory exam: start, the paper with autosave, the clock, focus losses, handing in
sessions   exam sessions for staff: setup, applications, seats, tickets, results, publication, certificates
grading    examiners: blind essay grading, practical and review scores (typed or imported)
bank       the question bank: search, edit, Excel import and export
analysis   item analysis, key correction and a question's history
monitor    the proctor's live page: rooms, pausing, extending, voiding, room proctors, the room report
forms      the page forms (rendering and CSRF)
"""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams", template_folder="../templates")

from . import analysis, bank, candidate, exam, grading, monitor, sessions  # noqa: E402,F401  (they attach their routes to bp)
