"""Reports for funders and for running the center: read-only, identity-free, one computation.

- `data`: loads the records (through the repository's cache), refusing a repository that fails
  `rjc check` unless forced, and then naming the files it left out.
- `window`: which period a report covers (quarters of the Vermont, federal or calendar year,
  or any range) and the one before it, for comparison.
- `measures`: every measure of the quarterly report, computed once into a tidy table of rows
  (measure, breakdown, period, value); `suppress` hides small counts in a public report.
- `restitution`, `volunteers`, `caseload`: the other reports, as tables of ids and facts.
- `render`: every format (terminal, Markdown, CSV, JSON, HTML) drawn from those same rows, so a
  number is the same in each.

The definition of every measure is in docs/reports.md. Nothing here writes to the records
repository or takes its write lock, and no name appears in a report unless asked for
(`rjc report restitution --to-whom`).
"""

DEFAULT_THRESHOLD = 5  # a public report hides counts below this unless told otherwise
