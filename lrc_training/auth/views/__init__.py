"""The pages of the auth area: thin handlers that load-and-authorise, run one service (through
core.forms.run_action for a form's POST) and render or redirect.

signin      sign in, sign out, registration, profile, changing one's password
accounts    忘记密码 and the reset link, one's phone and email, confirming a new email address
sessions    登录设备: one's open sign-ins, signing out one, the others or all
photos      证件照: one's own, staff uploading one for a person, the review queue, the photo itself
admin       user and organization administration, accreditation, the user import (admin_bp, under /admin)
org_picker  the organization search of the registration and user forms
forms       the page forms (rendering and CSRF; the rules are in services/validation.py)
"""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="../templates")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates")

# The page modules attach their routes to these blueprints (Flask's way); create_app wires the rest.
from . import accounts, admin, org_picker, photos, sessions, signin  # noqa: E402,F401
