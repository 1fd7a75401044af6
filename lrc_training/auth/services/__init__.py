"""The use cases of the auth area. Each takes the acting user and plain values, checks access, changes rows,
flushes, writes the audit record and never commits: the view, API handler, job, CLI command or test that called it
commits once.

users          registration, creating and editing users, activation, passwords; who manages whom
organizations  creating and editing organizations; who sees which
accreditation  备案: recording, editing and ending a filing, the levels an evaluator may certify today
identity       resident ID numbers (GB 11643), phone numbers, masking personal data
validation     the field rules shared by forms, the API and imports (a Chinese reason for each)
importing      the users' Excel import, row by row
photos         证件照: upload, crop, review, who may see them (the audiences create_app registers)
account_links  reset and email-confirmation links (mailed by jobs.py), one's contact details
sessions       signing in (password checks, throttling) and API bearer tokens
web_sessions   server-side sign-in records: Flask-Login's loader and activity hook (create_app wires them),
               listing and ending them
"""
