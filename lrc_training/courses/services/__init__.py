"""The use cases of the courses area. Each takes the acting user and a schema (or plain ids), changes rows, flushes,
writes the audit record and never commits: the view, API handler, CLI command or test that called it commits once.

access      who may see and manage what; load-and-authorise (404 otherwise)
courses     create, edit, publish / close / reopen / archive, instructors
enrollment  enroll, the waitlist, approve / reject, withdraw, completion
teaching    class sessions, attendance, materials
hours       课时 arithmetic: what a session may claim, the teaching plan, the completion requirement
"""
