"""The use cases of the contests area. Each takes the acting user and a schema (or plain ids), changes rows,
flushes, writes the audit record and never commits: the view, API handler, job or test that called it commits once.

access       load-and-authorise: the committee of a competition
setup        creating a competition, who may organize which tier
eligibility  the registration conditions (level, work years, regions, quotas)
registration registering contestants (one by one, bulk) and deciding registrations
duties       code keepers, supervisors and judges: one duty per person, changes after check-in
checkin      check-in, the draw of anonymous codes (一次加密 / 二次加密), the code keepers
panels       judge panels: assignment without conflicts of interest, balanced loads, chief judges
scoring      the judges' sheets: draft, submit, reopen
judging      the judge's task lists and the sheet form's values
oversight    the chief judge's progress page: outliers, the code search
ranking      aggregation of judges' scores, ranks with the tie-break order, awards (pure arithmetic)
results      standings, result rows, publication, award certificates
stages       qualifiers taken from a preliminary or from other competitions
appeals      filing and deciding appeals
finalize     the end of the notice period: results become final, rewards are recorded
promotions   one-level promotions and the requests to an evaluator to issue their level certificates
bulk         registering a list of people (text or Excel)
"""
