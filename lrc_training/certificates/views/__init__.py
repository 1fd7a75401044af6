"""The certificates area's pages: thin handlers that load-and-authorise, run one service through
core.forms.run_action (which commits or rolls back) and render or redirect.

certificates     staff settings, issuing, import, the list, a certificate's page (revoke, reissue), batches;
                 holders' own certificates
manual           manual certificate requests: the form, the approvers' list, approve / reject, the evidence scan
source_requests  晋级发证申请: issue requests addressed to the staff member's organization
public           the public verification page (blueprint "verify")
forms            the page forms: rendering and CSRF; SchemaForms over schemas.py parse what was typed
"""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="../templates")
public_bp = Blueprint("verify", __name__, template_folder="../templates")

# The page modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import certificates, manual, public, source_requests  # noqa: E402,F401
