"""An organization the center works with: a referring agency, a STAR host business, a funder, a
service provider. Its name and address are not personal data (reports may name an agency); the
person to write to there is a person on file (`contact_person`), whose name stays in that record.
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

from rjc.model.base import PersonId, Record, Text
from rjc.model.person import Address
from rjc.model.vocab import OrganizationKind


def normal_org_name(text: str | None) -> str:
    """An organization's name as compared: case, spacing, accents' encoding and a final period do not count."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().replace(".", " ").split())


class Organization(Record):
    kind: ClassVar[str] = "organization"

    name: Text
    type: OrganizationKind
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    contact_role: str | None = None  # e.g. "diversion coordinator": the post, not who holds it
    contact_person: PersonId | None = None  # who holds it, if on file
    note: str | None = None
