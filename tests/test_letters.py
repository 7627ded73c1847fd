"""Letters: strict, sandboxed, overridable templates, and each reader sees only their part."""

from __future__ import annotations

import datetime as dt
import stat
from html.parser import HTMLParser

import pytest
from letter_fixtures import NOTICE_DATE

from rjc.model import SCHEMA_VERSION, Case, Volunteer
from rjc.model.case import Closure, Participant, StatusEntry
from rjc.model.vocab import ItemStatus, Program, Role

from helpers import git


def test_agreement_letter_has_the_terms_and_no_victim_details(case_repo, rjc):
    result = rjc("letter", "agreement", "C-2026-KB-0001", "--as-of", "2026-11-06")
    assert result.code == 0, result.err
    text = result.out
    assert "Dear Ana," in text and "12 Elm Street" in text and "2026-11-06" in text
    assert "signed on 2026-11-05" in text and "due by **2027-02-03**" in text
    assert "Amount owed: $250.00; paid so far: $50.00." in text
    assert "Hours: 20; done so far: 0." in text and "Write to the store owner" in text
    assert "Bo" not in text and "Lind" not in text and "9 Oak Lane" not in text and "0122" not in text


def test_victim_letter_carries_nothing_of_the_responsible_party(case_repo, rjc):
    text = rjc("letter", "victim-outreach", "C-2026-KB-0001").out
    assert "Dear Bo," in text and "9 Oak Lane" in text and "Write a statement for the panel only" in text
    assert "Ana" not in text and "Rivera" not in text and "12 Elm Street" not in text and "0111" not in text


def test_html_letter_parses_back_with_the_terms(case_repo, rjc, tmp_path):
    out = tmp_path / "letters"
    result = rjc("letter", "agreement", "C-2026-KB-0001", "--format", "html", "--out", out)
    assert result.code == 0, result.err
    target = out / "C-2026-KB-0001-agreement.html"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    class Text(HTMLParser):
        chunks: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("p", "li", "br"):
                self.chunks.append(" ")

        def handle_data(self, data):
            self.chunks.append(data)

    parser = Text()
    parser.feed(target.read_text())
    text = " ".join("".join(parser.chunks).split())
    assert "Restitution. Amount owed: $250.00; paid so far: $50.00. Due 2027-02-03." in text
    assert "Community service" in text and "Dear Ana," in text


def test_a_missing_field_stops_the_letter_and_lists_every_one(case_repo, rjc):
    person = case_repo.get("P-2026-KB-0001")
    person.address = None
    case_repo.save(person, "edit person", command="test")
    result = rjc("letter", "agreement", "C-2026-KB-0001")
    assert result.code == 1
    assert result.err == "Error: the agreement letter for C-2026-KB-0001 is missing: address; fill them in, or use --draft to see placeholders\n" and result.out == ""
    draft = rjc("letter", "agreement", "C-2026-KB-0001", "--draft")
    assert draft.code == 0 and "Ana Rivera\n[MISSING: address]\n" in draft.out


def test_completion_letter_goes_to_the_referral_source(case_repo, rjc):
    case = case_repo.get("C-2026-KB-0001")
    case.status_history.append(StatusEntry(status="closed", date="2027-01-30", by="KB"))
    case.closure = Closure(date="2027-01-30", reason="completed-successfully", by="KB")
    case_repo.save(case, "close case", command="test")
    text = rjc("letter", "completion", "C-2026-KB-0001").out
    assert "Dear Sgt. Pat Doe," in text and "docket 26-CR-1" in text and "closed on 2027-01-30" in text
    assert "12 Elm Street" not in text and "Bo" not in text


def test_completion_letter_for_a_program_without_an_agreement_names_the_program(case_repo, rjc):
    case = case_repo.get("C-2026-KB-0001")
    case.program, case.agreements = Program.OFFENDER_REENTRY, []
    case.participants = [Participant(person="P-2026-KB-0001", role="client")]
    case.status_history.append(StatusEntry(status="closed", date="2027-01-30", by="KB"))
    case.closure = Closure(date="2027-01-30", reason="completed-successfully", by="KB")
    case_repo.save(case, "close case", command="test")
    text = rjc("letter", "completion", "C-2026-KB-0001").out
    assert "Ana Rivera completed the offender reentry program" in text and "agreement" not in text


