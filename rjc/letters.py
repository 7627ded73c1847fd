"""Letters: Jinja templates the center can edit, rendered strictly and in a sandbox.

A center overrides any default template (top-level `templates/` of rjc) by putting a file of the
same name in its records repository's `templates/`. Templates run in Jinja's immutable sandbox,
so a template cannot reach Python internals or change data. A missing field never prints as a
blank: rendering stops and lists every missing field, or with `draft` shows a visible
placeholder in its place.

Each letter gets only what its reader may see: a letter to a victim never carries the
responsible party's contact details, and a letter to the responsible party never carries a
victim's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rjc import layout
from rjc.errors import RjcError
from rjc.model import Case, Person, Referral
from rjc.model.vocab import Role
from rjc.repository import Repository

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = ("md", "html")


@dataclass(frozen=True)
class LetterKind:
    name: str
    template: str
    about: str
    to: str  # who reads it, which decides what it may contain


LETTERS = {k.name: k for k in (
    LetterKind("agreement", "agreement.md.j2", "the agreement's terms and due dates", "responsible-party"),
    LetterKind("victim-outreach", "victim-outreach.md.j2", "the ways a victim may take part", "victim"),
    LetterKind("completion", "completion.md.j2", "a completed case, to its referral source", "referral-source"),
    LetterKind("return", "return.md.j2", "a case returned to its referral source", "referral-source"),
)}


def template_dirs(repo: Repository) -> list[Path]:
    """The repository's own templates first, then rjc's defaults."""
    return [repo.root / layout.TEMPLATE_DIR, DEFAULT_TEMPLATES]


def _environment(directories: list[Path], draft: bool):
    from jinja2 import ChainableUndefined, FileSystemLoader
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    missing: list[str] = []

    class Missing(ChainableUndefined):  # chainable: `recipient.address.street` with no address
        """Records every missing field; prints a placeholder so a draft shows where it goes."""

        def __str__(self) -> str:
            if issubclass(self._undefined_exception, SecurityError):
                self._fail_with_undefined_error()  # an attribute the sandbox forbids: refuse
            name = self._undefined_name or "?"
            if name not in missing:
                missing.append(name)
            return f"[MISSING: {name}]"

        __html__ = __str__

    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader([str(d) for d in directories]),
                                        undefined=Missing, autoescape=False, keep_trailing_newline=True)
    return env, missing


def render(repo: Repository, letter: str, case_id: str, *, draft: bool = False,
           person: str | None = None, today: dt.date | None = None) -> str:
    """The letter's Markdown text."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    kind = LETTERS.get(letter)
    if kind is None:
        raise RjcError(f"no letter '{letter}'; letters are: {', '.join(LETTERS)}")
    env, missing = _environment(template_dirs(repo), draft)
    # An empty field is left out, so the template sees it as missing instead of printing "None".
    context = _without_empty(_context(repo, kind, case_id, person, today or dt.date.today()))
    try:
        text = env.get_template(kind.template).render(**context)
    except SecurityError:
        raise RjcError(f"template {kind.template} tries to reach something templates may not use") from None
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{getattr(exc, 'filename', None) or kind.template}" + (f":{line}" if line else "")
        raise RjcError(f"template {where}: {exc.message or exc}") from None
    if missing and not draft:
        raise RjcError(f"the {letter} letter for {case_id} is missing: {', '.join(missing)}; "
                       "fill them in, or use --draft to see placeholders")
    return text


def to_html(markdown_text: str, title: str) -> str:
    """A self-contained, printable HTML page (the letter text is escaped by the Markdown parser)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).render(markdown_text)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n"
            "<style>body{font-family:Georgia,serif;max-width:40em;margin:3em auto;line-height:1.5}"
            "@media print{body{margin:0}}</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n")


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


# --- what each letter may know ----------------------------------------------------------------


def _context(repo: Repository, kind: LetterKind, case_id: str, person_id: str | None, today: dt.date) -> dict:
    case = repo.get(case_id)
    if not isinstance(case, Case):
        raise RjcError(f"{case_id} is not a case")
    settings = repo.settings
    coordinator = settings.coordinator(case.coordinator)
    base = {
        "today": today,
        "center": settings.center.model_dump(),
        "coordinator": {"name": coordinator.name if coordinator else None,
                        "email": coordinator.email if coordinator else None},
        "case": {"id": case.id, "program": case.program.value, "opened": case.opened},
    }
    if kind.to == "responsible-party":
        return base | {"recipient": _addressee(repo, _one(case, person_id, _RESPONSIBLE)),
                       "agreement": _agreement(case)}
    if kind.to == "victim":
        return base | {"recipient": _addressee(repo, _one(case, person_id, {Role.VICTIM}))}
    referral = repo.get(case.referral) if case.referral else None
    if not isinstance(referral, Referral):
        raise RjcError(f"{case_id} has no referral to write back to")
    return base | {"referral": {"id": referral.id, "agency": referral.agency, "docket": referral.docket,
                                "contact": referral.contact.model_dump() if referral.contact else {},
                                "received": referral.received},
                   "closure": case.closure.model_dump() if case.closure else {},
                   "responsible_party": _name_only(repo, _one(case, None, _RESPONSIBLE))}


_RESPONSIBLE = {Role.RESPONSIBLE_PARTY, Role.CORE_MEMBER, Role.CLIENT, Role.PARTY}


def _one(case: Case, person_id: str | None, roles: set[Role]) -> str:
    candidates = [p.person for p in case.participants if p.role in roles]
    if person_id:
        if person_id not in candidates:
            raise RjcError(f"{person_id} is not a {'/'.join(sorted(roles))} on {case.id}")
        return person_id
    if len(candidates) != 1:
        raise RjcError(f"{case.id} has {len(candidates)} possible recipients; choose one with --to PERSON")
    return candidates[0]


def _addressee(repo: Repository, person_id: str) -> dict:
    """Name and postal address: what an envelope needs, nothing more."""
    person = repo.get(person_id)
    assert isinstance(person, Person)
    address = person.address.model_dump() if person.address else {}
    return {"name": person.display_name, "given_name": person.preferred_name or person.given_name,
            "address": address}


def _name_only(repo: Repository, person_id: str) -> dict:
    person = repo.get(person_id)
    return {"name": person.display_name}


def _agreement(case: Case) -> dict:
    if not case.agreements:
        return {}
    agreement = case.agreements[-1]
    return {"signed": agreement.signed, "due": agreement.due, "midterm_review": agreement.midterm_review,
            "terms": [_item(item, agreement.due) for item in agreement.items]}


def _item(item, due: dt.date) -> dict:
    """An item's terms; restitution says how much, never to which victim or where they live."""
    entry = {"type": item.type, "description": item.description, "due": item.due or due,
             "status": item.status.value}
    if item.type == "restitution":
        entry |= {"amount": item.amount, "paid": item.paid}
    if item.type == "community-service":
        entry |= {"hours_required": item.hours_required, "hours_done": item.hours_done}
    return entry
