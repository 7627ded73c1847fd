"""The checks: what makes records valid beyond their shape, and running it.

`rules` is the readable list of rules (record rules and repository rules, plain functions that
return problems); `engine` runs them over the whole repository, incrementally and alongside the
parse, or over a change before it is committed.

May import: rjc.model, rjc.storage, rjc.cache. Imported by the workflows, outputs and CLI.
"""

from rjc.checks.engine import check_repository, check_staged, validate_change
from rjc.checks.rules import (
                              CIRCLE_SEATS,
                              PANEL_SEATS,
                              RECORD_RULES,
                              REPOSITORY_RULES,
                              Context,
                              check_change,
                              check_record,
                              record_rule,
                              repository_rule,
)

__all__ = ["CIRCLE_SEATS", "PANEL_SEATS", "RECORD_RULES", "REPOSITORY_RULES", "Context", "check_change",
           "check_record", "check_repository", "check_staged", "record_rule", "repository_rule", "validate_change"]
