"""Fictional records: the sample repository, and synthetic repositories for benchmarks.

    python -m benchmarks.synth sample OUTDIR
    python -m benchmarks.synth synthetic OUTDIR --records N [--seed S]

Both come from one simulation. Referrals come in; accepted ones become cases that walk their
program's path (rjc.model.lifecycle) as straight-line scripts: booking panels, signing agreements,
logging contacts, payments, hours and meetings as the days pass. Nothing is recorded after
HORIZON, so a case whose story runs past it stays open wherever it has got to; that is what
gives open statuses their realistic proportions. A panel is seated when it is set up, from a
pool of volunteers who are trained, checked and free that week; the pool recruits when short.

The output is deterministic (one seeded random.Random), canonical (every file written by
rjc.storage.store) and clean under rjc.checks.check_repository. People, places and businesses are
made up; the towns are real Upper Valley towns, the phone numbers are 555-01xx ones and the
email addresses are example.org ones.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rjc.checks import PANEL_SEATS
from rjc.model import (
    SCHEMA_VERSION,
    Case,
    Organization,
    Panel,
    Person,
    Record,
    Referral,
    Settings,
    Volunteer,
    lifecycle,
)
from rjc.model.case import (
    Agreement,
    ApologyItem,
    AssessmentItem,
    Circle,
    CircleMeeting,
    CircleSchedule,
    CircleSeat,
    Closure,
    CommunityServiceItem,
    Contact,
    Diversion,
    EducationItem,
    Goal,
    Internship,
    OtherItem,
    Participant,
    Payment,
    RestitutionItem,
    Service,
    ServiceHours,
    Session,
    StatusEntry,
    SurveyResponse,
    WorkedHours,
)
from rjc.model.entries import stable_id
from rjc.model.panel import Change, DocketEntry, NoticeSent, Seat
from rjc.model.person import Address, Demographics
from rjc.model.referral import AgencyContact, Involved, Screening
from rjc.model.settings import AgreementTerms, Center, Coordinator
from rjc.model.surveys import Survey, Surveys
from rjc.model.vocab import CaseStatus as S
from rjc.model.vocab import (
    CirclePhase,
    CircleRole,
    ContactKind,
    DayPart,
    GoalStatus,
    ItemStatus,
    Notice,
    OrganizationKind,
    PanelOutcome,
    PanelPurpose,
    PanelStatus,
    QuestionKind,
    Resolution,
    Role,
    ScreeningDecision,
    VictimChoice,
    Weekday,
)
from rjc.model.vocab import ClosureReason as R
from rjc.model.vocab import Program as P
from rjc.model.vocab import ReferralSource as Src
from rjc.model.volunteer import Availability, BackgroundCheck, Training
from rjc.storage import layout, schema, store

_ENTRIES = itertools.count(1)


def _entry_id() -> str:
    """The next entry's id: derived from a count, so the output stays the same run after run
    (and the records' random choices are not disturbed)."""
    return stable_id("synth", next(_ENTRIES))


HORIZON = dt.date(2026, 11, 20)  # the last day anything has happened in the records


def _answers(rng: random.Random, survey: Survey) -> dict[str, str]:
    """A returned survey's answers: mostly favourable, a question now and then left blank, and
    never free text (it would only be invented words)."""
    answers = {}
    for question in survey.questions:
        if question.kind is QuestionKind.TEXT or rng.random() < 0.08:
            continue
        if question.kind is QuestionKind.SCALE:
            answers[question.key] = rng.choice("2334445555")
        elif question.kind is QuestionKind.YES_NO:
            answers[question.key] = "yes" if rng.random() < 0.85 else "no"
        else:
            answers[question.key] = rng.choices(question.options, weights=range(len(question.options), 0, -1))[0]
    return answers
TODAY = dt.date(2026, 11, 24)  # what the records are "as of": panels after it are upcoming
CENT = Decimal("0.01")
CENTER_NAME = "Upper Valley Community Justice Center"
CENTER_STREET = "41 Maple Street"

# --- made-up people, places and words ------------------------------------------------------

WOMEN = ("Abigail Alice Amanda Amy Anna Beth Brianna Caitlin Carol Chelsea Christine Claire Dana "
         "Deborah Diane Elizabeth Emily Erin Grace Hannah Heather Holly Jennifer Jessica Julia Karen "
         "Katherine Kayla Laura Lauren Linda Lisa Madison Margaret Maria Megan Melissa Molly Nancy "
         "Nicole Olivia Rachel Rebecca Ruth Sarah Susan Tara Teresa Wendy").split()
MEN = ("Aaron Adam Andrew Benjamin Brandon Brian Caleb Charles Christopher Cody Daniel David Dylan "
       "Eric Ethan Gary George Gregory Henry Jacob James Jason Jeffrey John Jonathan Joseph Joshua "
       "Justin Kevin Kyle Logan Mark Matthew Michael Nathan Nicholas Patrick Paul Peter Richard "
       "Robert Ryan Samuel Scott Seth Thomas Timothy Tyler William Zachary").split()
SURNAMES = ("Aldrich Allen Bailey Barrows Beaulieu Bishop Bouchard Brooks Bushway Carpenter Chase "
            "Clough Corliss Cote Cutting Davis Dimick Dufresne Dunham Eastman Emerson Farnham Fifield "
            "Fisk Flanders Gagnon Gilman Goodrich Hall Hazen Hewitt Hodgdon Howe Hutchins Jewell "
            "Kendall Kimball Labounty Ladd Lamphere Leavitt Lemieux Marsh Martel Morrill Moulton "
            "Nadeau Noyes Ouellette Page Paquette Parker Perry Pierce Quimby Richardson Rowell "
            "Sanborn Sargent Spaulding Stevens Stone Tewksbury Thibodeau Tucker Underwood "
            "Vaillancourt Wheeler Whitcomb Willey Wood Young").split()
TOWNS = (("White River Junction", "05001"), ("Hartford", "05047"), ("Quechee", "05059"),
         ("Wilder", "05088"), ("West Hartford", "05084"), ("Norwich", "05055"), ("Sharon", "05065"),
         ("Hartland", "05048"), ("Pomfret", "05067"), ("Woodstock", "05091"), ("Bethel", "05032"),
         ("South Royalton", "05068"), ("Thetford", "05074"), ("Strafford", "05072"),
         ("Bradford", "05033"), ("Fairlee", "05045"), ("Windsor", "05089"), ("Barnard", "05031"),
         ("Tunbridge", "05077"), ("Chelsea", "05038"), ("Randolph", "05060"))
STREETS = ("Main Street", "Maple Street", "Church Street", "School Street", "Prospect Street",
           "Pleasant Street", "River Road", "Route 5", "Route 14", "Quechee Road", "Christian Street",
           "Gates Street", "Elm Street", "Depot Street", "Pine Street", "Mill Road", "Hillside Drive",
           "Brook Road", "Ridge Road", "Old County Road", "Bridge Street", "Summer Street")


@dataclass(frozen=True)
class Offense:
    charge: str | None
    harm: str
    victims: tuple[int, int]  # how many people were harmed
    restitution: tuple[int, int] | None = None  # dollars, when something was taken or damaged
    payee: str | None = None  # restitution owed to an institution rather than to a victim
    education: str = "Attend the two-session decision-making workshop"


PANEL_OFFENSES = (
    Offense("Retail theft", "Took merchandise from a convenience store", (1, 1), (40, 300)),
    Offense("Unlawful mischief", "Spray-painted the walls of a town park pavilion", (0, 0), (150, 900),
            "Town of Hartford", "Complete the community impact module"),
    Offense("Unlawful mischief", "Damaged a neighbor's mailbox and fence", (1, 2), (100, 600)),
    Offense("Petit larceny", "Took tools from an unlocked garage", (1, 1), (80, 500)),
    Offense("Disorderly conduct", "Fight outside a restaurant after closing", (1, 2),
            education="Attend the anger management course"),
    Offense("Simple assault", "Pushed a roommate during an argument", (1, 1),
            education="Attend the anger management course"),
    Offense("Unlawful trespass", "Entered a closed summer camp and stayed overnight", (1, 1), (0, 200)),
    Offense("Driving with license suspended", "Drove after the license was suspended", (0, 0),
            education="Complete the driver responsibility course"),
    Offense("Possession of malt beverage by a minor", "Underage drinking at a party", (0, 0),
            education="Complete the alcohol education course"),
    Offense("Bad check", "Paid a landscaper with a check that bounced", (1, 1), (200, 1200)),
    Offense("False information to police", "Gave a false name at a traffic stop", (0, 0),
            education="Write a reflection paper on honesty and trust"),
)
SCHOOL_OFFENSES = (
    Offense(None, "Vandalized lockers and a bathroom at school", (0, 0), (100, 400),
            "Hartford School District", "Complete the community impact module"),
    Offense(None, "Threatening messages to a classmate online", (1, 1),
            education="Attend the online safety and respect workshop"),
    Offense(None, "Fight in the school parking lot", (1, 2),
            education="Attend the conflict skills group"),
)
MEDIATION_HARMS = ("Dispute between neighbors over noise and a shared driveway",
                   "Landlord and tenant disagree about repairs and rent",
                   "Conflict between former business partners over shared equipment",
                   "Dispute about a dog running loose between adjoining farms")
FAMILY_HARMS = ("Repeated conflict at home between a teenager and parents",
                "Family disagreement about care for a grandparent after a move",
                "Teenager running away from home after arguments")
VICTIM_HARMS = ("Victim of a burglary asking about the justice process",
                "Victim of a car break-in seeking support and information",
                "Victim of harassment by a former partner seeking safety planning")
REENTRY_NOTES = ("Returning to the Upper Valley after a sentence served out of county",
                 "Furlough release; needs housing and work",
                 "Released on parole; supervision in Hartford")

EDUCATION_FAMILY = "Attend the parenting teens workshop together"
MEDIATION_TERMS = ("No music or power tools after 9 p.m. on weekdays", "Share the cost of regrading the driveway",
                   "Return the borrowed trailer in working order", "Keep the dog fenced or leashed",
                   "Meet once a month to talk about the shared equipment")
FAMILY_TERMS = ("Weekly family meeting on Sunday evenings", "Agreed curfew of 10 p.m. on school nights",
                "Grandparent visits every other weekend", "Teen checks in by text after school")
ASSESSMENTS = ("Substance use assessment with a licensed counselor", "Mental health screening")
SERVICE_PLACES = ("Hartford community garden", "Quechee library book sale", "White River riverbank cleanup",
                  "Food shelf in White River Junction", "Trail crew on the Wilder trails",
                  "Senior center lunch program")
VICTIM_SERVICES = ("Information about the restorative process", "Safety planning",
                   "Help with a victim compensation application", "Accompaniment to the panel meeting",
                   "Referral to counseling", "Update on the case outcome")
REENTRY_GOALS = ("Stable housing", "Full-time employment", "Vermont driver's license reinstated",
                 "Substance use treatment", "Reconnect with family", "Open a bank account")
REENTRY_SERVICES = (("Referral to housing assistance", "Twin Rivers housing program"),
                    ("Resume and interview practice", None),
                    ("Referral to employment services", "Valley workforce office"),
                    ("Help replacing identification documents", "Department of Motor Vehicles"),
                    ("Referral to recovery coaching", "River Valley recovery center"),
                    ("Bus pass and transport planning", None))
STAR_HOSTS = ("Quechee Valley Hardware", "White River Bakery Co-op", "Connecticut River Auto Repair",
              "Hartland Hills Farm", "Twin Bridges Landscaping", "Main Street Print Shop")
STAR_SKILLS = ("Customer service", "Inventory and stocking", "Small engine repair", "Food safety",
               "Forklift operation", "Basic bookkeeping", "Landscaping equipment")
CANCEL_NOTES = ("Snowstorm; roads closed", "Responsible party in the hospital; all cases moved",
                "Meeting room unavailable; moved", "Coordinator out sick")
EARLY_EXITS = {  # a case that ends soon after intake, and the note the coordinator writes
    R.DECLINED: "Chose not to take part",
    R.NO_CONTACT: "No response to three calls and a letter",
    R.INELIGIBLE: "Not eligible for the program after screening",
    R.WITHDRAWN: "Withdrew from the program",
    R.TRANSFERRED: "Moved out of the area; transferred to the local center",
}
SCREENING_REASONS = {
    ScreeningDecision.DECLINED: ("Outside the center's service area", "Offense not eligible for the program",
                                 "Already taking part in another program"),
    ScreeningDecision.RETURNED: ("Responsible party denies the offense; returned to the referrer",
                                 "Referrer asked for the case back"),
}
CHECK_IN_NOTES = ("Check-in on progress", "Reminder of upcoming due dates", "Returned a call",
                  "Progress update", "Scheduling")
CHECK_IN_KINDS = (ContactKind.PHONE, ContactKind.EMAIL, ContactKind.TEXT, ContactKind.IN_PERSON,
                  ContactKind.VOICEMAIL)

AGENCIES = {
    Src.COURT: ("Superior Court, Windsor Unit, criminal division",),
    Src.PROBATION_PAROLE: ("Hartford Probation and Parole",),
    Src.STATES_ATTORNEY: ("Windsor County State's Attorney",),
    Src.POLICE: ("Hartford Police Department", "Norwich Police Department", "Woodstock Police Department",
                 "Vermont State Police, Royalton barracks"),
    Src.SCHOOL: ("Hartford High School", "Hartford Memorial Middle School", "Upper Valley regional high school"),
    Src.CORRECTIONS: ("Southern State Correctional Facility",),
    Src.OTHER_AGENCY: ("Department for Children and Families, Hartford office", "Valley family services"),
}
SOURCES = {  # who refers to each program, most frequent first
    P.RESTORATIVE_PANEL: (Src.COURT, Src.PROBATION_PAROLE, Src.STATES_ATTORNEY, Src.POLICE, Src.SCHOOL),
    P.REENTRY_PANEL: (Src.CORRECTIONS, Src.PROBATION_PAROLE),
    P.PRE_CHARGE_DIVERSION: (Src.STATES_ATTORNEY, Src.POLICE),
    P.VICTIM_SUPPORT: (Src.POLICE, Src.SELF, Src.STATES_ATTORNEY, Src.COMMUNITY_MEMBER, Src.OTHER_AGENCY),
    P.OFFENDER_REENTRY: (Src.CORRECTIONS, Src.PROBATION_PAROLE, Src.SELF, Src.OTHER_AGENCY),
    P.COSA: (Src.CORRECTIONS, Src.PROBATION_PAROLE),
    P.STAR: (Src.CORRECTIONS, Src.PROBATION_PAROLE, Src.SELF, Src.OTHER_AGENCY),
    P.MEDIATION: (Src.COMMUNITY_MEMBER, Src.SELF, Src.POLICE, Src.SCHOOL, Src.OTHER_AGENCY),
    P.FAMILY_GROUP_CONFERENCING: (Src.SCHOOL, Src.OTHER_AGENCY, Src.SELF, Src.COMMUNITY_MEMBER),
}
PROGRAM_WEIGHTS = {P.RESTORATIVE_PANEL: 38, P.PRE_CHARGE_DIVERSION: 15, P.REENTRY_PANEL: 6,
                   P.VICTIM_SUPPORT: 11, P.OFFENDER_REENTRY: 8, P.COSA: 2, P.STAR: 4, P.MEDIATION: 10,
                   P.FAMILY_GROUP_CONFERENCING: 6}
_PANEL_FATES = {R.COMPLETED_SUCCESSFULLY: 62, R.COMPLETED_PARTIALLY: 8, R.RETURNED_NON_COMPLIANCE: 9,
                R.RETURNED_NEW_OFFENSE: 4, R.DECLINED: 5, R.NO_CONTACT: 6, R.INELIGIBLE: 3,
                R.WITHDRAWN: 1, R.TRANSFERRED: 2}
FATES = {  # how cases of each program end, with weights
    P.RESTORATIVE_PANEL: _PANEL_FATES, P.REENTRY_PANEL: _PANEL_FATES, P.PRE_CHARGE_DIVERSION: _PANEL_FATES,
    P.VICTIM_SUPPORT: {R.COMPLETED_SUCCESSFULLY: 70, R.WITHDRAWN: 10, R.NO_CONTACT: 15, R.TRANSFERRED: 5},
    P.OFFENDER_REENTRY: {R.COMPLETED_SUCCESSFULLY: 55, R.COMPLETED_PARTIALLY: 10, R.NO_CONTACT: 10,
                         R.RETURNED_NEW_OFFENSE: 10, R.WITHDRAWN: 5, R.TRANSFERRED: 5, R.INELIGIBLE: 5},
    P.COSA: {R.COMPLETED_SUCCESSFULLY: 60, R.RETURNED_NEW_OFFENSE: 15, R.WITHDRAWN: 10, R.INELIGIBLE: 10,
             R.TRANSFERRED: 5},
    P.STAR: {R.COMPLETED_SUCCESSFULLY: 65, R.COMPLETED_PARTIALLY: 15, R.NO_CONTACT: 10, R.WITHDRAWN: 10},
    P.MEDIATION: {R.COMPLETED_SUCCESSFULLY: 55, R.COMPLETED_PARTIALLY: 25, R.DECLINED: 10, R.WITHDRAWN: 10},
    P.FAMILY_GROUP_CONFERENCING: {R.COMPLETED_SUCCESSFULLY: 60, R.COMPLETED_PARTIALLY: 20, R.DECLINED: 10,
                                  R.WITHDRAWN: 10},
}
PANEL_PROGRAMS = (P.RESTORATIVE_PANEL, P.REENTRY_PANEL, P.PRE_CHARGE_DIVERSION)
PANEL_DAYS = {P.RESTORATIVE_PANEL: (1, 3), P.REENTRY_PANEL: (0,), P.PRE_CHARGE_DIVERSION: (2,)}  # Mon=0
PANEL_START = {P.RESTORATIVE_PANEL: dt.time(18, 0), P.REENTRY_PANEL: dt.time(17, 30),
               P.PRE_CHARGE_DIVERSION: dt.time(17, 0)}
ROOMS = ("Main conference room", "Community room", "Second-floor meeting room", "Library room")
DOCKET_SIZE = 4  # cases one panel evening can hear
JOIN_WINDOW = 21  # days after the earliest possible date in which a case joins an existing panel
NOTICE_DAYS = 10  # a panel is booked at least this long ahead, so notices can go out
CHECK_YEARS = 3  # background checks are renewed every three years
WEEKDAYS = tuple(Weekday)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _years_later(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def _phone(rng: random.Random) -> str:
    return f"802-555-01{rng.randint(0, 99):02d}"


def _spread(rng: random.Random, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """`count` sorted dates between first and last (inclusive)."""
    span = max(0, (last - first).days)
    return sorted(first + days(rng.randint(0, span)) for _ in range(count))


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """Whole-dollar installments, the last one taking the remainder."""
    share = (amount / parts).quantize(Decimal("1"), rounding="ROUND_DOWN")
    return [share] * (parts - 1) + [(amount - share * (parts - 1)).quantize(CENT)]


def _panel_day(day: dt.date) -> bool:
    """Panels skip holidays, and the days between HORIZON and TODAY, when nothing was recorded
    (a panel then would look forgotten rather than upcoming)."""
    if HORIZON < day <= TODAY or (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 2):
        return False
    first_thursday = (3 - dt.date(day.year, 11, 1).weekday()) % 7 + 1
    thanksgiving = dt.date(day.year, 11, first_thursday + 21)
    return not (day.month == 11 and 0 <= (thanksgiving - day).days <= 3)


# --- the shared world ------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A coordinator and the calendar years they worked (their code numbers what they create)."""

    code: str
    name: str
    first: int
    last: int


@dataclass(frozen=True)
class Tuning:
    """How often the rarer things happen. The sample is small, so it makes them more frequent."""

    cancel_rate: float = 0.04  # panels (and family conferences) cancelled or postponed
    reconvene_rate: float = 0.03  # panels reconvened for a second agreement
    direct_diversion_rate: float = 0.4  # diversion agreements made with the coordinator, no panel
    victim_support_rate: float = 0.1  # victims of a panel case who also ask for support services
    reentry_pair_rate: float = 0.5  # reentry-panel cases with an offender-reentry case alongside
    conflict_rate: float = 0.15  # volunteers who declared a conflict with someone
    spare_volunteers: int = 2  # recruit until this many more than needed are free on a panel day
    rooms: int = 1  # panels of one program that can meet the same evening


@dataclass
class Spec:
    """A referral to take in, and how its story ends: a closure reason for an accepted one, or
    declined/returned at screening."""

    received: dt.date
    program: P
    source: Src
    fate: R | ScreeningDecision
    holds_at: S | None = None  # the case stays at this status once there (the sample pins a few)
    people: list[tuple[str, Role]] | None = None  # existing people (companion cases); new otherwise
    related: str | None = None  # the case this one is opened alongside


@dataclass
class Tally:
    """What was written, for the summary."""

    kinds: Counter = field(default_factory=Counter)
    case_status: Counter = field(default_factory=Counter)  # (program, status)
    closures: Counter = field(default_factory=Counter)
    referral_source: Counter = field(default_factory=Counter)
    referral_program: Counter = field(default_factory=Counter)
    screening: Counter = field(default_factory=Counter)
    panel_status: Counter = field(default_factory=Counter)
    volunteers_active: Counter = field(default_factory=Counter)


class Ended(Exception):
    """A case's story stops: it closed, or it reached HORIZON (the rest has not happened yet)."""


class World:
    """What the whole simulation shares: randomness, ids, settings, people, panels, volunteers."""

    def __init__(self, root: Path, rng: random.Random, settings: Settings, staff: list[Staff],
                 tuning: Tuning):
        self.root = root
        self.rng = rng
        self.settings = settings
        self.staff = staff
        self.first_year = min(s.first for s in staff)
        self.tuning = tuning
        self.calendar = Calendar(self)
        self.pool = Pool(self)
        self.tally = Tally()
        self.everyone: list[str] = []  # every person id, to draw volunteers' conflicts from
        self.responsible: list[str] = []  # adults who caused harm, for repeat referrals
        self._numbers: Counter = Counter()
        self._made_dirs: set[Path] = set()
        self.organizations: dict[str, Organization] = {}  # by name: the agencies on file

    # ids and files

    def new_id(self, kind: str, day: dt.date, code: str) -> str:
        """The next id of a kind for a coordinator; records made before the repository existed
        (volunteers who joined earlier) are numbered in its first year."""
        year = max(day.year, self.first_year)
        self._numbers[kind, year, code] += 1
        return str(layout.RecordId(layout.KINDS[kind], year, code, self._numbers[kind, year, code]))

    def write(self, record: Record) -> None:
        path = self.root / layout.parse_id(record.id).path
        if path.parent not in self._made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(path.parent)
        path.write_text(store.render(record), encoding="utf-8")
        self.tally.kinds[record.kind] += 1

    def size(self) -> int:
        """Records so far, counting the panels and volunteers that are written at the end."""
        return sum(self.tally.kinds.values()) + self.calendar.count + len(self.pool.volunteers)

    def coordinator(self, day: dt.date) -> str:
        year = min(max(day.year, self.first_year), HORIZON.year)
        return self.rng.choice([s.code for s in self.staff if s.first <= year <= s.last])

    def terms(self, program: P) -> AgreementTerms:
        return self.settings.agreement_by_program.get(program, self.settings.agreement)

    # people

    def person(self, day: dt.date, code: str, ages: tuple[int, int], *, demographics: bool = False) -> str:
        rng = self.rng
        gender = rng.choices(("woman", "man", "non-binary"), (48, 48, 4))[0]
        given = rng.choice(WOMEN if gender == "woman" else MEN if gender == "man" else WOMEN + MEN)
        family = rng.choice(SURNAMES)
        town, postal_code = rng.choice(TOWNS)
        age_days = rng.randint(ages[0] * 365, ages[1] * 365 + 364)
        person = Person(
            id=self.new_id("person", day, code), schema_version=SCHEMA_VERSION,
            given_name=given, family_name=family, date_of_birth=day - days(age_days),
            pronouns={"woman": "she/her", "man": "he/him"}.get(gender, "they/them"),
            address=Address(street=f"{rng.randint(2, 480)} {rng.choice(STREETS)}", town=town, state="VT",
                            postal_code=postal_code),
            phone=_phone(rng),
            email=f"{given}.{family}{rng.randint(1, 99)}@example.org".lower() if rng.random() < 0.7 else None,
            demographics=self._demographics(gender, age_days // 365) if demographics else None,
        )
        self.write(person)
        self.everyone.append(person.id)
        return person.id

    def _demographics(self, gender: str, age: int) -> Demographics:
        rng = self.rng
        return Demographics(
            gender=gender,
            race=[rng.choices(("White", "Black or African American", "Asian", "American Indian or Alaska Native",
                               "Two or more races"), (90, 3, 3, 1, 3))[0]],
            ethnicity=rng.choices(("Not Hispanic or Latino", "Hispanic or Latino"), (96, 4))[0],
            age_group="13-17" if age < 18 else "18-24" if age < 25 else "25-59" if age < 60 else "60+",
            veteran=rng.random() < 0.08 if age >= 18 else None,
            primary_language="English",
        )

    # referrals and cases

    def take_referral(self, spec: Spec) -> str | None:
        """Write a referral (and its people); when accepted, live its case through. Returns the case id."""
        rng = self.rng
        code = self.coordinator(spec.received)
        offenses = SCHOOL_OFFENSES if spec.source is Src.SCHOOL else PANEL_OFFENSES
        if spec.holds_at is S.VICTIM_CONTACTED:
            offenses = [o for o in offenses if o.victims[0]]  # a case held there needs a victim
        offense = rng.choice(offenses)  # what happened, for the programs that deal with offenses
        people = spec.people or self._new_people(spec, offense, code)
        screened = spec.received + days(rng.randint(0, 4))
        accepted = isinstance(spec.fate, R) and screened <= HORIZON
        case_code = self.coordinator(screened)
        case_id = self.new_id("case", screened, case_code) if accepted else None
        referral = self._referral(spec, offense, people, code, screened, case_id)
        self.write(referral)
        if case_id is None:
            return None
        journey = Journey(self, case_id, referral.id, spec, case_code, screened, people, offense)
        journey.live()
        case = journey.case()
        self.write(case)
        self.tally.case_status[case.program, case.status] += 1
        if case.closure:
            self.tally.closures[case.closure.reason] += 1
        return case_id

    def spawn(self, program: P, day: dt.date, source: Src, person: str, role: Role, related: str) -> str | None:
        """A companion case for someone already in a case (a victim asking for support, say)."""
        fate = self.rng.choices(list(FATES[program]), list(FATES[program].values()))[0]
        return self.take_referral(Spec(day, program, source, fate, people=[(person, role)], related=related))

    def _new_people(self, spec: Spec, offense: Offense, code: str) -> list[tuple[str, Role]]:
        rng, day = self.rng, spec.received

        def new(role: Role, ages: tuple[int, int], demographics: bool = False) -> tuple[str, Role]:
            return self.person(day, code, ages, demographics=demographics or rng.random() < 0.4), role

        program = spec.program
        if program is P.VICTIM_SUPPORT:
            return [new(Role.VICTIM, (18, 80), True)]
        if program in (P.OFFENDER_REENTRY, P.STAR, P.COSA):
            role = Role.CORE_MEMBER if program is P.COSA else Role.CLIENT
            if self.responsible and rng.random() < 0.3:  # someone the center has worked with before
                return [(rng.choice(self.responsible), role)]
            return [new(role, (25, 60) if program is P.COSA else (19, 50))]
        if program is P.MEDIATION:
            return [new(Role.PARTY, (20, 75)) for _ in range(rng.choice((2, 2, 2, 3)))]
        youth = spec.source is Src.SCHOOL or program is P.FAMILY_GROUP_CONFERENCING
        people = [new(Role.RESPONSIBLE_PARTY, (12, 17) if youth else (18, 60))]
        if not youth:
            self.responsible.append(people[0][0])
        else:
            people += [new(Role.PARENT_GUARDIAN, (34, 58)) for _ in range(rng.choice((1, 1, 2)))]
        if program is P.FAMILY_GROUP_CONFERENCING:
            people += [new(Role.FAMILY_MEMBER, (10, 80)) for _ in range(rng.randint(0, 2))]
            people += [new(Role.SUPPORT_PERSON, (25, 65)) for _ in range(rng.randint(0, 1))]
        else:
            people += [new(Role.VICTIM, (18, 85), True) for _ in range(rng.randint(*offense.victims))]
        return people

    def _referral(self, spec: Spec, offense: Offense, people: list[tuple[str, Role]], code: str,
                  screened: dt.date, case_id: str | None) -> Referral:
        rng, program, source = self.rng, spec.program, spec.source
        offense_based = program in PANEL_PROGRAMS
        agency = rng.choice(AGENCIES[source]) if source in AGENCIES else None
        contact = None
        if agency:
            given, family = rng.choice(WOMEN + MEN), rng.choice(SURNAMES)
            contact = AgencyContact(name=f"{given} {family}", phone=_phone(rng),
                                    email=f"{given[0]}{family}@agency.example.org".lower())
        # the agencies the center hears from most are on file; the other agencies are only typed
        on_file = self.organization(agency, spec.received, code) if agency and source != Src.OTHER_AGENCY else None
        referral = Referral(
            id=self.new_id("referral", spec.received, code), schema_version=SCHEMA_VERSION,
            received=spec.received, program=program, source=source,
            agency=None if on_file else agency, agency_org=on_file, contact=contact,
            docket=self._docket(source, spec.received) if offense_based else None,
            offense_date=spec.received - days(rng.randint(5, 60)) if offense_based else None,
            charges=[offense.charge] if offense_based and offense.charge else [],
            harm=self._harm(program, offense), town=rng.choice(TOWNS)[0],
            people=[Involved(person=p, role=role) for p, role in people],
            screening=self._screening(spec, code, screened, case_id),
            note=rng.choice(REENTRY_NOTES) if program in (P.REENTRY_PANEL, P.OFFENDER_REENTRY, P.COSA) else None,
        )
        self.tally.referral_source[source] += 1
        self.tally.referral_program[program] += 1
        self.tally.screening[referral.screening.decision] += 1
        return referral

    def organization(self, name: str, day: dt.date, code: str) -> str:
        """The id of the agency of this name, on file from the first referral that names it."""
        if name not in self.organizations:
            number = len(self.organizations) + 1
            self.organizations[name] = Organization(
                id=self.new_id("organization", day, code), schema_version=SCHEMA_VERSION, name=name,
                type=OrganizationKind.REFERRING_AGENCY, contact_role="referral coordinator",
                address=Address(street=f"{number * 10 + 1} Main Street", town="White River Junction", state="VT",
                                postal_code="05001"), phone=f"802-555-{1000 + number:04d}")
        return self.organizations[name].id

    def _docket(self, source: Src, day: dt.date) -> str | None:
        number, year = self.rng.randint(1, 4999), day.year % 100
        return {Src.COURT: f"{year:02d}-CR-{number:05d}", Src.STATES_ATTORNEY: f"SA-{year:02d}-{number:04d}",
                Src.POLICE: f"{year:02d}-{number:06d}"}.get(source)

    def _harm(self, program: P, offense: Offense) -> str | None:
        if program is P.MEDIATION:
            return self.rng.choice(MEDIATION_HARMS)
        if program is P.FAMILY_GROUP_CONFERENCING:
            return self.rng.choice(FAMILY_HARMS)
        if program is P.VICTIM_SUPPORT:
            return self.rng.choice(VICTIM_HARMS)
        return offense.harm if program in PANEL_PROGRAMS else None

    def _screening(self, spec: Spec, code: str, screened: dt.date, case_id: str | None) -> Screening:
        if screened > HORIZON or spec.fate is ScreeningDecision.PENDING:
            return Screening()  # not decided yet
        if case_id:
            return Screening(decision=ScreeningDecision.ACCEPTED, date=screened, by=code, case=case_id)
        reasons = SCREENING_REASONS[spec.fate]
        return Screening(decision=spec.fate, date=screened, by=code, reason=self.rng.choice(reasons))

    # the end

    def finish(self) -> None:
        """Seat and write the panels, then the volunteers, the settings and the schemas."""
        self.calendar.write_panels()
        self.pool.write_volunteers()
        for organization in self.organizations.values():
            self.write(organization)
        (self.root / layout.SETTINGS_FILE).write_text(store.render_settings(self.settings), encoding="utf-8")
        schema.write_schemas(self.root)


# --- panels ----------------------------------------------------------------------------------


@dataclass
class PanelDraft:
    """A panel being filled: cases join its docket as their stories reach it."""

    id: str
    program: P
    date: dt.date
    start: dt.time
    room: str
    code: str
    booked: dt.date  # the first day a case was put on it
    cancelled_on: dt.date | None
    docket: list[DocketEntry] = field(default_factory=list)
    seated: list[VolunteerDraft] = field(default_factory=list)

    def join(self, entry: DocketEntry, people: list[str]) -> None:
        self.docket.append(entry)
        for volunteer in self.seated:
            volunteer.met.update(people)  # so no conflict is later declared with them

    def open_to(self, day: dt.date) -> bool:
        return len(self.docket) < DOCKET_SIZE and (self.cancelled_on is None or self.cancelled_on > day)

    @property
    def status(self) -> PanelStatus:
        if self.cancelled_on:
            return PanelStatus.CANCELLED
        return PanelStatus.HELD if self.date <= HORIZON else PanelStatus.SCHEDULED


class Calendar:
    def __init__(self, world: World):
        self.w = world
        self.panels: dict[tuple[P, dt.date], list[PanelDraft]] = defaultdict(list)
        self.count = 0

    def book(self, program: P, earliest: dt.date, today: dt.date, code: str) -> PanelDraft:
        """A panel for a case booked `today`: an existing one soon after `earliest`, else a new one."""
        for offset in range(JOIN_WINDOW):
            for panel in self.panels.get((program, earliest + days(offset)), ()):
                if panel.open_to(today):
                    panel.booked = min(panel.booked, today)
                    return panel
        return self._new(program, earliest, today, code)

    def _new(self, program: P, earliest: dt.date, today: dt.date, code: str) -> PanelDraft:
        day = earliest
        while not (day.weekday() in PANEL_DAYS[program] and _panel_day(day)
                   and len(self.panels[program, day]) < self.w.tuning.rooms):
            day += days(1)
        rng = self.w.rng
        cancelled_on = None
        if day <= HORIZON and rng.random() < self.w.tuning.cancel_rate:
            cancelled_on = day - days(rng.randint(1, 4))
        room = ROOMS[len(self.panels[program, day])]
        panel = PanelDraft(self.w.new_id("panel", today, code), program, day, PANEL_START[program], room,
                           code, today, cancelled_on)
        panel.seated = self.w.pool.seat(program, day)
        self.panels[program, day].append(panel)
        self.count += 1
        return panel

    def write_panels(self) -> None:
        drafts = sorted((p for same_day in self.panels.values() for p in same_day),
                        key=lambda p: (p.date, p.start, p.id))
        for draft in drafts:
            panel = self._panel(draft)
            self.w.write(panel)
            self.w.tally.panel_status[panel.status] += 1

    def _panel(self, draft: PanelDraft) -> Panel:
        rng = self.w.rng
        minutes = 45 + 30 * len(draft.docket)
        end = (dt.datetime.combine(draft.date, draft.start) + dt.timedelta(minutes=minutes)).time()
        status = draft.status
        held = status is PanelStatus.HELD
        seats = []
        for volunteer in draft.seated:
            came = held and rng.random() < 0.95
            seats.append(Seat(volunteer=volunteer.id, attended=(came if held else None),
                              hours=Decimal(minutes) / 60 if came else None))
        online = rng.random() < 0.1
        history = [Change(date=draft.booked, by=draft.code, action="scheduled")]
        if draft.cancelled_on:
            history.append(Change(date=draft.cancelled_on, by=draft.code, action="cancelled",
                                  note=rng.choice(CANCEL_NOTES)))
        return Panel(
            id=draft.id, schema_version=SCHEMA_VERSION, program=draft.program, date=draft.date,
            start=draft.start, end=end,
            place=None if online else f"{draft.room}, {CENTER_STREET}, White River Junction",
            video_link=f"https://meet.example.org/uvcjc/{draft.id.lower()}" if online else None,
            status=status, docket=draft.docket, seats=seats, notices=self._notices(draft), history=history,
        )

    @staticmethod
    def _notices(draft: PanelDraft) -> list[NoticeSent]:
        """Notices go out ahead of the panel, but only those already sent by HORIZON."""
        last = min(HORIZON, draft.cancelled_on or HORIZON)
        wanted = [(Notice.PARTICIPANTS, 10), (Notice.VOLUNTEERS, 7)]
        if any(entry.purpose is PanelPurpose.AGREEMENT for entry in draft.docket):
            wanted.insert(0, (Notice.REFERRING_AGENCY, 10))
        sent = [(to, max(draft.booked, draft.date - days(lead))) for to, lead in wanted]
        return [NoticeSent(to=to, date=day) for to, day in sent if day <= last]


# --- volunteers ------------------------------------------------------------------------------


@dataclass
class VolunteerDraft:
    id: str
    person: str
    since: dt.date
    until: dt.date | None  # last day serving; None while still active
    check: BackgroundCheck
    trainings: list[Training]
    programs: list[P]
    availability: list[Availability]
    note: str | None = None
    busy: set[tuple[int, int]] = field(default_factory=set)  # (year, week) seated on a panel: one a week
    met: set[str] = field(default_factory=set)  # people on the cases they sat with

    def serves(self, program: P, first: dt.date, last: dt.date) -> bool:
        """Trained for the program, serving, and with a current background check, first to last."""
        return (program in self.programs and self.since <= first and self.trainings[0].date <= first
                and (self.until is None or last <= self.until)
                and self.check.date <= first and last <= self.check.expires)

    def free_evening(self, day: dt.date) -> bool:
        weekday = WEEKDAYS[day.weekday()]
        return any(a.day is weekday and a.part is DayPart.EVENING for a in self.availability)


class Pool:
    """The volunteers: seated on panels and circles, recruited when too few are free."""

    def __init__(self, world: World):
        self.w = world
        self.volunteers: list[VolunteerDraft] = []

    def enlist(self, since: dt.date, checked: dt.date, programs: list[P], until: dt.date | None = None,
               note: str | None = None) -> VolunteerDraft:
        rng = self.w.rng
        code = self.w.coordinator(since)
        created = max(since, dt.date(self.w.first_year, 1, 5))
        trainings = [Training(name="Restorative justice volunteer training", date=since - days(rng.randint(10, 40))),
                     Training(name="Confidentiality and ethics", date=since - days(rng.randint(1, 9)))]
        trainings += [Training(name=name, date=since + days(rng.randint(20, 200)))
                      for program, name in ((P.COSA, "CoSA volunteer training"),
                                            (P.MEDIATION, "Basic mediation, 40 hours"),
                                            (P.REENTRY_PANEL, "Reentry and reintegration workshop"))
                      if program in programs]
        slots = rng.sample([(d, p) for d in WEEKDAYS[:5] for p in DayPart], rng.randint(2, 5))
        slots += [(WEEKDAYS[d], DayPart.EVENING) for d in (1, 3) if rng.random() < 0.6]
        draft = VolunteerDraft(
            id=self.w.new_id("volunteer", created, code),
            person=self.w.person(created, code, (24, 75)),
            since=since, until=until,
            check=BackgroundCheck(date=checked, expires=_years_later(checked, CHECK_YEARS)),
            trainings=sorted(trainings, key=lambda t: t.date),
            programs=sorted(set(programs), key=list(P).index),
            availability=[Availability(day=d, part=p) for d, p in
                          sorted(set(slots), key=lambda s: (WEEKDAYS.index(s[0]), list(DayPart).index(s[1])))],
            note=note,
        )
        self.volunteers.append(draft)
        return draft

    def recruit(self, program: P, day: dt.date) -> VolunteerDraft:
        """A new volunteer who can serve `day` and, for a circle, the year after it."""
        rng = self.w.rng
        since = day - days(rng.randint(14, 250))
        checked = since - days(rng.randint(5, 30))
        until = min(since + days(rng.randint(700, 2500)), _years_later(checked, CHECK_YEARS))
        # most sit on restorative and diversion panels alike; fewer train for reentry, circles, mediation
        chances = {P.RESTORATIVE_PANEL: 0.9, P.PRE_CHARGE_DIVERSION: 0.7, P.REENTRY_PANEL: 0.4, P.COSA: 0.2,
                   P.MEDIATION: 0.1}
        programs = [program, *(p for p, chance in chances.items() if rng.random() < chance)]
        if until >= TODAY:
            return self.enlist(since, checked, programs)
        return self.enlist(since, checked, programs, until, f"Stepped down in {until:%B %Y}")

    def choose(self, program: P, first: dt.date, last: dt.date, count: int) -> list[VolunteerDraft]:
        """`count` volunteers who can serve first to last and have no other panel that week (so
        never two at once), those free that evening first."""
        week = first.isocalendar()[:2]
        free = [v for v in self.volunteers if week not in v.busy and v.serves(program, first, last)]
        while len(free) < count + self.w.tuning.spare_volunteers:
            free.append(self.recruit(program, first))
        self.w.rng.shuffle(free)
        free.sort(key=lambda v: not v.free_evening(first))
        return free[:count]

    def seat(self, program: P, day: dt.date) -> list[VolunteerDraft]:
        low, high = PANEL_SEATS
        count = low + 1 if self.w.rng.random() < 0.8 else self.w.rng.randint(low, high)  # usually four
        chosen = self.choose(program, day, day, count)
        for volunteer in chosen:
            volunteer.busy.add(day.isocalendar()[:2])
        return chosen

    def circle(self, start: dt.date, core_member: str) -> list[VolunteerDraft]:
        """3-5 volunteers who can stay with a circle for its first year."""
        chosen = self.choose(P.COSA, start, start + days(365), self.w.rng.randint(3, 5))
        for volunteer in chosen:
            volunteer.met.add(core_member)
        return chosen

    def write_volunteers(self) -> None:
        for draft in self.volunteers:
            volunteer = Volunteer(
                id=draft.id, schema_version=SCHEMA_VERSION, person=draft.person, active=draft.until is None,
                since=draft.since, trainings=draft.trainings, background_checks=[draft.check],
                programs=draft.programs, availability=draft.availability, conflicts=self._conflicts(draft),
                note=draft.note,
            )
            self.w.write(volunteer)
            self.w.tally.volunteers_active[volunteer.active] += 1

    def _conflicts(self, draft: VolunteerDraft) -> list[str]:
        """A neighbor or relative: declared, so never anyone on a case the volunteer sat with."""
        rng = self.w.rng
        if rng.random() >= self.w.tuning.conflict_rate:
            return []
        candidates = [rng.choice(self.w.everyone) for _ in range(5)]
        return sorted({p for p in candidates if p not in draft.met and p != draft.person})[:1]


# --- a case, day by day ----------------------------------------------------------------------


@dataclass
class ItemPlan:
    """An agreement item and its future: dated payments or hours, and the day it gets done."""

    item: RestitutionItem | CommunityServiceItem | ApologyItem | EducationItem | AssessmentItem | OtherItem
    events: list[Payment | ServiceHours]
    done_on: dt.date | None

    def settle(self, cutoff: dt.date, closed: bool, waive: bool) -> None:
        """Keep what happened by `cutoff` (closure or HORIZON) and set the item's status from it."""
        happened = [event for event in self.events if event.date <= cutoff]
        if isinstance(self.item, RestitutionItem):
            self.item.payments = happened
        elif isinstance(self.item, CommunityServiceItem):
            self.item.logged = happened
        if self.done_on and self.done_on <= cutoff:
            self.item.status, self.item.completed = ItemStatus.COMPLETED, self.done_on
        elif closed:
            self.item.status = ItemStatus.WAIVED if waive else ItemStatus.NOT_COMPLETED
        elif happened:
            self.item.status = ItemStatus.IN_PROGRESS


class Journey:
    """One case, told day by day from the referral. The program scripts below read as stories;
    `Ended` stops them wherever the case closes or time runs out."""

    def __init__(self, world: World, case_id: str, referral: str, spec: Spec, code: str, opened: dt.date,
                 people: list[tuple[str, Role]], offense: Offense):
        self.w, self.rng = world, world.rng
        self.id, self.referral, self.program, self.source = case_id, referral, spec.program, spec.source
        self.fate, self.code, self.opened, self.day, self.offense = spec.fate, code, opened, opened, offense
        self.holds_at = spec.holds_at
        self.participants = [Participant(person=p, role=role) for p, role in people]
        self.main = people[0][0]  # the responsible party, client, core member, victim or first party
        self.history = [StatusEntry(status=S.REFERRED, date=opened, by=code)]
        self.contacts: list[Contact] = []
        self.agreements: list[Agreement] = []
        self.plans: list[ItemPlan] = []
        self.services: list[Service] = []
        self.goals: list[Goal] = []
        self.sessions: list[Session] = []
        self.circle: Circle | None = None
        self.internship: Internship | None = None
        self.resolution: Resolution | None = None
        self.diversion: Diversion | None = None
        self.closure: Closure | None = None
        self.surveys: list[SurveyResponse] = []
        self.related = [spec.related] if spec.related else []

    def live(self) -> None:
        with contextlib.suppress(Ended):
            SCRIPTS[self.program](self)

    def case(self) -> Case:
        cutoff = self.closure.date if self.closure else HORIZON
        for plan in self.plans:
            plan.settle(cutoff, self.closure is not None, self.fate is R.COMPLETED_PARTIALLY)
        return Case(
            id=self.id, schema_version=SCHEMA_VERSION, program=self.program, referral=self.referral,
            coordinator=self.code, opened=self.opened, participants=self.participants,
            status_history=self.history, contacts=self.contacts, agreements=self.agreements,
            services=self.services, goals=self.goals, circle=self.circle, internship=self.internship,
            sessions=self.sessions, resolution=self.resolution, diversion=self.diversion,
            related_cases=self.related, closure=self.closure, surveys=self.surveys,
        )

    # time

    def until(self, day: dt.date, *, check_ins: bool = True) -> None:
        """Let time pass to `day`, with the coordinator's regular check-ins on the way."""
        if self.history[-1].status is self.holds_at:
            raise Ended  # held at this status: time stops for this case once it gets there
        step = self.day + days(self.rng.randint(7, 18))
        while check_ins and step < day and step <= HORIZON:
            self.day = step
            self.contact([self.main], self.rng.choice(CHECK_IN_KINDS), self.rng.choice(CHECK_IN_NOTES))
            step += days(self.rng.randint(7, 18))
        if day > HORIZON:
            raise Ended
        self.day = max(self.day, day)

    def wait(self, low: int, high: int, *, check_ins: bool = True) -> None:
        self.until(self.day + days(self.rng.randint(low, high)), check_ins=check_ins)

    # what the coordinator records

    def move(self, status: S, note: str | None = None) -> None:
        current = self.history[-1].status
        if status not in lifecycle.allowed_next(self.program, current):
            raise ValueError(f"script error: {self.program} cannot go from {current} to {status}")
        self.history.append(StatusEntry(status=status, date=self.day, by=self.code, note=note))

    def close(self, reason: R, note: str | None = None) -> None:
        self.move(S.CLOSED, note)
        told = self.day + days(self.rng.randint(0, 6))
        told = told if self.source in AGENCIES and told <= HORIZON else None
        self.closure = Closure(date=self.day, reason=reason, by=self.code, referrer_notified=told, note=note)
        if self.diversion:
            self.diversion.outcome_reported = told
        self.surveys_returned()
        raise Ended

    def surveys_returned(self) -> None:
        """The surveys that came back after closing: a diversion participant's (about 3 in 5) and
        those of victims who took part (about half). Drawn from a generator of the case's own, so
        the rest of the records come out as they did before surveys were kept."""
        rng = random.Random(f"surveys {self.id}")
        took_part = (VictimChoice.ATTEND, VictimChoice.WRITTEN_STATEMENT_SHARED, VictimChoice.WRITTEN_STATEMENT_PANEL_ONLY)
        asked = [("participant", None)] if self.program is P.PRE_CHARGE_DIVERSION else []
        asked += [("victim", p.person) for p in self.participants if p.participation in took_part]
        for kind, person in asked:
            returned = self.day + days(rng.randint(3, 30))
            if rng.random() < (0.6 if kind == "participant" else 0.5) and returned <= HORIZON:
                self.surveys.append(SurveyResponse(
                    id=stable_id("survey", self.id, kind, person), kind=kind, date=returned, person=person,
                    answers=_answers(rng, Surveys().of(kind))))

    def contact(self, people: list[str], kind: ContactKind, note: str) -> None:
        self.contacts.append(Contact.model_validate(
            {"id": _entry_id(), "date": self.day, "kind": kind, "by": self.code, "with": people, "note": note}))

    def people(self, *roles: Role) -> list[str]:
        return [p.person for p in self.participants if p.role in roles]

    # steps shared by the programs

    def intake(self) -> None:
        """The first meeting; the cases that end early end here."""
        self.wait(1, 6)
        self.move(S.INTAKE)
        if self.fate is R.NO_CONTACT:
            for kind in (ContactKind.VOICEMAIL, ContactKind.VOICEMAIL, ContactKind.LETTER):
                self.contact([self.main], kind, "Tried to reach about intake")
                self.wait(3, 8, check_ins=False)
        else:
            self.contact([self.main], ContactKind.IN_PERSON, "Intake meeting")
        if self.fate in EARLY_EXITS:
            self.wait(3, 20, check_ins=False)
            self.close(self.fate, EARLY_EXITS[self.fate])

    def notify_victims(self) -> None:
        """Victims hear of the case within days of the referral, with their choices."""
        victims = [p for p in self.participants if p.role is Role.VICTIM]
        if victims:
            self.wait(0, 2, check_ins=False)
        for victim in victims:
            victim.notified, victim.participation = self.day, VictimChoice.UNDECIDED
            self.contact([victim.person], ContactKind.LETTER, "Victim outreach letter with participation choices")

    def hear_victims(self) -> None:
        victims = [p for p in self.participants if p.role is Role.VICTIM]
        if not victims:
            return
        self.wait(4, 12)
        for victim in victims:
            victim.participation = self.rng.choices(
                (VictimChoice.ATTEND, VictimChoice.WRITTEN_STATEMENT_SHARED,
                 VictimChoice.WRITTEN_STATEMENT_PANEL_ONLY, VictimChoice.NOT_PARTICIPATE), (35, 25, 15, 25))[0]
            self.contact([victim.person], ContactKind.PHONE, "Victim chose how to take part")
            if self.rng.random() < self.w.tuning.victim_support_rate:
                self.alongside(P.VICTIM_SUPPORT, Src.SELF, victim.person, Role.VICTIM)
        self.move(S.VICTIM_CONTACTED)

    def alongside(self, program: P, source: Src, person: str, role: Role) -> None:
        companion = self.w.spawn(program, self.day, source, person, role, self.id)
        if companion:
            self.related.append(companion)

    def book(self, purpose: PanelPurpose) -> tuple[PanelDraft, DocketEntry]:
        earliest = self.day + days(NOTICE_DAYS)
        if self.holds_at is S.PANEL_SCHEDULED:
            earliest = max(earliest, TODAY)  # held there: waiting for the first panel after today
        panel = self.w.calendar.book(self.program, earliest, self.day, self.code)
        entry = DocketEntry(case=self.id, purpose=purpose)
        panel.join(entry, [p.person for p in self.participants])
        return panel, entry

    def panel(self, purpose: PanelPurpose) -> DocketEntry:
        """Book a panel and wait for it; a cancelled one is booked again (and sends a case waiting
        for its agreement back to intake)."""
        for_agreement = purpose in (PanelPurpose.AGREEMENT, PanelPurpose.RECONVENE)
        while True:
            if for_agreement:
                self.move(S.PANEL_SCHEDULED)
            panel, entry = self.book(purpose)
            if not panel.cancelled_on:
                self.until(panel.date)
                return entry
            self.until(panel.cancelled_on)
            if for_agreement:
                self.move(S.INTAKE, "Panel cancelled; to be rescheduled")
            self.wait(2, 10)

    def heard(self, entry: DocketEntry, outcome: PanelOutcome) -> None:
        present = [] if outcome is PanelOutcome.NO_SHOW else self.people(
            Role.RESPONSIBLE_PARTY, Role.PARENT_GUARDIAN, Role.SUPPORT_PERSON)
        if entry.purpose in (PanelPurpose.AGREEMENT, PanelPurpose.RECONVENE):
            present += [p.person for p in self.participants if p.participation is VictimChoice.ATTEND]
        entry.outcome, entry.attended = outcome, present

    def session(self, low: int, high: int, note: str) -> None:
        attended = [p.person for p in self.participants if self.rng.random() < 0.9] or [self.main]
        self.sessions.append(Session(id=_entry_id(), date=self.day, minutes=self.rng.randrange(low, high + 1, 15),
                                     attended=attended, note=note))

    def sign_agreement(self, note: str | None = None) -> Agreement:
        self.move(S.AGREEMENT_SIGNED, note)
        terms = self.w.terms(self.program)
        signed, due = self.day, self.day + days(terms.due_days)
        plans = Items(self, signed, due).plan()
        self.plans += plans
        agreement = Agreement(signed=signed, due=due, midterm_review=signed + days(terms.midterm_days),
                              items=[plan.item for plan in plans], note=note)
        self.agreements.append(agreement)
        return agreement


class Items:
    """The terms of one agreement, chosen for the program and the harm, each with its future."""

    def __init__(self, journey: Journey, signed: dt.date, due: dt.date):
        self.j, self.rng, self.signed, self.due = journey, journey.rng, signed, due
        self.victims = journey.people(Role.VICTIM)

    def plan(self) -> list[ItemPlan]:
        rng, offense = self.rng, self.j.offense
        program = self.j.program
        if program is P.MEDIATION:
            plans = [self.other(term) for term in rng.sample(MEDIATION_TERMS, rng.randint(1, 3))]
        elif program is P.FAMILY_GROUP_CONFERENCING:
            plans = [self.other(term) for term in rng.sample(FAMILY_TERMS, rng.randint(1, 2))]
            plans += [self.education(EDUCATION_FAMILY)] if rng.random() < 0.6 else []
        else:
            plans = [self.apology()] if self.victims and rng.random() < 0.85 else []
            plans += [self.restitution(*offense.restitution)] if offense.restitution else []
            plans += [self.community_service()] if rng.random() < 0.6 or not plans else []
            plans += [self.education(offense.education)] if rng.random() < 0.5 else []
            plans += [self.assessment()] if rng.random() < 0.2 else []
        self._fail_some(plans)
        return plans

    def _fail_some(self, plans: list[ItemPlan]) -> None:
        """Whether each item gets done follows how the case ends."""
        fate = self.j.fate
        for i, plan in enumerate(plans):
            if fate is R.COMPLETED_SUCCESSFULLY:
                fails = False
            elif fate is R.COMPLETED_PARTIALLY:
                fails = i == len(plans) - 1
            else:
                fails = self.rng.random() < (0.7 if fate is R.RETURNED_NON_COMPLIANCE else 0.2)
            if fails:
                plan.done_on = None
                plan.events = plan.events[:self.rng.randint(0, len(plan.events) - 1)] if plan.events else []

    def _done(self, low: int, high: int) -> dt.date:
        """A completion day between `low` days after signing and a few days before the due date."""
        last = max(self.signed + days(low), self.due - days(5))
        return min(self.signed + days(self.rng.randint(low, high)), last)

    def apology(self) -> ItemPlan:
        item = ApologyItem(type="apology-letter", description="Letter of apology", victim=self.victims[0],
                           due=self.signed + days(30))
        return ItemPlan(item, [], self._done(7, 28))

    def restitution(self, low: int, high: int) -> ItemPlan:
        rng = self.rng
        amount = Decimal(max(25, rng.randrange(low, high + 1, 5))).quantize(CENT)
        payee = self.j.offense.payee
        item = RestitutionItem(type="restitution", description="Restitution for the loss", amount=amount, payee=payee,
                               victim=self.victims[0] if self.victims and not payee else None)
        parts = rng.randint(1, 4)
        dates = _spread(rng, self.signed + days(7), self.due - days(5), parts)
        payments = [Payment(id=_entry_id(), date=day, amount=share) for day, share in zip(dates, _split(amount, parts), strict=True)]
        return ItemPlan(item, payments, dates[-1])

    def community_service(self) -> ItemPlan:
        rng = self.rng
        required = rng.randrange(8, 41, 2)
        chunks = []
        while sum(chunks) < required:
            chunks.append(min(rng.randint(2, 5), required - sum(chunks)))
        place = rng.choice(SERVICE_PLACES)
        dates = _spread(rng, self.signed + days(7), self.due - days(5), len(chunks))
        logged = [ServiceHours(id=_entry_id(), date=day, hours=Decimal(hours), place=place)
                  for day, hours in zip(dates, chunks, strict=True)]
        item = CommunityServiceItem(type="community-service", hours_required=Decimal(required),
                                    description=f"Community service at the {place}")
        return ItemPlan(item, logged, dates[-1])

    def education(self, what: str) -> ItemPlan:
        return ItemPlan(EducationItem(type="education", description=what), [], self._done(14, 80))

    def assessment(self) -> ItemPlan:
        item = AssessmentItem(type="assessment", description=self.rng.choice(ASSESSMENTS),
                              due=self.signed + days(45))
        return ItemPlan(item, [], self._done(7, 40))

    def other(self, term: str) -> ItemPlan:
        return ItemPlan(OtherItem(type="other", description=term), [], self._done(10, 50))


# --- the programs, as stories ----------------------------------------------------------------


def panel_program(j: Journey) -> None:
    """Restorative panels, reentry panels, pre-charge diversion."""
    if j.program is P.PRE_CHARGE_DIVERSION:
        j.diversion = Diversion(return_by=j.opened + days(120))
    j.notify_victims()
    j.intake()
    if j.program is P.REENTRY_PANEL and j.rng.random() < j.w.tuning.reentry_pair_rate:
        j.alongside(P.OFFENDER_REENTRY, Src.CORRECTIONS, j.main, Role.CLIENT)
    j.hear_victims()
    with_panels = not (j.program is P.PRE_CHARGE_DIVERSION and j.rng.random() < j.w.tuning.direct_diversion_rate)
    if with_panels:
        j.wait(2, 8)  # finding an evening that suits the participants
        _agreement_panel(j, PanelPurpose.AGREEMENT)
    else:
        j.wait(5, 15)
        j.sign_agreement("Agreement made with the coordinator")
    _monitoring(j, with_panels)


def _agreement_panel(j: Journey, purpose: PanelPurpose) -> None:
    entry = j.panel(purpose)
    if j.fate is R.RETURNED_NON_COMPLIANCE and j.rng.random() < 0.3:
        j.heard(entry, PanelOutcome.NO_SHOW)
        j.close(R.RETURNED_NON_COMPLIANCE, "Did not attend the panel; returned to the referral source")
    j.heard(entry, PanelOutcome.AGREEMENT_SIGNED)
    j.sign_agreement()


def _monitoring(j: Journey, with_panels: bool) -> None:
    """From the signed agreement to closure: check-ins, the mid-term review, the closing panel."""
    j.wait(4, 14)  # monitoring starts once the signed agreement letter has gone out
    j.move(S.MONITORING)
    agreement = j.agreements[-1]
    if j.fate is R.RETURNED_NEW_OFFENSE:
        j.until(agreement.signed + days(j.rng.randint(20, 80)))
        j.close(R.RETURNED_NEW_OFFENSE, "New charge while in the program; returned to the referral source")
    if with_panels:
        j.until(agreement.midterm_review - days(NOTICE_DAYS))
        good = j.fate in (R.COMPLETED_SUCCESSFULLY, R.COMPLETED_PARTIALLY)
        j.heard(j.panel(PanelPurpose.MID_TERM_REVIEW), PanelOutcome.ON_TRACK if good else PanelOutcome.CONTINUED)
        if j.rng.random() < j.w.tuning.reconvene_rate:
            j.wait(3, 10)
            _agreement_panel(j, PanelPurpose.RECONVENE)
            j.wait(1, 4)
            j.move(S.MONITORING, "Second agreement")
            agreement = j.agreements[-1]
        j.until(agreement.due - days(14))
        completed = j.fate is not R.RETURNED_NON_COMPLIANCE
        j.heard(j.panel(PanelPurpose.CLOSURE), PanelOutcome.COMPLETED if completed else PanelOutcome.RETURNED)
    else:
        j.until(agreement.due - days(j.rng.randint(0, 4)))
    notes = {R.COMPLETED_SUCCESSFULLY: "All terms completed", R.COMPLETED_PARTIALLY: "Most terms completed",
             R.RETURNED_NON_COMPLIANCE: "Agreement not completed; returned to the referral source"}
    j.close(j.fate, notes.get(j.fate))


def victim_support(j: Journey) -> None:
    j.intake()
    j.wait(0, 5)
    j.move(S.IN_SERVICES)
    for _ in range(j.rng.randint(2, 7)):
        j.services.append(Service(id=_entry_id(), date=j.day, service=j.rng.choice(VICTIM_SERVICES), person=j.main, by=j.code))
        j.wait(5, 30)
    j.close(j.fate, "Services completed" if j.fate is R.COMPLETED_SUCCESSFULLY else None)


def offender_reentry(j: Journey) -> None:
    j.intake()
    target = j.day + days(j.rng.randint(90, 240))
    j.goals = [Goal(goal=goal, target=target) for goal in j.rng.sample(REENTRY_GOALS, j.rng.randint(2, 4))]
    j.wait(2, 10)
    j.move(S.IN_SERVICES)
    for _ in range(j.rng.randint(3, 8)):
        service, agency = j.rng.choice(REENTRY_SERVICES)
        j.services.append(Service(id=_entry_id(), date=j.day, service=service, person=j.main, by=j.code, to=agency))
        _progress(j, GoalStatus.MET, 0.3)
        j.wait(10, 35)
    j.move(S.MONITORING)
    j.wait(45, 120)
    if j.fate is R.COMPLETED_SUCCESSFULLY:
        _progress(j, GoalStatus.MET, 1.0)
    else:
        _progress(j, GoalStatus.DROPPED, 0.5)
    j.close(j.fate)


def _progress(j: Journey, status: GoalStatus, chance: float) -> None:
    for goal in j.goals:
        if goal.status is GoalStatus.OPEN and j.rng.random() < chance:
            goal.status = status


def cosa(j: Journey) -> None:
    """A circle meets weekly for about a year, then every other week, then ends."""
    j.intake()
    start = j.day + days(j.rng.randint(14, 30))
    roster = j.w.pool.circle(start, j.main)
    anchor = j.rng.randrange(len(roster))
    # meets weekly on the weekday it started, in the evening (fixed, so the sequence of draws is unchanged)
    schedule = CircleSchedule(weekday=Weekday(start.strftime("%a").lower()), start=dt.time(18), end=dt.time(19, 30),
                              place="Center meeting room")
    j.circle = Circle(phase=CirclePhase.FORMING, schedule=schedule, roster=[
        CircleSeat(volunteer=v.id, role=CircleRole.ANCHOR if i == anchor else CircleRole.MEMBER, joined=start)
        for i, v in enumerate(roster)])
    j.until(start)
    j.circle.phase, j.circle.started = CirclePhase.PHASE_1, start
    j.move(S.IN_CIRCLE)
    weeks = j.rng.randint(10, 30) if j.fate is not R.COMPLETED_SUCCESSFULLY else 52
    for week in range(weeks):
        if week == 16:
            j.circle.phase = CirclePhase.PHASE_2
        _circle_meeting(j, 7)
    if j.fate is R.COMPLETED_SUCCESSFULLY:
        j.circle.phase = CirclePhase.PHASE_3
        j.move(S.MONITORING, "Circle meets every other week")
        for _ in range(j.rng.randint(12, 26)):
            _circle_meeting(j, 14)
    j.circle.phase, j.circle.ended = CirclePhase.ENDED, j.day
    j.close(j.fate)


def _circle_meeting(j: Journey, interval: int) -> None:
    j.wait(interval, interval, check_ins=False)
    roster = [seat.volunteer for seat in j.circle.roster]
    attended = [v for v in roster if j.rng.random() < 0.85] or roster[:2]
    j.circle.meetings.append(CircleMeeting(id=_entry_id(), date=j.day, attended=attended, core_member_attended=j.rng.random() < 0.93,
                                           hours=Decimal("1.5")))
    if len(j.circle.meetings) % 4 == 0:
        j.contact([j.main], ContactKind.PHONE, "Monthly check-in with the core member")


def star(j: Journey) -> None:
    """A grant-funded internship with a local business, hours logged weekly."""
    j.intake()
    weeks = j.rng.randint(8, 16)
    start = j.day + days(j.rng.randint(7, 21))
    fiscal_year = start.year + (start.month >= 7)  # Vermont's fiscal year starts in July
    j.internship = Internship(host=j.rng.choice(STAR_HOSTS), grant=f"STAR workforce grant FY{fiscal_year % 100:02d}",
                              start=start, end=start + days(7 * weeks),
                              skills=j.rng.sample(STAR_SKILLS, j.rng.randint(1, 3)))
    j.until(start)
    j.move(S.IN_INTERNSHIP)
    worked = weeks if j.fate is R.COMPLETED_SUCCESSFULLY else j.rng.randint(2, weeks - 1)
    for week in range(worked):
        j.wait(7, 7, check_ins=False)
        j.internship.hours.append(WorkedHours(id=_entry_id(), date=j.day, hours=Decimal(j.rng.choice((8, 12, 16, 20, 24)))))
        if week % 3 == 2:
            j.contact([j.main], ContactKind.PHONE, "Check-in with the intern and the host supervisor")
    if j.fate is R.COMPLETED_SUCCESSFULLY:
        j.internship.references = ["Reference letter from the host supervisor"]
    else:
        j.internship.end = j.day
    j.close(j.fate)


def mediation(j: Journey) -> None:
    j.intake()
    j.wait(5, 20)
    j.move(S.IN_MEDIATION)
    for number in range(1, j.rng.randint(1, 3) + 1):
        j.wait(5, 21)
        j.session(60, 180, f"Mediation session {number}")
    _resolve(j)


def family_group_conference(j: Journey) -> None:
    j.intake()
    while True:
        j.wait(3, 10)
        j.move(S.CONFERENCE_SCHEDULED)
        conference = j.day + days(j.rng.randint(14, 28))
        if j.rng.random() >= j.w.tuning.cancel_rate:
            break
        j.until(conference - days(2))
        j.move(S.INTAKE, "Conference postponed; family member unable to attend")
    j.until(conference)
    j.session(120, 240, "Family group conference")
    _resolve(j)


def _resolve(j: Journey) -> None:
    """A mediation or conference ends with an agreement, part of one, or none."""
    if j.fate is R.COMPLETED_PARTIALLY and j.rng.random() < 0.4:
        j.resolution = Resolution.NONE
        j.close(R.COMPLETED_PARTIALLY, "Parties met; no agreement reached")
    j.resolution = Resolution.AGREEMENT if j.fate is R.COMPLETED_SUCCESSFULLY else Resolution.PARTIAL
    agreement = j.sign_agreement()
    j.wait(4, 14)
    j.move(S.MONITORING)
    j.until(agreement.due - days(j.rng.randint(0, 4)))
    j.close(j.fate, "Agreement kept" if j.fate is R.COMPLETED_SUCCESSFULLY else None)


SCRIPTS: dict[P, Callable[[Journey], None]] = {
    P.RESTORATIVE_PANEL: panel_program, P.REENTRY_PANEL: panel_program, P.PRE_CHARGE_DIVERSION: panel_program,
    P.VICTIM_SUPPORT: victim_support, P.OFFENDER_REENTRY: offender_reentry, P.COSA: cosa, P.STAR: star,
    P.MEDIATION: mediation, P.FAMILY_GROUP_CONFERENCING: family_group_conference,
}


# --- the two repositories --------------------------------------------------------------------


def _settings(name: str, staff: list[Staff]) -> Settings:
    return Settings(
        schema_version=SCHEMA_VERSION,
        center=Center(name=name, address=f"{CENTER_STREET}, White River Junction, VT 05001",
                      phone="802-555-0100", email="info@uvcjc.example.org", website="https://uvcjc.example.org"),
        timezone="America/New_York",
        coordinators=[Coordinator(code=s.code, name=s.name, email=f"{s.code.lower()}@uvcjc.example.org",
                                  active=s.last >= HORIZON.year) for s in staff],
        # mediations settle sooner and family plans take longer than the default 90 days
        agreement_by_program={P.MEDIATION: AgreementTerms(due_days=60, midterm_days=30),
                              P.FAMILY_GROUP_CONFERENCING: AgreementTerms(due_days=120, midterm_days=60)},
    )


def _empty_directory(root: Path) -> None:
    """Generate only into a new or empty directory, so no stale record survives a rerun."""
    global _ENTRIES
    _ENTRIES = itertools.count(1)  # each generation numbers its entries from the start
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty; generate into a new or empty directory")
    root.mkdir(parents=True, exist_ok=True)


SAMPLE_STAFF = [Staff("KB", "Kate Bouchard", 2026, 2026), Staff("MR", "Marcus Rowell", 2026, 2026),
                Staff("DW", "Dana Whitcomb", 2026, 2026)]
SAMPLE_TUNING = Tuning(cancel_rate=0.08, reconvene_rate=0.08, victim_support_rate=0.25, conflict_rate=0.3,
                       spare_volunteers=0)
_d = dt.date
SAMPLE_VOLUNTEERS = (  # since, background check, programs, last day (inactive ones), note
    (_d(2017, 4, 10), _d(2024, 4, 22), (P.RESTORATIVE_PANEL, P.COSA, P.REENTRY_PANEL), None, None),
    (_d(2018, 5, 7), _d(2023, 12, 10), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), None,
     "Background check renewal requested"),
    (_d(2019, 3, 4), _d(2024, 2, 12), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), None, None),
    (_d(2019, 9, 16), _d(2025, 1, 20), (P.RESTORATIVE_PANEL, P.REENTRY_PANEL), None, None),
    (_d(2020, 9, 14), _d(2024, 6, 3), (P.RESTORATIVE_PANEL, P.COSA), None, None),
    (_d(2021, 2, 1), _d(2025, 3, 14), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION, P.MEDIATION), None, None),
    (_d(2021, 10, 4), _d(2024, 10, 28), (P.RESTORATIVE_PANEL, P.REENTRY_PANEL, P.COSA), None, None),
    (_d(2022, 3, 7), _d(2025, 5, 5), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), None, None),
    (_d(2022, 10, 3), _d(2025, 9, 8), (P.RESTORATIVE_PANEL, P.FAMILY_GROUP_CONFERENCING), None, None),
    (_d(2023, 1, 9), _d(2025, 1, 9), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), None, None),
    (_d(2023, 6, 5), _d(2025, 6, 2), (P.RESTORATIVE_PANEL, P.COSA), None, None),
    (_d(2024, 2, 5), _d(2024, 1, 22), (P.RESTORATIVE_PANEL, P.REENTRY_PANEL, P.PRE_CHARGE_DIVERSION), None, None),
    (_d(2024, 9, 9), _d(2024, 8, 26), (P.COSA, P.REENTRY_PANEL), None, None),
    (_d(2025, 3, 3), _d(2025, 2, 17), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), None, None),
    (_d(2025, 9, 8), _d(2025, 8, 25), (P.RESTORATIVE_PANEL, P.REENTRY_PANEL), None, None),
    (_d(2016, 1, 11), _d(2023, 5, 1), (P.RESTORATIVE_PANEL, P.PRE_CHARGE_DIVERSION), _d(2026, 4, 30),
     "Stepped down after ten years; thank-you letter sent"),
    (_d(2022, 5, 2), _d(2024, 9, 16), (P.RESTORATIVE_PANEL, P.COSA), _d(2026, 8, 14),
     "Moved out of the Upper Valley"),
)
_PENDING, _DECLINED, _RETURNED = ScreeningDecision.PENDING, ScreeningDecision.DECLINED, ScreeningDecision.RETURNED
SAMPLE_REFERRALS = (  # in the order they came in; where a case stands today is where its story
    # reaches by HORIZON, except those held at a status so that every status shows
    Spec(_d(2026, 1, 6), P.RESTORATIVE_PANEL, Src.COURT, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 1, 8), P.COSA, Src.CORRECTIONS, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 1, 13), P.REENTRY_PANEL, Src.CORRECTIONS, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 1, 20), P.RESTORATIVE_PANEL, Src.POLICE, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 1, 27), P.PRE_CHARGE_DIVERSION, Src.STATES_ATTORNEY, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 2, 3), P.RESTORATIVE_PANEL, Src.SCHOOL, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 2, 10), P.VICTIM_SUPPORT, Src.SELF, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 2, 17), P.OFFENDER_REENTRY, Src.PROBATION_PAROLE, R.TRANSFERRED),
    Spec(_d(2026, 2, 24), P.MEDIATION, Src.COMMUNITY_MEMBER, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 2, 26), P.RESTORATIVE_PANEL, Src.POLICE, _DECLINED),
    Spec(_d(2026, 3, 3), P.PRE_CHARGE_DIVERSION, Src.POLICE, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 3, 10), P.RESTORATIVE_PANEL, Src.PROBATION_PAROLE, R.COMPLETED_PARTIALLY),
    Spec(_d(2026, 3, 17), P.STAR, Src.CORRECTIONS, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 3, 24), P.RESTORATIVE_PANEL, Src.STATES_ATTORNEY, R.RETURNED_NON_COMPLIANCE),
    Spec(_d(2026, 4, 7), P.OFFENDER_REENTRY, Src.CORRECTIONS, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 4, 14), P.RESTORATIVE_PANEL, Src.COURT, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 4, 21), P.PRE_CHARGE_DIVERSION, Src.STATES_ATTORNEY, R.NO_CONTACT),
    Spec(_d(2026, 4, 28), P.FAMILY_GROUP_CONFERENCING, Src.SCHOOL, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 5, 5), P.RESTORATIVE_PANEL, Src.POLICE, R.RETURNED_NEW_OFFENSE),
    Spec(_d(2026, 5, 12), P.VICTIM_SUPPORT, Src.COMMUNITY_MEMBER, R.WITHDRAWN),
    Spec(_d(2026, 5, 19), P.RESTORATIVE_PANEL, Src.COURT, R.DECLINED),
    Spec(_d(2026, 5, 26), P.STAR, Src.SELF, R.COMPLETED_PARTIALLY),
    Spec(_d(2026, 6, 2), P.RESTORATIVE_PANEL, Src.SCHOOL, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 6, 9), P.REENTRY_PANEL, Src.PROBATION_PAROLE, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 6, 16), P.COSA, Src.PROBATION_PAROLE, R.INELIGIBLE),
    Spec(_d(2026, 6, 23), P.MEDIATION, Src.SCHOOL, R.COMPLETED_PARTIALLY),
    Spec(_d(2026, 6, 30), P.PRE_CHARGE_DIVERSION, Src.STATES_ATTORNEY, _RETURNED),
    Spec(_d(2026, 7, 7), P.OFFENDER_REENTRY, Src.SELF, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 7, 14), P.RESTORATIVE_PANEL, Src.COURT, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 8, 4), P.PRE_CHARGE_DIVERSION, Src.STATES_ATTORNEY, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 8, 11), P.RESTORATIVE_PANEL, Src.COURT, _DECLINED),
    Spec(_d(2026, 8, 18), P.RESTORATIVE_PANEL, Src.STATES_ATTORNEY, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 9, 1), P.VICTIM_SUPPORT, Src.OTHER_AGENCY, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 9, 15), P.FAMILY_GROUP_CONFERENCING, Src.SELF, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 9, 22), P.RESTORATIVE_PANEL, Src.POLICE, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 9, 25), P.RESTORATIVE_PANEL, Src.COURT, R.COMPLETED_SUCCESSFULLY, S.AGREEMENT_SIGNED),
    Spec(_d(2026, 9, 29), P.FAMILY_GROUP_CONFERENCING, Src.OTHER_AGENCY, _DECLINED),
    Spec(_d(2026, 10, 13), P.STAR, Src.OTHER_AGENCY, R.COMPLETED_SUCCESSFULLY),
    Spec(_d(2026, 10, 16), P.MEDIATION, Src.SELF, R.COMPLETED_SUCCESSFULLY, S.IN_MEDIATION),
    Spec(_d(2026, 10, 19), P.REENTRY_PANEL, Src.CORRECTIONS, R.COMPLETED_SUCCESSFULLY, S.PANEL_SCHEDULED),
    Spec(_d(2026, 10, 20), P.RESTORATIVE_PANEL, Src.STATES_ATTORNEY, R.COMPLETED_SUCCESSFULLY, S.PANEL_SCHEDULED),
    Spec(_d(2026, 10, 22), P.FAMILY_GROUP_CONFERENCING, Src.OTHER_AGENCY, R.COMPLETED_SUCCESSFULLY,
         S.CONFERENCE_SCHEDULED),
    Spec(_d(2026, 10, 27), P.RESTORATIVE_PANEL, Src.POLICE, R.COMPLETED_SUCCESSFULLY, S.VICTIM_CONTACTED),
    Spec(_d(2026, 11, 5), P.VICTIM_SUPPORT, Src.POLICE, R.COMPLETED_SUCCESSFULLY, S.IN_SERVICES),
    Spec(_d(2026, 11, 7), P.PRE_CHARGE_DIVERSION, Src.POLICE, R.COMPLETED_SUCCESSFULLY, S.INTAKE),
    Spec(_d(2026, 11, 16), P.RESTORATIVE_PANEL, Src.COURT, R.COMPLETED_SUCCESSFULLY, S.REFERRED),
    Spec(_d(2026, 11, 17), P.PRE_CHARGE_DIVERSION, Src.STATES_ATTORNEY, _PENDING),
    Spec(_d(2026, 11, 19), P.RESTORATIVE_PANEL, Src.COURT, _PENDING),
)


