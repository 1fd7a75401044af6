"""The use cases of the registry. Each takes the acting user and plain values or a schema, checks access, changes
rows, flushes, writes the audit record and never commits: the view, API handler, job, CLI command or test that
called it commits once.

access        who may see and change what (Access), the SQL conditions behind it, load-and-authorise a person
statistics    counts by level, kind, subregion and category, coverage and this year's target
coverage      enterprises covered by their own coordinator or a platform, per subregion; the uncovered list
trends        monthly certificates, completions and pass rates; large enterprises short of coordinators
records       a coordinator's record, its staff-maintained fields, adding one certified elsewhere
honors        the register of honors
importing     the Excel import, row by row
governance    platforms' service areas
targets       the yearly targets of the regions below and their progress
periods       reporting periods (year, quarter, month) and when a report is late
snapshot      what a report freezes, and the children's roll-up
reporting     reports upward: make, refresh, submit, return, approve
coordinators  the coordinator read model, kept in step with every flush
work          coordinators' work records and the risk reports they open (who may record and read, closing)
"""
