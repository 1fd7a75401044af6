"""The registry's pages: thin handlers that load-and-authorise, run one service through core.forms.run_action (which
commits or rolls back) and render or redirect.

dashboard  the statistics dashboard per region level with drill-down and charts, the Excel export
people     the coordinator list, the honor form and its person picker
records    one coordinator's record, adding one certified elsewhere, the Excel import
coverage   enterprise coverage per subregion and the uncovered list (with its download)
targets    目标考核: the yearly targets of the regions below and their progress
reports    报表上报: the region's report and its children's, the actions, PDF and Excel
work       coordinators' work records (a record's work section, the full list, the enterprise picker) and 风险隐患
forms      the page forms (rendering and CSRF; their input is declared in schemas/inputs.py)
common     the caller's region from the address, the read-only notice

Selections (评选) keep their pages in selection/views/ (rounds, review, public); they attach to bp too, imported
here.
"""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry", template_folder="../templates")

# These modules attach their routes to bp.
# isort: off
from . import coverage, dashboard, people, records, reports, targets, work  # noqa: E402,F401
from ..selection.views import public as selection_public  # noqa: E402,F401
from ..selection.views import review as selection_review  # noqa: E402,F401
from ..selection.views import rounds as selection_rounds  # noqa: E402,F401
# isort: on
