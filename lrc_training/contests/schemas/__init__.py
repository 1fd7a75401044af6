"""The one declaration of every input of the contests area, and the shapes of its API responses.

The API parses these schemas strictly; the competition form builds the same `CompetitionIn` from what was typed
(views/forms.py) and Python callers (demo data, tests) use `competition_in`; services take the schema as it is and
check only what needs the database (the organizer's tier, the committee's exam sessions).

inputs     every input, declared once
responses  the API's response shapes
"""