def generate_sample(root: Path) -> Tally:
    """The sample repository: one year of a small center, every program, status and source."""
    _empty_directory(root)
    world = World(root, random.Random(2026), _settings(CENTER_NAME, SAMPLE_STAFF), SAMPLE_STAFF, SAMPLE_TUNING)
    for since, checked, programs, until, note in SAMPLE_VOLUNTEERS:
        world.pool.enlist(since, checked, list(programs), until, note)
    for spec in SAMPLE_REFERRALS:
        world.take_referral(spec)
    world.finish()
    _require_coverage(world.tally)
    return world.tally


def _require_coverage(tally: Tally) -> None:
    """The sample exists to show everything; fail loudly if a change to the story loses something."""
    statuses = {status for _, status in tally.case_status}
    programs = {program for program, _ in tally.case_status}
    missing = [f"case status {s}" for s in S if s not in statuses]
    missing += [f"cases of {p}" for p in P if p not in programs]
    missing += [f"referrals from {s}" for s in Src if s not in tally.referral_source]
    missing += [f"{s} panels" for s in PanelStatus if s not in tally.panel_status]
    if missing:
        raise RuntimeError("the sample no longer shows: " + ", ".join(missing))


def generate_synthetic(root: Path, n: int, seed: int = 1) -> Tally:
    """About `n` records over twenty years, in realistic proportions, for benchmarks."""
    _empty_directory(root)
    rng = random.Random(seed)
    years = list(range(HORIZON.year - 19, HORIZON.year + 1))
    staff = _synthetic_staff(rng, n, years)
    tuning = Tuning(rooms=min(len(ROOMS), math.ceil(n / 20_000)))
    world = World(root, rng, _settings(f"{CENTER_NAME} (synthetic)", staff), staff, tuning)
    growth = [1 + i / len(years) for i in range(len(years))]  # the center grows over the years
    taken = 0
    for i, year in enumerate(years):
        # Panels and volunteers are shared by many cases, so a referral brings fewer records
        # in a busy center; each year's count follows what referrals have brought so far.
        per_referral = world.size() / taken if taken else 4.5
        count = round((n - world.size()) * growth[i] / sum(growth[i:]) / per_referral)
        for spec in _synthetic_referrals(rng, year, count):
            world.take_referral(spec)
        taken += max(count, 0)
    world.finish()
    return world.tally


