"""Letters: Jinja templates the center can edit, rendered strictly and in a sandbox.

A center overrides any default template (`templates/` beside this module, installed with rjc as
package data) by putting a file of the same name in its records repository's `templates/`. Templates run in Jinja's immutable sandbox,
so a template cannot reach Python internals or change data. A missing field never prints as a
blank: rendering stops and lists every missing field, or with `draft` shows a visible
placeholder in its place.

Each letter gets only what its reader may see: a letter to a victim never carries the
responsible party's contact details, and a letter to the responsible party never carries a
victim's; a letter to the referring agency carries no participant's contact details, and a
letter to a volunteer nothing about any case or its participants.

A template is Markdown. Printed (HTML, PDF), each line of a template is a line of the letter,
and the letter's first paragraph is its letterhead, centered at the top.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rjc.model import Case, Organization, Panel, Person, Referral, Volunteer
from rjc.model.case import RestitutionItem
from rjc.model.vocab import ClosureReason, ItemStatus, PanelStatus, Role
from rjc.storage import layout
from rjc.storage.errors import RjcError
from rjc.workflows.repository import Repository

# rjc's own templates: package data beside this module, so an installed rjc (a wheel) has them too.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("md", "html", "pdf")
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class LetterKind:
    name: str
    template: str
    about: str
    to: str  # who reads it, which decides what it may contain
    record: str = "case"  # the kind of record the letter is about


LETTERS = {k.name: k for k in (
    LetterKind("agreement", "agreement.md.j2", "the agreement's terms and due dates", "responsible-party"),
    LetterKind("victim-outreach", "victim-outreach.md.j2", "the ways a victim may take part", "victim"),
    LetterKind("completion", "completion.md.j2", "a completed case, to its referral source", "referral-source"),
    LetterKind("return", "return.md.j2", "a case returned to its referral source", "referral-source"),
    LetterKind("panel-notice", "panel-notice.md.j2", "the case's next panel: date, time, place", "participant"),
    LetterKind("panel-notice-agency", "panel-notice-agency.md.j2", "the case's next panel, to its referral source",
               "referral-source"),
    LetterKind("restitution", "restitution.md.j2", "restitution owed, paid and outstanding, and how to pay",
               "responsible-party"),
    LetterKind("volunteer-thanks", "volunteer-thanks.md.j2", "thanks, with hours and panels served in a period",
               "volunteer", record="volunteer"),
    LetterKind("referral-acknowledgement", "referral-acknowledgement.md.j2",
               "a referral received, to the agency that made it: what happens next", "referral-source",
               record="referral"),
)}

_EXAMPLE_ID = {"case": "C-2026-KB-0019", "volunteer": "V-2026-KB-0003", "referral": "R-2026-KB-0007"}


def template_dirs(repo: Repository) -> list[Path]:
    """The repository's own templates first, then rjc's defaults."""
    return [repo.root / layout.TEMPLATE_DIR, DEFAULT_TEMPLATES]


# What a template may build: a letter is a few pages, and Python's own limits are far above this.
_MAX_TEXT = 1_000_000  # characters (or items) made by repeating a string or a list with `*`
_MAX_BITS = 10_000  # of an integer made with `*` or `**` (about 3000 digits)


def _environment(directories: list[Path], draft: bool, guarded: tuple[Path, ...] = (), center: dict | None = None):
    """The sandboxed Jinja environment; templates under `guarded` (the center's own) must be
    plain files: a symbolic link there could make a letter print any file the user can read.
    A missing field of `center` (the context's own dict) is named `center.FIELD`: it is set in
    rjc.yaml, not in the records."""
    from jinja2 import ChainableUndefined, FileSystemLoader
    from jinja2.exceptions import SecurityError, TemplateRuntimeError
    from jinja2.loaders import split_template_path
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    missing: list[str] = []

    class Missing(ChainableUndefined):  # chainable: `recipient.address.street` with no address
        """Records every missing field; prints a placeholder so a draft shows where it goes."""

        def __str__(self) -> str:
            if issubclass(self._undefined_exception, SecurityError):
                self._fail_with_undefined_error()  # an attribute the sandbox forbids: refuse
            name = self._undefined_name or "?"
            if center is not None and self._undefined_obj is center:
                name = f"center.{name}"
            if name not in missing:
                missing.append(name)
            return f"[MISSING: {name}]"

        __html__ = __str__

    class Loader(FileSystemLoader):
        def get_source(self, environment, template):
            pieces = split_template_path(template)  # refuses `..`; a leading `/` stays inside
            for base in guarded:
                _refuse_links(base, pieces)
            return super().get_source(environment, template)

    class Sandbox(ImmutableSandboxedEnvironment):
        # `*` and `**` are checked before they run (and never folded ahead at compile time), so a
        # template cannot make rjc build a string of gigabytes or an integer of millions of digits.
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if _too_big(operator, left, right):
                raise TemplateRuntimeError(f"'{operator}' would make a value too large for a letter")
            return super().call_binop(context, operator, left, right)

    env = Sandbox(loader=Loader([str(d) for d in directories]),
                  undefined=Missing, autoescape=False, keep_trailing_newline=True)
    env.filters["long_date"] = long_date
    env.filters["clock"] = clock
    return env, missing


def _refuse_links(base: Path, pieces: list[str]) -> None:
    """Refuse a symbolic link at `base` or on the way from it to the template `pieces` name."""
    path, shown = base, layout.TEMPLATE_DIR
    for piece in [None, *pieces]:
        if piece is not None:
            path, shown = path / piece, f"{shown}/{piece}"
        if path.is_symlink():
            raise RjcError(f"{shown} is a symbolic link; templates must be plain files in the records "
                           f"repository's {layout.TEMPLATE_DIR}/: replace the link with a copy of the file")
        if not path.exists():
            return


def _too_big(operator: str, left, right) -> bool:
    def integer(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if operator == "**":
        return integer(left) and integer(right) and abs(left) > 1 and right * left.bit_length() > _MAX_BITS
    if integer(left) and integer(right):
        return left.bit_length() + right.bit_length() > _MAX_BITS
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and integer(times):
            return len(sequence) * times > _MAX_TEXT
    return False


def _template_line(exc: BaseException, directories: list[Path]) -> str | None:
    """`file:line` of the innermost template line running when `exc` was raised, if any."""
    roots = [str(d) for d in directories]
    where = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") and any(filename.startswith(root) for root in roots):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def render(repo: Repository, letter: str, record_id: str, *, draft: bool = False,
           person: str | None = None, today: dt.date | None = None,
           period: tuple[dt.date | None, dt.date | None] | None = None) -> str:
    """The letter's Markdown text.

    `record_id` is the case the letter is about, the volunteer for a volunteer letter, or the
    referral for a referral acknowledgement.
    `person` chooses the recipient among a case's participants; `period` (first day, last
    day, either None for the default) is the span a volunteer letter counts.
    """
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError

    kind = LETTERS.get(letter)
    if kind is None:
        raise RjcError(f"no letter '{letter}'; letters are: {', '.join(LETTERS)}")
    _check_arguments(kind, record_id, person, period)
    directories = template_dirs(repo)
    # An empty field is left out, so the template sees it as missing instead of printing "None".
    context = _without_empty(_context(repo, kind, record_id, person, today or dt.date.today(), period, draft))
    env, missing = _environment(directories, draft, guarded=(directories[0],), center=context.get("center"))
    try:
        text = env.get_template(kind.template).render(**context)
    except RjcError:
        raise
    except SecurityError as exc:
        where = _template_line(exc, directories) or kind.template
        raise RjcError(f"template {where} tries to reach something templates may not use") from None
    except TemplateNotFound as exc:
        where = _template_line(exc, directories) or kind.template
        raise RjcError(f"template {where}: no template '{exc.name}' in {layout.TEMPLATE_DIR}/ "
                       f"(a template can include or import only other templates there)") from None
    except TemplateError as exc:
        line, filename = getattr(exc, "lineno", None), getattr(exc, "filename", None)
        where = f"{filename or kind.template}:{line}" if line else (
            _template_line(exc, directories) or filename or kind.template)
        raise RjcError(f"template {where}: {exc.message or exc}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError, MemoryError) as exc:
        # An error in the template's own expressions ({{ 1/0 }}, a range too large, a template
        # including itself): the center's template to fix, not a failure of rjc. The exception's
        # text is not shown (it may quote a value from a record), except the sandbox's own.
        where = _template_line(exc, directories) or kind.template
        reason = ("includes itself without end" if isinstance(exc, RecursionError)
                  else str(exc) if isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc)
                  else type(exc).__name__)
        raise RjcError(f"template {where} failed: {reason}") from None
    if missing and not draft:
        raise RjcError(_missing_message(letter, record_id, missing))
    return text


def _missing_message(letter: str, record_id: str, missing: list[str]) -> str:
    """What stops a letter: the records' missing fields, and the center's, which are settings."""
    fields = [name for name in missing if not name.startswith("center.")]
    clauses = [f"the {letter} letter for {record_id} is missing: {', '.join(fields)}; fill them in"] if fields else []
    clauses += [f"the center's {name.removeprefix('center.')} is not set: rjc settings set {name} VALUE"
                for name in missing if name.startswith("center.")]
    return "; ".join(clauses) + ", or use --draft to see placeholders"


def _check_arguments(kind: LetterKind, record_id: str, person: str | None,
                     period: tuple[dt.date | None, dt.date | None] | None) -> None:
    parsed = layout.parse_id(record_id)
    if parsed.kind.name != kind.record:
        raise RjcError(f"the {kind.name} letter is about a {kind.record} (an id like "
                       f"{_EXAMPLE_ID[kind.record]}), and {record_id} is a {parsed.kind.name}")
    if person and layout.parse_id(person).kind.name != "person":
        raise RjcError(f"--to takes a person id (like P-2026-KB-0001), and {person} is not one")
    if kind.record == "volunteer" and person:
        raise RjcError(f"the {kind.name} letter goes to the volunteer {record_id}; --to is for letters about a case")
    if kind.record == "referral" and person:
        raise RjcError(f"the {kind.name} letter goes to the agency that made {record_id}; --to is for letters about a case")
    if kind.record != "volunteer" and period and any(period):
        raise RjcError(f"--from and --until are for volunteer letters, not the {kind.name} letter")


def long_date(value):
    """A date as a letter writes it: Thursday, November 12, 2026 (English, whatever the locale)."""
    if isinstance(value, dt.date):
        return f"{_WEEKDAYS[value.weekday()]}, {_MONTHS[value.month - 1]} {value.day}, {value.year}"
    return value  # a missing field stays missing


def clock(value):
    """A time as a letter writes it: 5:30 p.m."""
    if isinstance(value, dt.time):
        return f"{value.hour % 12 or 12}:{value.minute:02d} {'a.m.' if value.hour < 12 else 'p.m.'}"
    return value


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _markdown():
    from markdown_it import MarkdownIt

    # `breaks`: a line of the template is a line of the printed letter (address blocks, letterhead).
    return MarkdownIt("commonmark", {"html": False, "breaks": True})


def to_html(markdown_text: str, title: str) -> str:
    """A self-contained, printable HTML page (the letter text is escaped by the Markdown parser)."""
    from html import escape

    parser = _markdown()
    tokens = parser.parse(markdown_text)
    if tokens and tokens[0].type in ("paragraph_open", "heading_open"):
        tokens[0].attrSet("class", "letterhead")
    body = parser.renderer.render(tokens, parser.options, {})
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{escape(title)}</title>\n"
            "<style>body{font-family:Georgia,serif;max-width:40em;margin:3em auto;line-height:1.5}"
            ".letterhead{text-align:center}"
            "@media print{body{margin:0}}</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n")


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


# --- what each letter may know ----------------------------------------------------------------


def _context(repo: Repository, kind: LetterKind, record_id: str, person_id: str | None, today: dt.date,
             period: tuple[dt.date | None, dt.date | None] | None, draft: bool) -> dict:
    if kind.record == "volunteer":
        return _volunteer_context(repo, record_id, today, period or (None, None), draft)
    if kind.record == "referral":
        return _referral_context(repo, record_id, today, draft)
    case = repo.get(record_id)
    if not isinstance(case, Case):
        raise RjcError(f"{record_id} is not a case")
    settings = repo.settings
    coordinator = settings.coordinator(case.coordinator)
    base = {
        "today": today,
        "center": settings.center.model_dump(),
        "coordinator": {"name": coordinator.name if coordinator else None,
                        "email": coordinator.email if coordinator else None},
        "case": {"id": case.id, "program": case.program.value, "opened": case.opened,
                 "has_agreement": bool(case.agreements)},
    }
    if kind.name == "restitution":
        return base | {"recipient": _addressee(repo, _one(case, person_id, _RESPONSIBLE)),
                       "restitution": _restitution(case, today)}
    if kind.to == "responsible-party":
        return base | {"recipient": _addressee(repo, _one(case, person_id, _RESPONSIBLE)),
                       "agreement": _agreement(case)}
    if kind.to == "victim":
        return base | {"recipient": _addressee(repo, _one(case, person_id, {Role.VICTIM}))}
    if kind.to == "participant":
        recipient = _one(case, person_id, set(Role), what="participant")
        role = next(p.role for p in case.participants if p.person == recipient)
        panel, entry = _next_panel(repo, case, today)
        return base | {"recipient": _addressee(repo, recipient) | {"role": role.value},
                       "panel": _panel(panel, entry, video_link=True)}
    referral = repo.get(case.referral) if case.referral else None
    if not isinstance(referral, Referral):
        raise RjcError(f"{record_id} has no referral to write back to")
    base |= {"referral": {"id": referral.id, "agency": referral.agency, "docket": referral.docket,
                          "contact": referral.contact.model_dump() if referral.contact else {},
                          "received": referral.received},
             "responsible_party": _names_only(repo, case)}
    if kind.name == "panel-notice-agency":
        # The agency is told when and where; a video link is for the people who sit the panel.
        return base | {"panel": _panel(*_next_panel(repo, case, today), video_link=False)}
    _closure_fits(case, kind)
    assert case.closure is not None  # _closure_fits refuses a case not closed
    return base | {"closure": case.closure.model_dump(), "agreement": _agreement(case)}


# Closure reasons each letter to the referral source is for.
_COMPLETED = {ClosureReason.COMPLETED_SUCCESSFULLY, ClosureReason.COMPLETED_PARTIALLY}


def _closure_fits(case: Case, kind: LetterKind) -> None:
    if case.closure is None:
        raise RjcError(f"{case.id} is not closed; the {kind.name} letter is written after closure")
    completed = case.closure.reason in _COMPLETED
    if kind.name == "completion" and not completed:
        raise RjcError(f"{case.id} closed as {case.closure.reason}; write the return letter instead")
    if kind.name == "return" and completed:
        raise RjcError(f"{case.id} closed as {case.closure.reason}; write the completion letter instead")


def _names_only(repo: Repository, case: Case) -> dict:
    """The responsible parties' names (a mediation has two), for the referral source."""
    people = [p.person for p in case.participants if p.role in _RESPONSIBLE]
    if not people:
        raise RjcError(f"{case.id} has no responsible party to write about")
    names = [_name_only(repo, person)["name"] for person in people]
    return {"name": " and ".join(names)}


_RESPONSIBLE = {Role.RESPONSIBLE_PARTY, Role.CORE_MEMBER, Role.CLIENT, Role.PARTY}


def _one(case: Case, person_id: str | None, roles: set[Role], what: str | None = None) -> str:
    candidates = [p.person for p in case.participants if p.role in roles]
    if person_id:
        if person_id not in candidates:
            raise RjcError(f"{person_id} is not a {what or '/'.join(sorted(roles))} on {case.id}")
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
    assert isinstance(person, Person)
    return {"name": person.display_name}


def _agreement(case: Case) -> dict:
    if not case.agreements:
        return {}
    agreement = case.agreements[-1]
    return {"signed": agreement.signed, "due": agreement.due, "midterm_review": agreement.midterm_review,
            "terms": [_item(item, agreement.due) for item in agreement.items]}


def _restitution(case: Case, today: dt.date) -> dict:
    """Every restitution item not waived: owed, the payments dated by the letter's day, the balance.
    Never to which victim: the responsible party pays the center, as its payment instructions say."""
    items: list[dict] = []
    total = {"amount": Decimal("0.00"), "paid": Decimal("0.00"), "balance": Decimal("0.00")}
    for number, agreement in enumerate(case.agreements, start=1):
        for index, item in enumerate(agreement.items, start=1):
            if not isinstance(item, RestitutionItem) or item.status == ItemStatus.WAIVED:
                continue
            payments = [p for p in item.payments if p.date <= today]
            paid = sum((p.amount for p in payments), Decimal("0.00"))
            figures = {"amount": item.amount, "paid": paid, "balance": max(item.amount - paid, Decimal("0.00"))}
            for key, value in figures.items():
                total[key] += value
            items.append({"agreement": number, "item": index, "description": item.description,
                          "due": item.due or agreement.due, **figures,
                          "payments": [{"date": p.date, "amount": p.amount} for p in payments]})
    if not items:
        raise RjcError(f"{case.id} has no restitution to ask for")
    if not total["balance"]:
        raise RjcError(f"{case.id} owes no restitution: every item is paid in full")
    return {"terms": items, **total}


def _item(item, due: dt.date) -> dict:
    """An item's terms; restitution says how much, never to which victim or where they live."""
    entry = {"type": item.type, "description": item.description, "due": item.due or due,
             "status": item.status.value, "outcome": _outcome(item)}
    if item.type == "restitution":
        entry |= {"amount": item.amount, "paid": item.paid}
    if item.type == "community-service":
        entry |= {"hours_required": item.hours_required, "hours_done": item.hours_done}
    return entry


def _outcome(item) -> str:
    """How an item really ended, in words: a closure as completed never makes an open item done."""
    status = item.status
    if status == ItemStatus.COMPLETED:
        text = f"completed on {item.completed}" if item.completed else "completed"
    elif status == ItemStatus.WAIVED:
        text = f"waived on {item.decided}" if item.decided else "waived"
    elif status == ItemStatus.NOT_COMPLETED:
        text = "not completed"
    else:
        text = "still open, not started" if status == ItemStatus.PENDING else "still open, in progress"
    if item.type == "restitution":
        text += f" (${item.paid} of ${item.amount} paid)"
    elif item.type == "community-service":
        text += f" ({_number(item.hours_done)} of {_number(item.hours_required)} hours done)"
    return text


def _panels(repo: Repository) -> list[Panel]:
    """Every panel; an invalid panel file stops the letter, since it may be the one that counts."""
    loaded = repo.load_all([layout.KINDS["panel"]])
    broken = [item.path for item in loaded if item.record is None]
    if broken:
        raise RjcError(f"panel files are not valid: {', '.join(broken)}; run: rjc check")
    return [item.record for item in loaded]


def _next_panel(repo: Repository, case: Case, today: dt.date):
    """The earliest scheduled panel on or after `today` whose docket holds the case."""
    upcoming = [(panel, entry) for panel in _panels(repo)
                if panel.status == PanelStatus.SCHEDULED and panel.date >= today
                for entry in panel.docket if entry.case == case.id]
    if not upcoming:
        raise RjcError(f"{case.id} has no panel scheduled on or after {today}; schedule one first")
    return min(upcoming, key=lambda pair: (pair[0].date, pair[0].start, pair[0].id))


def _panel(panel: Panel, entry, *, video_link: bool) -> dict:
    return {"date": panel.date, "start": panel.start, "end": panel.end, "place": panel.place,
            "video_link": panel.video_link if video_link else None, "by_video": bool(panel.video_link),
            "purpose": entry.purpose.value, "program": panel.program.value}


def _volunteer_context(repo: Repository, volunteer_id: str, today: dt.date,
                       period: tuple[dt.date | None, dt.date | None], draft: bool) -> dict:
    """A volunteer's own name and address and their panel service: nothing about any case."""
    volunteer = repo.get(volunteer_id)
    if not isinstance(volunteer, Volunteer):
        raise RjcError(f"{volunteer_id} is not a volunteer")
    # By default the calendar year of the letter; with only --from, up to the end of the letter's
    # year; with only --until, from the start of that year.
    last = period[1] or dt.date(max(today.year, period[0].year if period[0] else today.year), 12, 31)
    first = period[0] or dt.date(last.year, 1, 1)
    if first > last:
        raise RjcError(f"the period starts ({first}) after it ends ({last})")
    from rjc.model.periods import Period
    from rjc.workflows import volunteers

    panels = _panels(repo)
    unrecorded = [p.id for p in panels if p.status == PanelStatus.HELD and first <= p.date <= last
                  and any(s.volunteer == volunteer_id and s.attended is None and s.hours is None for s in p.seats)]
    cases = [r.record for r in repo.load_all([layout.KINDS["case"]]) if isinstance(r.record, Case)]
    served = volunteers.ledger(volunteer_id, panels, cases, Period(first, last, "letter"))
    programs = list(dict.fromkeys(e.program for e in served.entries))
    if unrecorded and not draft:
        raise RjcError(f"attendance of {volunteer_id} is not recorded at {', '.join(sorted(unrecorded))}; "
                       "record it, or use --draft")
    actor = _actor(repo)
    settings = repo.settings
    return {
        "today": today,
        "center": settings.center.model_dump(),
        "coordinator": {"name": actor.name if actor else None, "email": actor.email if actor else None},
        "recipient": _addressee(repo, volunteer.person),
        "volunteer": {"id": volunteer.id, "since": volunteer.since},
        "period": {"start": first, "end": last,
                   "year": first.year if (first, last) == (dt.date(first.year, 1, 1), dt.date(first.year, 12, 31))
                   else None},
        "service": {"hours": _number(served.total),
                    "panels": len({e.record for e in served.entries if e.kind == "panel"}),
                    "circle_meetings": sum(1 for e in served.entries if e.kind == "circle"),
                    "programs": [p.replace("-", " ") for p in programs]},
    }


def _referral_context(repo: Repository, referral_id: str, today: dt.date, draft: bool) -> dict:
    """The referral as the agency knows it, and the agency's address from its organization record:
    the responsible parties' names only, no participant's contact details."""
    referral = repo.get(referral_id)
    if not isinstance(referral, Referral):
        raise RjcError(f"{referral_id} is not a referral")
    organization = repo.get(referral.agency_org) if referral.agency_org else None
    agency: dict[str, object]
    if not isinstance(organization, Organization):
        if not draft:
            raise RjcError(f"{referral_id} names no agency on file, so there is no address to write to; link it "
                           f"with: rjc org link-agencies (or rjc edit {referral_id}: agency_org: O-...), or use --draft")
        agency = {"name": referral.agency}
    else:
        agency = {"id": organization.id, "name": organization.name, "contact_role": organization.contact_role,
                  "address": organization.address.model_dump() if organization.address else {}}
    people = [p.person for p in referral.people if p.role in _RESPONSIBLE]
    names = [_name_only(repo, person)["name"] for person in people]
    actor = _actor(repo)
    return {
        "today": today,
        "center": repo.settings.center.model_dump(),
        "coordinator": {"name": actor.name if actor else None, "email": actor.email if actor else None},
        "agency": agency,
        # the agency's own staff member named on the referral (not a participant)
        "contact": {"name": referral.contact.name if referral.contact else None},
        "referral": {"id": referral.id, "received": referral.received, "program": referral.program.value,
                     "docket": referral.docket, "decision": referral.screening.decision.value,
                     "decided": referral.screening.date, "case": referral.screening.case},
        "responsible_party": {"name": " and ".join(names)} if names else {},
    }


def _number(value: Decimal) -> str:
    """Hours as people write them: 12, 12.5, 12.75."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _actor(repo: Repository):
    """The coordinator writing the letter (volunteer letters belong to no case's coordinator)."""
    try:
        return repo.settings.coordinator(repo.actor())
    except RjcError:
        return None  # then the signature is a missing field, listed like any other


# --- print-ready PDF --------------------------------------------------------------------------

_FONT_PACKAGE = "font_source_serif_pro"
_FONT_FILES = {"": "SourceSerifPro-Regular.ttf", "B": "SourceSerifPro-Bold.ttf",
               "I": "SourceSerifPro-It.ttf", "BI": "SourceSerifPro-BoldIt.ttf"}
_PAPER_SIZES = {"letter": "letter", "a4": "A4"}
_MARGIN = 72.0  # points: one inch all round
_SIZE, _LINE = 11.0, 1.4  # body text size in points, and line height as a multiple of the size
_INDENT = 18.0  # points, of a list item or a quote
_GAP = 9.0  # points, between blocks


def _font_files() -> dict[str, Path]:
    """The letter font: Source Serif Pro, from the `font-source-serif-pro` package on PyPI.

    Why this font, and why from that package: fpdf2's built-in PDF fonts cover Latin-1 only,
    so "Nguyễn", curly quotes and em dashes need an embedded TrueType font. The font must come
    from PyPI with no system step, and be light. No light PyPI package ships DejaVu (matplotlib
    does, with numpy and a dozen megabytes besides, only for one file); `font-source-serif-pro`
    is 1.8 MB of font data and nothing else, under the SIL Open Font License. Source Serif Pro
    2.007 covers Latin with Vietnamese, Greek and Cyrillic (907 characters) in regular and
    bold; its italics cover fewer, so italic text falls back to the upright face for a
    character its italic lacks. What it cannot show stops the letter (see `_check_glyphs`).
    """
    from importlib import resources

    try:
        folder = resources.files(_FONT_PACKAGE) / "files"
    except ModuleNotFoundError:
        raise RjcError("PDF letters need the font package font-source-serif-pro; reinstall rjc "
                       "(or use --format html)") from None
    return {style: Path(str(folder / name)) for style, name in _FONT_FILES.items()}


def _check_glyphs(text: str, font_file: Path) -> None:
    """Refuse a character the font has no glyph for: never a blank or a box in its place."""
    from fontTools.ttLib import TTFont

    covered = set(TTFont(str(font_file), lazy=True).getBestCmap())
    lacking = sorted({c for c in text if c not in "\n" and ord(c) not in covered})
    if lacking:
        names = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})" for c in lacking[:10])
        more = f" and {len(lacking) - 10} more" if len(lacking) > 10 else ""
        raise RjcError(f"the PDF font cannot show {names}{more}; change the text, or use --format html")


