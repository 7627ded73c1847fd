"""Outputs: what rjc makes from the records for people to read, never changing them (except to
remember what was sent): lists, history, letters, the calendar, reminders and their mail, the
funders' reports, and the layout of every table on a terminal (`screen`).

May import: rjc.model, rjc.storage, rjc.cache, rjc.checks, rjc.workflows. Never the CLI.
"""
