"""The selections' use cases. Each takes the acting user, the ids the address names and the input's schema
(selection/schemas.py), checks what the caller may do, changes rows, flushes and writes the audit record; none
commits (the page, the API handler or the job does). The reads they share with the pages and the API are in
selection/queries.py.

rounds       capacities (manage / nominate / review), load-and-authorise a round, opening, editing, moving it on
nominations  nominating with the nominee's snapshot
review       the panel (appointing, removing, recusal), scores, the ranking and the shortlist
notice       the public notice, objections and their decision, finalizing (awards and the registry's honors)
honors       the honor certificate: who may download it, its PDF and the public check of its number"""