def to_pdf(markdown_text: str, title: str, *, paper: str = "letter", draft: bool = False) -> bytes:
    """A print-ready PDF of the letter: letterhead centered at the top, one-inch margins.

    The text is normalized to composed Unicode (NFC) first, so a name typed with combining
    accents prints as the same letters; every character must then be in the font, or the
    letter stops with the characters it cannot show (nothing is dropped or replaced).
    fpdf2's `write_html` lays the letter out, from the HTML markdown-it makes of it.
    """
    if paper not in _PAPER_SIZES:
        raise RjcError(f"paper is one of: {', '.join(PAPERS)}")
    try:
        from fpdf import FPDF
    except ModuleNotFoundError:
        raise RjcError("PDF letters need the fpdf2 package; reinstall rjc (or use --format html)") from None

    text = unicodedata.normalize("NFC", markdown_text).replace("\t", "    ")
    fonts = _font_files()
    parser = _markdown()
    tokens = _on_paper(parser.parse(text))
    _check_glyphs("".join(_drawn_text(tokens)), fonts[""])

    class Letter(FPDF):
        def header(self):
            if draft:
                self.set_font("letter", "B", 9)
                self.set_text_color(160, 0, 0)
                self.set_xy(self.l_margin, _MARGIN / 2)
                self.cell(0, 10, "DRAFT: not for sending", align="R")
                self.set_text_color(0)
                self.set_xy(self.l_margin, self.t_margin)

        def footer(self):
            if self.page_no() > 1:  # a continuation sheet says which it is
                self.set_y(-_MARGIN / 2)
                self.set_font("letter", "", 9)
                self.cell(0, 10, f"page {self.page_no()}", align="C")

    pdf = Letter(unit="pt", format=_PAPER_SIZES[paper])
    for style, path in fonts.items():
        pdf.add_font("letter", style, str(path))
    pdf.add_font("letter-upright", "", str(fonts[""]))
    pdf.add_font("letter-upright", "B", str(fonts["B"]))
    pdf.set_fallback_fonts(["letter-upright"], exact_match=False)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.c_margin = 0  # text starts at the margin, in line with the letterhead's rule
    pdf.set_auto_page_break(True, margin=_MARGIN)
    pdf.set_title(title)
    pdf.set_creator("rjc")
    pdf.set_lang("en")
    pdf.add_page()
    pdf.set_font("letter", "", _SIZE)
    pdf.set_draw_color(120)  # the rules: grey and thin
    pdf.set_line_width(0.6)
    letterhead = _letterhead(tokens)  # takes the first paragraph out of the tokens
    html = letterhead + parser.renderer.render(tokens, parser.options, {})
    pdf.write_html(html, tag_styles=_tag_styles(), li_prefix_color=0)
    return bytes(pdf.output())


