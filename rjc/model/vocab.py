"""The fixed vocabularies of the center's work, as they are written in the files."""

from __future__ import annotations

from enum import StrEnum


class Program(StrEnum):
    RESTORATIVE_PANEL = "restorative-panel"
    REENTRY_PANEL = "reentry-panel"
    PRE_CHARGE_DIVERSION = "pre-charge-diversion"
    VICTIM_SUPPORT = "victim-support"
    OFFENDER_REENTRY = "offender-reentry"
    COSA = "cosa"
    STAR = "star"
    MEDIATION = "mediation"
    FAMILY_GROUP_CONFERENCING = "family-group-conferencing"


class ReferralSource(StrEnum):
    COURT = "court"
    PROBATION_PAROLE = "probation-parole"
    STATES_ATTORNEY = "states-attorney"
    POLICE = "police"
    SCHOOL = "school"
    COMMUNITY_MEMBER = "community-member"
    SELF = "self"
    CORRECTIONS = "corrections"
    OTHER_AGENCY = "other-agency"


class OrganizationKind(StrEnum):
    REFERRING_AGENCY = "referring-agency"
    HOST_BUSINESS = "host-business"
    FUNDER = "funder"
    SERVICE_PROVIDER = "service-provider"


class ScreeningDecision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RETURNED = "returned"


class Role(StrEnum):
    """What a person is in a referral or case."""

    RESPONSIBLE_PARTY = "responsible-party"
    VICTIM = "victim"
    CORE_MEMBER = "core-member"  # CoSA
    CLIENT = "client"  # reentry, STAR
    PARTY = "party"  # mediation
    FAMILY_MEMBER = "family-member"  # family group conferencing
    PARENT_GUARDIAN = "parent-guardian"
    SUPPORT_PERSON = "support-person"
    OTHER = "other"


class CaseStatus(StrEnum):
    REFERRED = "referred"
    INTAKE = "intake"
    VICTIM_CONTACTED = "victim-contacted"
    PANEL_SCHEDULED = "panel-scheduled"
    IN_CIRCLE = "in-circle"
    IN_MEDIATION = "in-mediation"
    CONFERENCE_SCHEDULED = "conference-scheduled"
    IN_SERVICES = "in-services"
    IN_INTERNSHIP = "in-internship"
    AGREEMENT_SIGNED = "agreement-signed"
    MONITORING = "monitoring"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    COMPLETED_SUCCESSFULLY = "completed-successfully"
    COMPLETED_PARTIALLY = "completed-partially"
    RETURNED_NON_COMPLIANCE = "returned-non-compliance"
    RETURNED_NEW_OFFENSE = "returned-new-offense"
    DECLINED = "declined"
    NO_CONTACT = "no-contact"
    WITHDRAWN = "withdrawn"
    INELIGIBLE = "ineligible"
    TRANSFERRED = "transferred"


def closure_reason(note: str | None) -> str | None:
    """The reason a closed status entry's note starts with (`completed-successfully: ...`), if any:
    where the reason for an earlier closure is kept, once a case was reopened."""
    for reason in ClosureReason:
        if note and (note == reason.value or note.startswith(reason.value + ":")):
            return reason.value
    return None


class VictimChoice(StrEnum):
    UNDECIDED = "undecided"
    ATTEND = "attend"
    WRITTEN_STATEMENT_SHARED = "written-statement-shared"
    WRITTEN_STATEMENT_PANEL_ONLY = "written-statement-panel-only"
    NOT_PARTICIPATE = "not-participate"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in-person"
    VIDEO = "video"
    TEXT = "text"
    VOICEMAIL = "voicemail"


class ItemType(StrEnum):
    APOLOGY_LETTER = "apology-letter"
    RESTITUTION = "restitution"
    COMMUNITY_SERVICE = "community-service"
    EDUCATION = "education"
    ASSESSMENT = "assessment"
    OTHER = "other"


class ItemStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    NOT_COMPLETED = "not-completed"
    WAIVED = "waived"


class Resolution(StrEnum):
    """Outcome of a mediation or family group conference."""

    AGREEMENT = "agreement"
    PARTIAL = "partial"
    NONE = "none"


class CirclePhase(StrEnum):
    FORMING = "forming"
    PHASE_1 = "phase-1"
    PHASE_2 = "phase-2"
    PHASE_3 = "phase-3"
    ENDED = "ended"


class CircleRole(StrEnum):
    MEMBER = "member"
    ANCHOR = "anchor"
    PROFESSIONAL = "professional"


class GoalStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    DROPPED = "dropped"


class PanelStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class PanelPurpose(StrEnum):
    AGREEMENT = "agreement"
    MID_TERM_REVIEW = "mid-term-review"
    CLOSURE = "closure"
    RECONVENE = "reconvene"


class PanelOutcome(StrEnum):
    AGREEMENT_SIGNED = "agreement-signed"
    CONTINUED = "continued"
    ON_TRACK = "on-track"
    COMPLETED = "completed"
    RETURNED = "returned"
    NO_SHOW = "no-show"


class Notice(StrEnum):
    REFERRING_AGENCY = "referring-agency"
    PARTICIPANTS = "participants"
    VOLUNTEERS = "volunteers"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class SurveyKind(StrEnum):
    """Who answers a survey: the participant at the end of their program, or a victim."""

    PARTICIPANT = "participant"
    VICTIM = "victim"


class QuestionKind(StrEnum):
    SCALE = "scale"  # 1 to 5
    YES_NO = "yes-no"
    CHOICE = "choice"  # one of the question's options
    TEXT = "text"  # free text: kept on the case, never in a report