def _synthetic_staff(rng: random.Random, n: int, years: list[int]) -> list[Staff]:
    """Coordinators come and go; enough of them at once that a year's directory of one kind and
    one code stays under ~1000 files. The sample's coordinator (KB) works there today too, so a
    clone set up for the sample works on a synthetic repository."""
    staff: list[Staff] = []
    codes = {SAMPLE_STAFF[0].code}
    for seat in range(max(2, math.ceil(n / 25_000))):
        year = years[0]
        while year <= years[-1]:
            last = min(year + rng.randint(3, 9), years[-1])
            given, family = rng.choice(WOMEN + MEN), rng.choice(SURNAMES)
            code, suffix = given[0] + family[0], 2
            while code in codes:
                code, suffix = f"{given[0]}{family[0]}{suffix}", suffix + 1
            codes.add(code)
            staff.append(Staff(code, f"{given} {family}", year, last))
            year = last + 1
        if seat == 0:
            staff[-1] = Staff(SAMPLE_STAFF[0].code, SAMPLE_STAFF[0].name, staff[-1].first, staff[-1].last)
    return staff


def _synthetic_referrals(rng: random.Random, year: int, count: int) -> list[Spec]:
    programs, weights = list(PROGRAM_WEIGHTS), list(PROGRAM_WEIGHTS.values())
    first = dt.date(year, 1, 1)
    span = (min(HORIZON, dt.date(year, 12, 31)) - first).days
    specs = []
    for _ in range(count):
        program = rng.choices(programs, weights)[0]
        sources = SOURCES[program]
        source = rng.choices(sources, range(len(sources), 0, -1))[0]
        if rng.random() < 0.1:
            fate = rng.choice((ScreeningDecision.DECLINED, ScreeningDecision.DECLINED, ScreeningDecision.RETURNED))
        else:
            fate = rng.choices(list(FATES[program]), list(FATES[program].values()))[0]
        specs.append(Spec(first + days(rng.randint(0, span)), program, source, fate))
    return sorted(specs, key=lambda spec: spec.received)


