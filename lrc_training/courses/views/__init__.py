"""The pages of the courses area: thin handlers that load-and-authorise, run one service through
core.forms.run_action (which commits or rolls back) and render or redirect.

manage    the management list, the course form, status changes, the management page, decisions, exports
teaching  sessions, materials and the attendance grid
trainee   the catalog, a course's page, enrollment and withdrawal, my courses, downloads
forms     the page forms (rendering and CSRF; their input is declared in schemas.py)
"""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="../templates")

from . import manage, teaching, trainee  # noqa: E402,F401  (they attach their routes to bp)
