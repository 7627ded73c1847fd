"""The records repository's own settings file (`rjc.yaml`)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from rjc.model.base import CoordinatorCode, Strict, Text, Versioned
from rjc.model.surveys import Surveys
from rjc.model.vocab import ClosureReason, Program

_FINGERPRINT = re.compile(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}")
_SSH_KEY_TYPE = re.compile(r"(sk-)?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))(@openssh\.com)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class Center(Strict):
    name: Text
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    payment_instructions: str | None = None  # where and how restitution is paid (the restitution letter)


class Coordinator(Strict):
    code: CoordinatorCode = Field(description="1-4 capitals/digits; part of every id this clone creates")
    name: Text
    email: str | None = None
    active: bool = True
    # The public half of the key this coordinator signs commits with: an SSH public key line
    # ("ssh-ed25519 AAAA...") or an OpenPGP fingerprint. `rjc log --verify` names a signature by it.
    signing_key: str | None = None

    @field_validator("signing_key")
    @classmethod
    def _public_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if _FINGERPRINT.fullmatch(value.replace(" ", "")):
            return value.replace(" ", "").upper()
        parts = value.split(" ")
        if len(parts) >= 2 and _SSH_KEY_TYPE.fullmatch(parts[0]) and _BASE64.fullmatch(parts[1]):
            return f"{parts[0]} {parts[1]}"  # the comment (often user@host) is not kept
        raise ValueError("must be an SSH public key line (ssh-ed25519 AAAA...) or an OpenPGP fingerprint "
                         "(40 hex digits); never a private key")


class Signing(Strict):
    """Signed commits. With `format` set, every commit rjc makes is signed with the key this clone's
    git config names (user.signingKey, set by `rjc whoami --signing-key`): the private key never
    lives in the repository. Unset (the default): commits are not signed."""

    format: Literal["ssh", "openpgp"] | None = None


class AgreementTerms(Strict):
    due_days: int = Field(default=90, ge=1)
    midterm_days: int = Field(default=45, ge=1)


class Reminders(Strict):
    """Lead times, in days unless named otherwise."""

    panel_days: int = Field(default=2, ge=0)
    item_due_days: int = Field(default=7, ge=0)
    no_contact_days: int = Field(default=14, ge=1)
    referral_idle_days: int = Field(default=5, ge=1)
    background_check_days: int = Field(default=30, ge=0)
    victim_notice_business_days: int = Field(default=7, ge=1)
    midterm_review_days: int = Field(default=7, ge=0)  # reminded this long before a mid-term review
    quarterly_report_days: int = Field(default=5, ge=0)  # before each report date (Jul 5, Oct 5, Jan 5, Apr 5)


class Mail(Strict):
    """How `rjc remind --email` sends. The password never lives in the repository."""

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)  # default: 25, 587 (starttls) or 465 (ssl)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    sender: str | None = None  # the From address
    username: str | None = None
    password_env: str | None = None  # name of an environment variable holding the password
    password_file: str | None = None  # an owner-only file outside the repository holding the password
    send_from: CoordinatorCode | None = None  # the coordinator whose clone sends (one clone only)
    timeout: float = Field(default=30, gt=0, validate_default=True)  # seconds (a float as read back: 30.0)


class SealingRule(Strict):
    """When a closed case of a program is due to be sealed (or its records deleted)."""

    after_years: int = Field(default=2, ge=0)  # from the day it closed
    closed_as: list[ClosureReason] = [ClosureReason.COMPLETED_SUCCESSFULLY]
    action: Literal["seal", "expunge"] = "seal"


class Sealing(Strict):
    """The law's sealing and deletion duty. Programs not listed are sealed only when a court orders it."""

    programs: dict[Program, SealingRule] = {Program.PRE_CHARGE_DIVERSION: SealingRule()}
    # The center's sealing public key (age): what a seal removes is first archived, encrypted to it.
    # Its private key never touches the repository; whoever holds it can read an archive for a court.
    public_key: str | None = Field(default=None, pattern=r"^age1[02-9ac-hj-np-z]{58}$")
    archive_dir: str = "~/rjc-sealed"  # where the encrypted archives go: outside every records repository


class Settings(Versioned):
    center: Center
    timezone: str = "America/New_York"
    # Public holidays that are not business days: COUNTRY or COUNTRY-SUBDIVISION, "" for none
    holidays: str = Field(default="US-VT", pattern=r"^([A-Z]{2}(-[A-Z0-9]{1,3})?)?$")
    diversion_return_days: int = Field(default=90, ge=1)  # when a diversion case is due back
    coordinators: list[Coordinator] = Field(min_length=1)
    agreement: AgreementTerms = AgreementTerms()
    agreement_by_program: dict[Program, AgreementTerms] = {}
    reminders: Reminders = Reminders()
    mail: Mail | None = None
    sealing: Sealing = Sealing()
    signing: Signing = Signing()
    surveys: Surveys = Surveys()

    @field_validator("coordinators")
    @classmethod
    def _unique_codes(cls, value: list[Coordinator]) -> list[Coordinator]:
        codes = [c.code for c in value]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"coordinator codes must be unique: {', '.join(duplicates)}")
        return value

    def coordinator(self, code: str) -> Coordinator | None:
        return next((c for c in self.coordinators if c.code == code), None)
