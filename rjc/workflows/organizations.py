"""Organizations: referring agencies, host businesses, funders, service providers, on file once.

A referral names its agency, and an internship its host, by the organization's id; text that is
exactly one organization's name (ignoring case and spacing) is taken for it. `link_agencies`
turns the agencies typed on older referrals into organizations in one commit: a name already on
file is linked to it, a new name becomes an organization, and two spellings that may be one are
asked about (`decide`) and never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from rjc.model import SCHEMA_VERSION, Organization, Referral
from rjc.model.organization import normal_org_name
from rjc.model.vocab import OrganizationKind
from rjc.storage import layout, yamlio
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result, Transaction
from rjc.workflows import records
from rjc.workflows.repository import Repository

SIMILAR = 85  # two names this alike (0-100, on their compared form) may be one organization


def all_organizations(repo: Repository) -> list[Organization]:
    return [loaded.record for loaded in repo.load_all([layout.KINDS["organization"]])
            if isinstance(loaded.record, Organization)]


def named(organizations: list[Organization], name: str) -> list[Organization]:
    """The organizations with this name, as names are compared."""
    wanted = normal_org_name(name)
    return [o for o in organizations if normal_org_name(o.name) == wanted]


def similarity(a: str, b: str) -> float:
    """How alike two names are (0-100), compared without case, spacing or periods, in any word order."""
    from rapidfuzz import fuzz

    return fuzz.token_sort_ratio(normal_org_name(a), normal_org_name(b))


def alike(a: str, b: str) -> bool:
    """Two spellings that may be one organization ('Hartford Police Dept', 'Hartford Police Department')."""
    return normal_org_name(a) != normal_org_name(b) and similarity(a, b) >= SIMILAR


@dataclass
class Named:
    """What a typed agency or host stands for: an organization on file, or text kept as typed."""

    org: Organization | None
    text: str | None
    hint: str | None = None  # said to the user when the text is kept


def resolve(repo: Repository, given: str, what: str = "agency") -> Named:
    """An organization's id, or a name: one organization of that name is taken for it."""
    given = given.strip()
    if not given:
        raise RjcError(f"the {what} cannot be blank")
    if layout.is_id(given.upper()) and given.upper().startswith("O-"):
        record = repo.get(given.upper())
        if not isinstance(record, Organization):
            raise RjcError(f"{given.upper()} is not an organization")
        return Named(record, None)
    if layout.is_id(given.upper()):
        raise RjcError(f"the {what} is an organization: give its id (O-...) or its name, not {given.upper()}")
    organizations = all_organizations(repo)
    same = named(organizations, given)
    if len(same) == 1:
        return Named(same[0], None)
    if same:
        return Named(None, given, f"{len(same)} organizations are named '{given}' "
                                  f"({', '.join(o.id for o in same)}); give the id to link the {what}")
    close = sorted((o for o in organizations if alike(o.name, given)), key=lambda o: -similarity(o.name, given))
    hint = f"the {what} '{given}' is not on file; kept as text"
    if close:
        hint += f" (on file: {', '.join(f'{o.id} {o.name}' for o in close[:3])}; give the id to link it)"
    else:
        hint += "; add it with: rjc org new, then link it with: rjc org link-agencies"
    return Named(None, given, hint)


def new_organization(tx: Transaction, name: str, kind: OrganizationKind, today: dt.date) -> Organization:
    return Organization(id=tx.new_id("organization", today.year), schema_version=SCHEMA_VERSION,
                        name=" ".join(name.split()), type=kind)


def create(repo: Repository, fields: yamlio.Document, *, source: str, today: dt.date | None = None) -> Result:
    """A new organization, unless one of that name is on file already."""
    name = fields.data.get("name") if isinstance(fields.data, dict) else None
    if isinstance(name, str) and name.strip():
        same = named(all_organizations(repo), name)
        if same:
            raise RjcError(f"'{' '.join(name.split())}' is on file already as {same[0].id}; "
                           f"to change it: rjc org edit {same[0].id}")
    return records.create(repo, "organization", fields, source=source, today=today, command="org new")


# --- linking the agencies typed on referrals ------------------------------------------------


@dataclass
class Linked:
    result: Result | None  # None: nothing to change
    linked: dict[str, str] = field(default_factory=dict)  # referral id -> organization id
    created: list[str] = field(default_factory=list)  # new organizations' ids
    left: dict[str, str] = field(default_factory=dict)  # referral id -> agency text left unlinked (undecided)


# Asked about two spellings: (typed, on file or about to be) -> True when they are one organization,
# or None when it cannot be asked (no terminal): then the referrals stay as they are.
Decide = Callable[[str, str], bool | None]


def link_agencies(repo: Repository, decide: Decide, *, today: dt.date | None = None) -> Linked:
    """Link every referral's typed agency to an organization, creating those not on file."""
    today = today or dt.date.today()
    with repo.transaction("org link-agencies") as tx:
        referrals = [loaded.record for loaded in repo.load_all([layout.KINDS["referral"]])
                     if isinstance(loaded.record, Referral)]
        waiting = [r for r in referrals if r.agency and r.agency.strip() and not r.agency_org]
        if not waiting:
            return Linked(None)
        known = all_organizations(repo)
        # each spelling once, most used first (so the common spelling becomes the organization's name)
        counts: dict[str, int] = {}
        spelled: dict[str, str] = {}
        for r in waiting:
            key = normal_org_name(r.agency)
            counts[key] = counts.get(key, 0) + 1
            spelled.setdefault(key, " ".join((r.agency or "").split()))
        target: dict[str, Organization | None] = {}
        made: list[Organization] = []
        for key in sorted(counts, key=lambda k: (-counts[k], k)):
            same = named(known + made, spelled[key])
            if len(same) > 1:
                target[key] = None  # two on file by this name: the coordinator links by id
                continue
            if same:
                target[key] = same[0]
                continue
            chosen: Organization | None = None
            undecided = False
            for candidate in sorted((o for o in known + made if alike(o.name, spelled[key])),
                                    key=lambda o: -similarity(o.name, spelled[key])):
                answer = decide(spelled[key], f"{candidate.name} ({candidate.id})" if candidate in known
                                else candidate.name)
                if answer is None:
                    undecided = True
                    break
                if answer:
                    chosen = candidate
                    break
            if undecided:
                target[key] = None
                continue
            if chosen is None:
                chosen = new_organization(tx, spelled[key], OrganizationKind.REFERRING_AGENCY, today)
                made.append(chosen)
                tx.stage(chosen)  # staged before the next new_id, so each gets its own number
            target[key] = chosen
        outcome = Linked(None, created=[o.id for o in made])
        for r in waiting:
            org = target[normal_org_name(r.agency)]
            if org is None:
                outcome.left[r.id] = r.agency or ""
                continue
            r.agency_org, r.agency = org.id, None  # the organization's name is the agency's name now
            tx.stage(r)
            outcome.linked[r.id] = org.id
        if not outcome.linked:
            return outcome
        if made and not (repo.root / layout.KINDS["organization"].schema_file).is_file():
            records.stage_schemas(repo, tx)
        outcome.result = tx.commit("org link-agencies")
        return outcome
