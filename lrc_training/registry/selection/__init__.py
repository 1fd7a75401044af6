"""Selections (评选) such as 金牌劳动关系协调员, or 优秀指导站/工作室 for organizations: a 人社 department opens a round,
organizations of its region nominate, a review panel scores, the shortlist is posted publicly, and the winners get
an honor in the registry and a numbered PDF certificate.

A sub-package of the registry in the area shape (docs/architecture.md): models.py (round, nominations, reviewers,
scores, objections, awards; the inputs' limits), schemas.py (every input once, with the page variants, and the API's
responses), services/ (rounds, nominations, review, notice, honors: flush + audit, never commit; the job that moves
rounds on is registry/jobs.py), queries.py (the reads the pages, the API and the services share), views/ (rounds,
review, public pages and their SchemaForms) and api.py. The pages and the API attach to the registry's blueprints:
registry/views/__init__.py and registry/api/__init__.py import them. Everything here uses the registry's own models
and services and other areas only through their queries modules."""
