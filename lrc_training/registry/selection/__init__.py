"""Selections (评选) such as 金牌劳动关系协调员, or 优秀指导站/工作室 for organizations: a 人社 department opens a round,
organizations of its region nominate, a review panel scores, the shortlist is posted publicly, and the winners get
an honor in the registry and a numbered PDF certificate.

models.py (round, nominations, reviewers, scores, objections, awards), rounds.py (capacities, opening, states),
nominations.py, review.py (panel, scores, ranking), notice.py (public notice, objections, finalizing; the job that
moves rounds on is registry/jobs.py), honors.py (the certificate PDF and its public check), schemas.py (the API's
inputs and responses); views.py, review_views.py, public_views.py and api.py add routes to the registry's
blueprints (registry/views/__init__.py and registry/api/__init__.py import them). Everything here uses the registry's
own models and other areas' services only."""
