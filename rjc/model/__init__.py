"""The model: what a center's records are, as types, with no files, git or terminal in sight.

The shape of every file, checked strictly (unknown keys are errors); the vocabularies; each
program's status machine (`lifecycle`); fiscal years and quarters (`periods`); the entries of
logs and their ids (`entries`).

May import: nothing else of rjc. Imported by everything above it.
"""

from rjc.model.base import SCHEMA_VERSION, Record
from rjc.model.case import Case
from rjc.model.panel import Panel
from rjc.model.person import Person
from rjc.model.referral import Referral
from rjc.model.settings import Settings
from rjc.model.volunteer import Volunteer

MODELS: dict[str, type[Record]] = {
    m.kind: m for m in (Person, Referral, Case, Panel, Volunteer)
}

__all__ = ["MODELS", "SCHEMA_VERSION", "Case", "Panel", "Person", "Record", "Referral", "Settings", "Volunteer"]
