"""Sealing: the law's duty to seal and delete, in a repository whose history is the audit log.

What a record keeps once sealed is `rjc.model.sealing.tombstone`; when a case is due under the
center's rules is `rjc.model.sealing.seal_due`; the seal register (`sealed.yaml`) says what
was sealed, when and why, by ids only.
"""

from __future__ import annotations

import datetime as dt

from rjc.model import Case
from rjc.model.sealing import SealDue, seal_due
from rjc.storage import layout


def due(repo, as_of: dt.date) -> list[SealDue]:
    """The closed cases whose sealing (or deletion) date under rjc.yaml's rules has come by
    `as_of` and that the register does not hold yet, the longest overdue first."""
    sealed = repo.seal_register().ids()
    found = []
    for item in repo.load_all([layout.KINDS["case"]]):
        case = item.record
        if isinstance(case, Case) and case.id not in sealed:
            when = seal_due(case, repo.settings)
            if when is not None and when.due <= as_of:
                found.append(when)
    return sorted(found, key=lambda d: (d.due, d.case))