# --- command line ----------------------------------------------------------------------------


def summary(tally: Tally) -> str:
    def counts(counter: Counter) -> str:
        return ", ".join(f"{key}: {value}" for key, value in sorted(counter.items(), key=lambda kv: str(kv[0])))

    lines = [f"records: {sum(tally.kinds.values())} ({counts(tally.kinds)})",
             f"referrals by source: {counts(tally.referral_source)}",
             f"referrals by program: {counts(tally.referral_program)}",
             f"screening: {counts(tally.screening)}",
             "cases by program and status:"]
    for program in P:
        row = {status: n for (p, status), n in tally.case_status.items() if p is program}
        lines.append(f"  {program}: {counts(Counter(row))}")
    lines += [f"closures: {counts(tally.closures)}",
              f"panels: {counts(tally.panel_status)}",
              f"volunteers: {tally.volunteers_active[True]} active, {tally.volunteers_active[False]} inactive"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="the fictional sample records repository")
    sample.add_argument("outdir", type=Path)
    synthetic = commands.add_parser("synthetic", help="a synthetic repository of about N records")
    synthetic.add_argument("outdir", type=Path)
    synthetic.add_argument("--records", type=int, required=True, metavar="N")
    synthetic.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.command == "sample":
            tally = generate_sample(args.outdir)
        else:
            tally = generate_synthetic(args.outdir, args.records, args.seed)
    except FileExistsError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(summary(tally))
    print(f"written to {args.outdir} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
