"""The use cases of the exams area. Each takes the acting user and plain values (or a schema), changes rows,
flushes, writes the audit record and never commits: the view, API handler, job, CLI command or test that called it
commits once.

bank            the question bank: questions and their revisions, search, Excel import
sessions        exam sessions and their blueprints; load-and-authorise for staff
eligibility     the application rules per level (pure functions over declared facts)
applications    applying, staff registration, approval, seats
balancing       difficulty-balanced draws (expected facilities from the bank and past sessions)
papers          drawing a paper per candidate, written ahead of the exam
preparation     which papers to draw ahead and when
attempts        taking the theory exam: start, answers, submission, objective grading, the deadline
autosave        the one-statement save of an answer (the exam page's and the API's hot path)
proctoring      presence, devices, focus losses, extensions, pausing rooms, voiding, the monitor
room_proctors   each room's proctor
grading         blind essay grading with arbitration, practical and review scores
results         results, publication, certificates, regrades after publication
outcomes        the monthly outcome counts registry's trends read
item_analysis   facility, discrimination and reliability per session
item_history    one question's record across sessions
key_correction  correcting a wrong key and re-grading the papers that used it
"""
