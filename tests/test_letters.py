"""Letters: strict, sandboxed, overridable templates, and each reader sees only their part."""

from __future__ import annotations

import stat
from html.parser import HTMLParser

import pytest

from helpers import git
from rjc.model import Case, Person, Referral
from rjc.model.case import Agreement, Closure, Participant, StatusEntry

SIGNED = "2026-11-05"


@pytest.fixture
def case_repo(repo, monkeypatch):
    """A case with a responsible party, a victim (both with addresses), a referral and an agreement."""
    monkeypatch.chdir(repo.root)
    address = {"street": "12 Elm Street", "town": "Hartford", "state": "VT", "postal_code": "05047"}
    people = [Person(id="P-2026-KB-0001", schema_version=1, given_name="Ana", family_name="Rivera",
                     address=address, phone="802-555-0111"),
              Person(id="P-2026-KB-0002", schema_version=1, given_name="Bo", family_name="Lind",
                     address=address | {"street": "9 Oak Lane"}, phone="802-555-0122")]
    referral = Referral(id="R-2026-KB-0001", schema_version=1, received="2026-11-01", program="restorative-panel",
                        source="police", agency="Hartford Police Department", docket="26-CR-1",
                        contact={"name": "Sgt. Pat Doe"}, people=[{"person": "P-2026-KB-0001", "role": "responsible-party"}],
                        screening={"decision": "accepted", "date": "2026-11-02", "by": "KB", "case": "C-2026-KB-0001"})
    case = Case(id="C-2026-KB-0001", schema_version=1, program="restorative-panel", referral="R-2026-KB-0001",
                coordinator="KB", opened="2026-11-02",
                participants=[Participant(person="P-2026-KB-0001", role="responsible-party"),
                              Participant(person="P-2026-KB-0002", role="victim")],
                status_history=[StatusEntry(status="intake", date="2026-11-02", by="KB")],
                agreements=[Agreement(signed=SIGNED, due="2027-02-03", midterm_review="2026-12-20", items=[
                    {"type": "apology-letter", "description": "Write to the store owner"},
                    {"type": "restitution", "amount": "250.00", "victim": "P-2026-KB-0002",
                     "payments": [{"date": "2026-11-20", "amount": "50.00"}]},
                    {"type": "community-service", "hours_required": "20"}])])
    settings = repo.settings
    settings.center.address, settings.center.phone = "1 Main Street, Barre, VT 05641", "802-555-0100"
    with repo.transaction("test") as tx:
        tx.stage(settings)
        for record in (*people, referral, case):
            tx.stage(record)
        tx.commit("test")
    return repo


def test_agreement_letter_has_the_terms_and_no_victim_details(case_repo, rjc):
    result = rjc("letter", "agreement", "C-2026-KB-0001", "--date", "2026-11-06")
    assert result.code == 0, result.err
    text = result.out
    assert "Dear Ana," in text and "12 Elm Street" in text and "2026-11-06" in text
    assert "signed\non 2026-11-05" in text and "due by **2027-02-03**" in text
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
    assert "the agreement letter for C-2026-KB-0001 is missing: address;" in result.err and result.out == ""
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
    assert result.code == 1 and "letters go outside the records repository" in result.err
    assert git(case_repo.root, "status", "--porcelain") == ""