def test_completion_and_return_letters_match_how_the_case_closed(case_repo, rjc):
    open_case = rjc("letter", "return", "C-2026-KB-0001")
    assert open_case.code == 1 and open_case.err == "Error: C-2026-KB-0001 is not closed; the return letter is written after closure\n"
    case = case_repo.get("C-2026-KB-0001")
    case.status_history.append(StatusEntry(status="closed", date="2027-01-30", by="KB"))
    case.closure = Closure(date="2027-01-30", reason="returned-non-compliance", by="KB")
    case_repo.save(case, "close case", command="test")
    wrong = rjc("letter", "completion", "C-2026-KB-0001")
    assert wrong.code == 1 and wrong.err == "Error: C-2026-KB-0001 closed as returned-non-compliance; write the return letter instead\n"
    assert "returned non compliance" in rjc("letter", "return", "C-2026-KB-0001").out


def test_letters_to_the_referral_source_name_every_party_and_need_no_docket(case_repo, rjc):
    case = case_repo.get("C-2026-KB-0001")
    case.participants[0].role = case.participants[1].role = Role.PARTY  # a mediation: two parties
    case.status_history.append(StatusEntry(status="closed", date="2027-01-30", by="KB"))
    case.closure = Closure(date="2027-01-30", reason="completed-successfully", by="KB")
    referral = case_repo.get("R-2026-KB-0001")
    referral.docket = None
    with case_repo.transaction("test") as tx:
        tx.stage(case)
        tx.stage(referral)
        tx.commit("test")
    result = rjc("letter", "completion", "C-2026-KB-0001")
    assert result.code == 0, result.err
    assert "Re: Ana Rivera and Bo Lind (our case C-2026-KB-0001)" in result.out and "docket" not in result.out


def test_a_center_template_overrides_the_default(case_repo, rjc):
    own = case_repo.root / "templates"
    own.mkdir()
    (own / "agreement.md.j2").write_text("Hello {{ recipient.given_name }} from {{ center.name }}\n")
    assert rjc("letter", "agreement", "C-2026-KB-0001").out == "Hello Ana from Barre Community Justice Center\n"
    assert "center's own: agreement.md.j2" in rjc("letter", "--list").out


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ recipient.__class__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{% set x = recipient.update({'name': 'x'}) %}{{ x }}",
])
def test_the_sandbox_refuses_escapes(case_repo, rjc, template):
    own = case_repo.root / "templates"
    own.mkdir()
    (own / "agreement.md.j2").write_text(template + "\n")
    result = rjc("letter", "agreement", "C-2026-KB-0001")
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and result.err.startswith("Error: template")


def test_a_template_syntax_error_names_the_file_and_line(case_repo, rjc):
    own = case_repo.root / "templates"
    own.mkdir()
    (own / "agreement.md.j2").write_text("line one\n{% if %}\n")
    result = rjc("letter", "agreement", "C-2026-KB-0001")
    assert result.code == 1
    assert result.err.startswith(f"Error: template {own / 'agreement.md.j2'}:2: Expected an expression")


def test_letters_stay_out_of_the_records_repository(case_repo, rjc):
    result = rjc("letter", "agreement", "C-2026-KB-0001", "--out", case_repo.root / "letters")
    assert result.code == 1 and result.err == "Error: letters go outside the records repository; choose another --out, or add --into-records\n"
    assert git(case_repo.root, "status", "--porcelain") == ""


# --- panel notices and volunteer letters ------------------------------------------------------

def _letter(rjc, *args):
    result = rjc("letter", *args)
    assert result.code == 0, result.err
    return result.out


def test_panel_notice_to_the_victim_has_the_next_panel_and_nothing_of_the_responsible_party(panel_repo, rjc):
    text = _letter(rjc, "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002", "--as-of", NOTICE_DATE)
    assert "Dear Bo," in text and "9 Oak Lane" in text and "whether you come is your choice" in text
    # The earliest scheduled panel on or after the letter's date: not the one before it, not the later one.
    assert "**Date:** Thursday, November 19, 2026" in text and "**Time:** 5:30 p.m. to 7:00 p.m." in text
    assert "**Place:** Town Hall, Room 2" in text and "**Or by video:** https://meet.example.org/rjc-19" in text
    assert "agree together on how the harm can be repaired" in text
    assert "Old Library" not in text and "reviews how the agreement is going" not in text
    for detail in ("Ana", "Rivera", "12 Elm Street", "802-555-0111", "0111"):
        assert detail not in text
    assert "Zoë" not in text and "V-2026" not in text  # nor who sits the panel