def _tag_styles() -> dict:
    """How each HTML element prints, in points: black text throughout, in the letter font."""
    from fpdf.enums import Align
    from fpdf.fonts import FontFace, TextStyle

    styles = {f"h{level}": TextStyle(font_style="B", font_size_pt=_SIZE, color=0, t_margin=_GAP, b_margin=0.3)
              for level in range(1, 7)}
    styles["h1"] = styles["h1"].replace(font_size_pt=15.0)
    styles["h2"] = styles["h2"].replace(font_size_pt=13.0)
    return styles | {
        "p": TextStyle(t_margin=_GAP),
        "ul": TextStyle(t_margin=_GAP),
        "ol": TextStyle(t_margin=_GAP),
        "li": TextStyle(l_margin=_INDENT),
        "blockquote": TextStyle(color=0, l_margin=_INDENT, t_margin=_GAP, b_margin=_GAP),
        "pre": TextStyle(font_family="letter", t_margin=_GAP),
        "code": FontFace(family="letter"),
        "a": FontFace(),  # no link colour on paper: the address is printed after it
        # The letterhead: its first line, then the rest (tags that Markdown never makes).
        "dt": TextStyle(font_style="B", font_size_pt=16.0, l_margin=Align.C),
        "center": TextStyle(font_size_pt=10.0, l_margin=Align.C, t_margin=4.0, b_margin=8.0),
    }


