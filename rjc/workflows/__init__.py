"""Workflows: the center's work on its records, each a function a command calls.

`repository` opens a records repository: it reads through the cache and writes through
transactions validated by the checks. The rest is the work done on it: intake, records of any
kind, casework, victims, programs, volunteers, panel scheduling, people, organizations,
surveys, the center's settings, undoing a change, sync with the other coordinators (and the
field-level merge it shares with undo and git's merge driver, `merging`), plain git's set-up
(`gitsetup`), sealing, and doctor's repairs.

May import: rjc.model, rjc.storage, rjc.cache, rjc.checks. Never the outputs or the CLI.
"""