def test_panel_notice_to_the_responsible_party_carries_nothing_of_the_victim(panel_repo, rjc):
    text = _letter(rjc, "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0001", "--as-of", "2026-11-20")
    assert "Dear Ana," in text and "12 Elm Street" in text and "Please come" in text
    assert "Thursday, December 3, 2026" in text and "reviews how the agreement is going" in text
    assert "video" not in text  # that panel has no video link
    for detail in ("Bo", "Lind", "9 Oak Lane", "0122"):
        assert detail not in text


def test_panel_notice_needs_a_recipient_on_the_case_and_a_scheduled_panel(panel_repo, rjc):
    both = rjc("letter", "panel-notice", "C-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert both.code == 1 and both.err == "Error: C-2026-KB-0001 has 2 possible recipients; choose one with --to PERSON\n"
    stranger = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0003", "--as-of", NOTICE_DATE)
    assert stranger.code == 1 and stranger.err == "Error: P-2026-KB-0003 is not a participant on C-2026-KB-0001\n"
    name = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "Bo Lind", "--as-of", NOTICE_DATE)
    assert name.code == 1 and name.err == "Error: not a record id: ids look like C-2026-KB-0019 (kind P, R, C, PN, V or O; year; coordinator code; number)\n" and "Lind" not in name.err
    volunteer = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "V-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert volunteer.code == 1 and volunteer.err == "Error: --to takes a person id (like P-2026-KB-0001), and V-2026-KB-0001 is not one\n"
    late = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002", "--as-of", "2026-12-04")
    assert late.code == 1
    assert late.err == "Error: C-2026-KB-0001 has no panel scheduled on or after 2026-12-04; schedule one first\n"
    agency = rjc("letter", "panel-notice-agency", "C-2026-KB-0001", "--as-of", "2026-12-04")
    assert agency.code == 1 and agency.err == "Error: C-2026-KB-0001 has no panel scheduled on or after 2026-12-04; schedule one first\n"