def _on_paper(tokens):
    """The letter as paper shows it: a link's address after its text, an image's description instead of it.

    Each paragraph and list also gets the letter's line height (fpdf2 reads it from the style), and
    each paragraph of a quote becomes an indented `blockquote` of its own (fpdf2 indents only the
    text directly in a blockquote, not a paragraph inside it).
    """
    from markdown_it.token import Token

    quoted = 0
    for token in tokens:
        if token.type in ("blockquote_open", "blockquote_close"):
            quoted += token.nesting
            token.hidden = True
        elif token.type in ("paragraph_open", "paragraph_close") and quoted and not token.hidden:
            token.tag = "blockquote"
        elif token.type in ("paragraph_open", "bullet_list_open", "ordered_list_open"):
            token.attrSet("style", f"line-height: {_LINE}")
        if not token.children:
            continue
        children, links = [], []  # per open link: its address, and the text it shows
        for child in token.children:
            if child.type == "image":
                child = Token("text", "", 0, content=f"{child.content} ({child.attrGet('src')})")
            children.append(child)
            if child.type == "link_open":
                links.append([child.attrGet("href") or "", ""])
            elif child.type in ("text", "code_inline") and links:
                links[-1][1] += child.content
            elif child.type == "link_close":
                href, shown = links.pop()
                if href and href != shown:
                    children.append(Token("text", "", 0, content=f" ({href})"))
        token.children = children
    return tokens


def _letterhead(tokens) -> str:
    """The letter's first paragraph as its letterhead, taken out of `tokens`: centered, its first
    line large and bold, the rest small, a rule under it."""
    from html import escape

    if len(tokens) < 3 or tokens[0].type not in ("paragraph_open", "heading_open"):
        return ""
    lines = [""]
    for child in tokens[1].children or ():
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "code_inline"):
            lines[-1] += child.content
    del tokens[:3]
    first, *rest = (escape(line) for line in lines)
    return f"<dt>{first}</dt><center>{'<br>'.join(rest)}</center><hr>"


def _drawn_text(tokens) -> list[str]:
    """Every piece of text the PDF will draw (for the glyph check)."""
    pieces = []
    for token in tokens:
        if token.type in ("code_block", "fence"):
            pieces.append(token.content)
        pieces.extend(child.content for child in token.children or () if child.type in ("text", "code_inline"))
    return pieces + ["0123456789 page DRAFT: not for sending.\u2022"]
