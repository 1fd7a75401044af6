"""Accounts, roles and organizations: users and their roles, organizations (kinds, regions, accreditation),
sign-in and server-side sessions, API tokens, the password policy, reset and email-confirmation links, the
organization picker and ID photos (证件照).

The area's shape (docs/architecture.md "auth in the shape"): models.py (users, organizations, accreditation, tokens,
sign-in records, account links, ID photos; the column lengths), roles.py (core's role names beside the
organization kinds), schemas/ (every input declared once, for the API and the page forms, and the response shapes),
services/ (the use cases: flush + audit, never commit), queries.py (the pages' reads), directory.py (what core asks
about accounts, handed to core by create_app), views/ (pages; creates `bp` and `admin_bp`), api/ (JSON; creates
`api_bp`), jobs.py (auth.account_mail), cli.py (create-admin), templating.py (template filters), demo.py.

May call: core only. Every other area may import auth; create_app imports the blueprints from auth.views and
auth.api. This module imports nothing.
"""