def test_panel_notice_without_a_place_lists_it_as_missing(panel_repo, rjc):
    panel = panel_repo.get("PN-2026-KB-0005")
    panel.place, panel.video_link = None, None
    panel_repo.save(panel, "edit panel", command="test")
    result = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002", "--as-of", NOTICE_DATE)
    assert result.code == 1 and result.err == "Error: the panel-notice letter for C-2026-KB-0001 is missing: place; fill them in, or use --draft to see placeholders\n"
    draft = rjc("letter", "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002", "--as-of", NOTICE_DATE,
                "--draft")
    assert draft.code == 0 and "**Place:** [MISSING: place]" in draft.out
    agency = rjc("letter", "panel-notice-agency", "C-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert agency.code == 1 and agency.err == "Error: the panel-notice-agency letter for C-2026-KB-0001 is missing: place; fill them in, or use --draft to see placeholders\n"


def test_a_video_only_panel_gives_its_link_to_participants_not_to_the_agency(panel_repo, rjc):
    panel = panel_repo.get("PN-2026-KB-0005")
    panel.place = None
    panel_repo.save(panel, "edit panel", command="test")
    text = _letter(rjc, "panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert "**By video:** https://meet.example.org/rjc-19" in text and "Place" not in text
    agency = _letter(rjc, "panel-notice-agency", "C-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert "**Place:** by video conference" in agency and "meet.example.org" not in agency


def test_panel_notice_to_the_agency_names_the_responsible_party_only(panel_repo, rjc):
    text = _letter(rjc, "panel-notice-agency", "C-2026-KB-0001", "--as-of", NOTICE_DATE)
    assert "Dear Sgt. Pat Doe," in text and "Hartford Police Department" in text
    assert "Re: Ana Rivera, docket 26-CR-1 (our case C-2026-KB-0001)" in text
    assert "**Date:** Thursday, November 19, 2026" in text and "**Time:** 5:30 p.m. to 7:00 p.m." in text
    assert "**Place:** Town Hall, Room 2 (or by video)" in text and "meet.example.org" not in text
    for detail in ("12 Elm Street", "Hartford, VT", "05047", "802-555-0111", "Bo", "Lind", "9 Oak Lane", "0122"):
        assert detail not in text


def test_volunteer_thanks_counts_held_panels_attended_in_the_letters_year(panel_repo, rjc):
    text = _letter(rjc, "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2026-12-15")
    assert "Zoë Nguyễn\n3 Birch Road\nNorwich, VT 05055" in text and "Dear Zoë," in text
    # 2 hours (the meeting's length) + 1.25; not the cancelled panel, not 2025's, not the scheduled ones.
    assert "In 2026 you sat on **2 panels**, giving **3.25 hours** of your time" in text
    # Its own hours when written down; an absence is not counted.
    assert "**2 panels**, giving **2.75 hours**" in _letter(rjc, "volunteer-thanks", "V-2026-KB-0002",
                                                              "--as-of", "2026-12-15")
    assert "**1 panel**, giving **1.25 hours**" in _letter(rjc, "volunteer-thanks", "V-2026-KB-0003",
                                                            "--as-of", "2026-12-15")
    for detail in ("C-2026", "Ana", "Rivera", "Bo ", "Lind", "Elm", "Oak", "802-555-0133", "PN-2026"):
        assert detail not in text


def test_volunteer_thanks_for_a_chosen_period(panel_repo, rjc):
    text = _letter(rjc, "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2026-12-15",
                   "--from", "2025-12-01", "--until", "2026-03-31")
    assert ("From Monday, December 1, 2025 to Tuesday, March 31, 2026 you sat on **2 panels**, "
            "giving **4 hours**") in text
    until = _letter(rjc, "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2026-12-15", "--until", "2025-12-31")
    assert "In 2025 you sat on **1 panel**, giving **2 hours**" in until  # from the start of that year
    since = _letter(rjc, "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2026-12-15", "--from", "2025-06-01")
    assert "to Thursday, December 31, 2026 you sat on **3 panels**, giving **5.25 hours**" in since
    none = _letter(rjc, "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2027-01-05")
    assert "Thank you for being one of our volunteers since 2024." in none and "panels" not in none
    backwards = rjc("letter", "volunteer-thanks", "V-2026-KB-0001", "--from", "2026-05-01", "--until", "2026-04-01")
    assert backwards.code == 1 and backwards.err == "Error: the period starts (2026-05-01) after it ends (2026-04-01)\n"


def test_volunteer_thanks_refuses_to_guess_an_unrecorded_attendance(panel_repo, rjc):
    panel = panel_repo.get("PN-2026-KB-0002")
    panel.seats[0].attended = None
    panel_repo.save(panel, "edit panel", command="test")
    result = rjc("letter", "volunteer-thanks", "V-2026-KB-0001", "--as-of", "2026-12-15")
    assert result.code == 1
    assert result.err == "Error: attendance of V-2026-KB-0001 is not recorded at PN-2026-KB-0002; record it, or use --draft\n"
    assert "**1 panel**, giving **2 hours**" in _letter(rjc, "volunteer-thanks", "V-2026-KB-0001",
                                                          "--as-of", "2026-12-15", "--draft")


@pytest.mark.parametrize("args, error", [
    (["volunteer-thanks", "C-2026-KB-0001"],
     "the volunteer-thanks letter is about a volunteer (an id like V-2026-KB-0003), and C-2026-KB-0001 is a case"),
    (["agreement", "V-2026-KB-0001"],
     "the agreement letter is about a case (an id like C-2026-KB-0019), and V-2026-KB-0001 is a volunteer"),
    (["panel-notice", "P-2026-KB-0001"], "the panel-notice letter is about a case"),
    (["panel-notice-agency", "PN-2026-KB-0005"], "and PN-2026-KB-0005 is a panel"),
    (["volunteer-thanks", "Zoë Nguyễn"], "not a record id"),
    (["volunteer-thanks", "V-2026-KB-0001", "--to", "P-2026-KB-0003"],
     "the volunteer-thanks letter goes to the volunteer V-2026-KB-0001; --to is for letters about a case"),
    (["agreement", "C-2026-KB-0001", "--from", "2026-01-01"],
     "--from and --until are for volunteer letters, not the agreement letter"),
    (["volunteer-thanks", "V-2026-KB-0009"], "no record V-2026-KB-0009"),
])
def test_a_letter_refuses_the_wrong_kind_of_record(panel_repo, rjc, args, error):
    result = rjc("letter", *args)
    assert result.code == 1 and error in result.err, result.err
    assert "Nguy" not in result.err


def test_list_shows_every_letter(panel_repo, rjc):
    listing = rjc("letter", "--list").out
    for name in ("agreement", "victim-outreach", "completion", "return", "panel-notice ", "panel-notice-agency",
                 "volunteer-thanks"):
        assert f"\n{name}" in "\n" + listing
    assert "default: volunteer-thanks.md.j2" in listing


@pytest.mark.parametrize("letter, args", [
    ("panel-notice.md.j2", ["panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002"]),
    ("panel-notice-agency.md.j2", ["panel-notice-agency", "C-2026-KB-0001"]),
    ("volunteer-thanks.md.j2", ["volunteer-thanks", "V-2026-KB-0001"]),
])
@pytest.mark.parametrize("template", ["{{ recipient.__class__ }}", "{{ panel.date.__class__.__mro__ }}",
                                      "{{ (panel.date | long_date) | attr('__class__') }}", "{{ service.__len__() }}"])
def test_the_sandbox_refuses_escapes_in_the_new_letters(panel_repo, rjc, letter, args, template):
    own = panel_repo.root / "templates"
    own.mkdir()
    (own / letter).write_text(template + "\n")
    result = rjc("letter", *args, "--as-of", NOTICE_DATE)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and result.err.startswith("Error: template")


def test_an_invalid_panel_file_stops_panel_letters_rather_than_skip_it(panel_repo, rjc):
    path = panel_repo.root / "panels/2026/KB/PN-2026-KB-0008.yaml"
    path.write_text("id: PN-2026-KB-0008\nschema_version: 3\ndate: not a date\n")
    for args in (["panel-notice", "C-2026-KB-0001", "--to", "P-2026-KB-0002"], ["volunteer-thanks", "V-2026-KB-0001"]):
        result = rjc("letter", *args, "--as-of", NOTICE_DATE)
        assert result.code == 1
        assert result.err == "Error: panel files are not valid: panels/2026/KB/PN-2026-KB-0008.yaml; run: rjc check\n"


def test_volunteer_thanks_counts_circle_meetings_too(panel_repo, rjc):
    from rjc.model.case import Circle, CircleMeeting, CircleSeat

    volunteer = next(r.record for r in panel_repo.load_all() if isinstance(r.record, Volunteer))
    case = Case(id="C-2026-KB-0009", schema_version=SCHEMA_VERSION, program="cosa", coordinator="KB", opened="2026-01-05",
                participants=[Participant(person="P-2026-KB-0001", role="core-member")],
                status_history=[StatusEntry(status="intake", date="2026-01-05", by="KB")],
                circle=Circle(phase="phase-1", started="2026-01-10",
                              roster=[CircleSeat(volunteer=volunteer.id, joined="2026-01-10")],
                              meetings=[CircleMeeting.new(date="2026-01-14", attended=[volunteer.id], hours="1.5"),
                                        CircleMeeting.new(date="2026-01-21", attended=[volunteer.id], hours="1.5")]))
    panel_repo.save(case, "test", command="test")
    before = rjc("letter", "volunteer-thanks", volunteer.id, "--as-of", "2026-12-01", "--draft").out
    assert "met with your circle **2 times**" in before


def test_completion_letter_states_each_item_s_real_outcome(case_repo, rjc):
    """Closed as completed with terms still open: the letter says how each one really ended."""
    case = case_repo.get("C-2026-KB-0001")
    apology, restitution, _service = case.agreements[-1].items
    apology.status, apology.completed = ItemStatus.COMPLETED, dt.date(2026, 12, 1)
    restitution.status, restitution.decided = ItemStatus.WAIVED, dt.date(2027, 1, 15)
    case.status_history.append(StatusEntry(status="closed", date="2027-01-30", by="KB"))
    case.closure = Closure(date="2027-01-30", reason="completed-successfully", by="KB", note="agreed with the referrer")
    case_repo.save(case, "close case", command="test")
    result = rjc("letter", "completion", "C-2026-KB-0001")
    assert result.code == 0, result.err
    terms = [line for line in result.out.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    assert terms == [
        "1. Apology letter: completed on 2026-12-01.",
        "2. Restitution: waived on 2027-01-15 ($50.00 of $250.00 paid).",
        "3. Community service: still open, not started (0 of 20 hours done).",
    ]
    assert "closed on 2027-01-30 (completed successfully)" in result.out
    assert "completed the reparative agreement" not in result.out and "agreed with the referrer" not in result.out
