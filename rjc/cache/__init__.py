"""The cache of parsed records (in `.git/rjc`): warm commands do not parse YAML again,
and it can never change what is reported (see `parsed`).

May import: rjc.model, rjc.storage. Imported by the checks, workflows and outputs.
"""

from rjc.cache.parsed import (
                              NO_CHANGE,
                              RACY_NS,
                              Cache,
                              CheckState,
                              Entry,
                              InWorkers,
                              StateChange,
                              digest,
                              iter_loaded,
                              parse_file,
                              scan,
                              stat_key,
                              state_key,
                              without_gc,
)

__all__ = ["NO_CHANGE", "RACY_NS", "Cache", "CheckState", "Entry", "InWorkers", "StateChange", "digest",
           "iter_loaded", "parse_file", "scan", "stat_key", "state_key", "without_gc"]
