"""The one declaration of every input of the auth area, and the shapes of its API responses.

inputs     every input, declared once: the API's bodies, their page variants and the page-only inputs (the API,
           the page forms and Python callers share them)
responses  the API's response shapes
"""

from .inputs import (
    AccreditationEndIn,
    AccreditationFormIn,
    AccreditationIn,
    ActivationIn,
    ChangePasswordIn,
    ContactIn,
    ForgotPasswordIn,
    NewPasswordIn,
    NewUserFormIn,
    OrganizationFormIn,
    OrganizationIn,
    PasswordResetIn,
    PhotoReviewIn,
    RegisterFormIn,
    SignInFormIn,
    TokenRequest,
    UserEditFormIn,
    UserIn,
    UserQuery,
)
from .responses import (
    AccreditationOut,
    OrganizationOut,
    OrganizationPage,
    TokenOut,
    TokenUserOut,
    UserOut,
    UserPage,
)

__all__ = [
    "AccreditationEndIn", "AccreditationFormIn", "AccreditationIn", "AccreditationOut", "ActivationIn",
    "ChangePasswordIn", "ContactIn", "ForgotPasswordIn", "NewPasswordIn", "NewUserFormIn", "OrganizationFormIn",
    "OrganizationIn", "OrganizationOut", "OrganizationPage", "PasswordResetIn", "PhotoReviewIn", "RegisterFormIn",
    "SignInFormIn", "TokenOut", "TokenRequest", "TokenUserOut", "UserEditFormIn", "UserIn", "UserOut", "UserPage",
    "UserQuery",
]
