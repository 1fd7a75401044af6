"""The pages of the contests area: thin handlers that load-and-authorise, run one service through
core.forms.run_action (which commits or rolls back) and render or redirect.

control  the competitions list, creating one, the committee's control room and its buttons, registering
judging  the judges' task lists and scoring sheets
manage   check-in, panels and duties, oversight, appeals, the contestant's own page, qualifiers, bulk registration,
         promotions
exports  the results workbook, the award list and the per-item score sheet PDFs
public   the public notice (公示) of published results
forms    the page forms (rendering and CSRF; their input is declared in schemas.py)
"""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests", template_folder="../templates")

# Their routes attach to bp. The public notice first: its navigation entry comes first, as before.
# isort: off
from . import public  # noqa: E402,F401
from . import control, exports, judging, manage  # noqa: E402,F401
# isort: on
