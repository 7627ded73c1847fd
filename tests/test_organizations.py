"""Organizations on file: referring agencies, host businesses; referrals and internships naming them by id,
the agencies typed on older referrals linked, and the acknowledgement letter to a referring agency."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from rjc.checks import check_repository
from rjc.model import SCHEMA_VERSION, Case, Organization, Person, Referral
from rjc.workflows.repository import Repository

from helpers import git

AGENCY = "O-2026-KB-0001"
HOST = "O-2026-KB-0002"
HPD = """\
name: Hartford Police Department
type: referring-agency
address:
  street: 40 Depot Street
  town: White River Junction
  state: VT
  postal_code: '05001'
phone: 802-555-0190
contact_role: diversion coordinator
"""


@pytest.fixture
def orgs(repo, monkeypatch):
    """An agency (with an address) and a host business on file, and one person."""
    monkeypatch.chdir(repo.root)
    with repo.transaction("test") as tx:
        tx.stage(Organization(id=AGENCY, schema_version=SCHEMA_VERSION, name="Hartford Police Department",
                              type="referring-agency", contact_role="diversion coordinator",
                              address={"street": "40 Depot Street", "town": "White River Junction", "state": "VT",
                                       "postal_code": "05001"}))
        tx.stage(Organization(id=HOST, schema_version=SCHEMA_VERSION, name="Barre Bakery", type="host-business"))
        tx.stage(Person(id="P-2026-KB-0001", schema_version=SCHEMA_VERSION, given_name="Ana", family_name="Rivera",
                        address={"street": "12 Elm Street", "town": "Hartford"}, phone="802-555-0111"))
        tx.commit("test")
    settings = repo.settings
    settings.center.address, settings.center.phone = "1 Main Street, Barre, VT 05641", "802-555-0100"
    repo.save(settings, "settings", command="test")
    return repo


def _referral(rjc, *args: str) -> tuple[str, str]:
    result = rjc("referral", "new", "--program", "restorative-panel", "--source", "police",
                 "--person", "P-2026-KB-0001=responsible-party", "--received", "2026-11-02", *args)
    assert result.code == 0, result.err
    return result.out.strip(), result.err


def _commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


# --- the record kind ---------------------------------------------------------------------------


def test_org_new_from_a_file_then_list_and_show(repo, rjc, monkeypatch, tmp_path):
    monkeypatch.chdir(repo.root)
    (tmp_path / "hpd.yaml").write_text(HPD, encoding="utf-8")
    made = rjc("org", "new", "--from-file", tmp_path / "hpd.yaml")
    assert made.code == 0, made.err
    assert made.out == f"{AGENCY}\n"
    assert (repo.root / "organizations/2026/KB" / f"{AGENCY}.yaml").is_file()
    listed = rjc("org", "list", "--format", "csv")
    assert listed.out.splitlines() == ["id,type,name,town",
                                       f"{AGENCY},referring-agency,Hartford Police Department,White River Junction"]
    assert rjc("list", "organizations", "--status", "funder", "--format", "csv").out.splitlines() == ["id,type,name,town"]
    shown = rjc("org", "show", AGENCY, "--format", "json")
    assert json.loads(shown.out)["contact_role"] == "diversion coordinator"
    assert check_repository(repo.root) == []


def test_an_organization_of_the_same_name_is_refused(orgs, rjc, tmp_path):
    (tmp_path / "again.yaml").write_text("name: hartford  police department\ntype: funder\n", encoding="utf-8")
    again = rjc("org", "new", "--from-file", tmp_path / "again.yaml")
    assert again.code == 1
    assert again.err == (f"Error: 'hartford police department' is on file already as {AGENCY}; "
                         f"to change it: rjc org edit {AGENCY}\n")


def test_org_show_refuses_another_kind_of_id(orgs, rjc):
    wrong = rjc("org", "show", "P-2026-KB-0001")
    assert wrong.code == 1
    assert wrong.err == "Error: P-2026-KB-0001 is a person, not an organization (ids look like O-2026-KB-0001)\n"


def test_a_contact_person_must_be_on_file_and_is_named_only_beside_the_id(orgs, rjc):
    org = orgs.get(HOST)
    org.contact_person = "P-2026-KB-0001"
    orgs.save(org, "edit", command="test")
    shown = rjc("org", "show", HOST)
    assert "contact_person: P-2026-KB-0001  # Ana Rivera" in shown.out
    assert "Ana" not in rjc("org", "list").out  # identity of the agency only, never its contact's name
    path = orgs.root / "organizations/2026/KB" / f"{HOST}.yaml"
    path.write_text(path.read_text().replace("P-2026-KB-0001", "P-2026-KB-0009"))
    found = [(p.rule, p.message) for p in check_repository(orgs.root)]
    assert found == [("reference-exists", "P-2026-KB-0009 does not exist")]


# --- referrals name their agency ---------------------------------------------------------------


def test_referral_agency_by_id_or_by_its_name(orgs, rjc):
    by_id, said = _referral(rjc, "--agency", AGENCY.lower())
    assert said == "committed " + said.split()[-1] + "\n"
    by_name, _ = _referral(rjc, "--agency", "  hartford POLICE   department ")
    for referral_id in (by_id, by_name):
        referral = orgs.get(referral_id)
        assert (referral.agency_org, referral.agency) == (AGENCY, None)


def test_referral_agency_not_on_file_is_kept_as_text_with_a_hint(orgs, rjc):
    close, said = _referral(rjc, "--agency", "Hartford Police Dept")
    assert said.splitlines()[0] == (f"the agency 'Hartford Police Dept' is not on file; kept as text (on file: "
                                    f"{AGENCY} Hartford Police Department; give the id to link it)")
    new, said = _referral(rjc, "--agency", "Windsor County Sheriff")
    assert said.splitlines()[0] == ("the agency 'Windsor County Sheriff' is not on file; kept as text; add it with: "
                                    "rjc org new, then link it with: rjc org link-agencies")
    assert (orgs.get(close).agency, orgs.get(close).agency_org) == ("Hartford Police Dept", None)


def test_referral_agency_that_is_not_an_organization_is_refused(orgs, rjc):
    before = _commits(orgs.root)
    wrong = rjc("referral", "new", "--program", "restorative-panel", "--source", "police",
                "--person", "P-2026-KB-0001=victim", "--agency", "P-2026-KB-0001")
    assert wrong.code == 1
    assert wrong.err == ("Error: the agency is an organization: give its id (O-...) or its name, "
                         "not P-2026-KB-0001\n")
    missing = rjc("referral", "new", "--program", "restorative-panel", "--source", "police",
                  "--person", "P-2026-KB-0001=victim", "--agency", "O-2026-KB-0042")
    assert missing.code == 1 and missing.err == "Error: no record O-2026-KB-0042\n"
    assert _commits(orgs.root) == before


def test_a_referral_naming_a_missing_organization_fails_check(orgs):
    path = orgs.root / "referrals/2026/KB/R-2026-KB-0001.yaml"
    with orgs.transaction("test") as tx:
        tx.stage(Referral(id="R-2026-KB-0001", schema_version=SCHEMA_VERSION, received="2026-11-02",
                          program="restorative-panel", source="police", agency_org=AGENCY,
                          people=[{"person": "P-2026-KB-0001", "role": "victim"}]))
        tx.commit("test")
    path.write_text(path.read_text().replace(AGENCY, "O-2026-KB-0042"))
    found = [(p.rule, p.line, p.message) for p in check_repository(orgs.root)]
    assert found == [("reference-exists", 7, "O-2026-KB-0042 does not exist")]


# --- linking the agencies typed on older referrals -----------------------------------------------


def _typed(repo: Repository, agencies: list[str]) -> list[str]:
    ids = []
    with repo.transaction("test") as tx:
        for n, agency in enumerate(agencies, start=1):
            ids.append(f"R-2026-KB-{n:04d}")
            tx.stage(Referral(id=ids[-1], schema_version=SCHEMA_VERSION, received="2026-11-02",
                              program="restorative-panel", source="police", agency=agency,
                              people=[{"person": "P-2026-KB-0001", "role": "victim"}]))
        tx.commit("test")
    return ids


def test_link_agencies_without_a_terminal_links_names_on_file_and_creates_new_ones(orgs, rjc):
    r1, r2, r3, r4, r5 = _typed(orgs, ["HARTFORD police department", "Hartford Police Dept", "Windsor Court",
                                       "windsor court", "Barre Bakery"])
    before = _commits(orgs.root)
    linked = rjc("org", "link-agencies", stdin="")
    assert linked.code == 0, linked.err
    lines = linked.err.splitlines()
    assert lines[:3] == ["new organizations: O-2026-KB-0003", "linked 4 referrals",
                         f"left as typed (may be an organization on file; run on a terminal to decide): {r2}"]
    assert _commits(orgs.root) == before + 1  # one commit
    assert [orgs.get(r).agency_org for r in (r1, r2, r3, r4, r5)] == [AGENCY, None, "O-2026-KB-0003",
                                                                      "O-2026-KB-0003", HOST]
    assert orgs.get("O-2026-KB-0003").name == "Windsor Court"
    assert orgs.get(r2).agency == "Hartford Police Dept"
    again = rjc("org", "link-agencies", "--no-input")
    assert again.err == f"left as typed (may be an organization on file; run on a terminal to decide): {r2}\n"
    assert _commits(orgs.root) == before + 1
    assert check_repository(orgs.root) == []


def test_link_agencies_asks_on_a_terminal_where_two_spellings_may_be_one(orgs, terminal):
    r1, r2, r3 = _typed(orgs, ["Hartford Police Dept", "Windsor County Court", "Windsor County Courts"])
    s = terminal(orgs.root, "org", "link-agencies")
    s.answer("Is 'Hartford Police Dept' the same organization as Hartford Police Department (O-2026-KB-0001)? [y/N]:",
             "y")
    s.answer("Is 'Windsor County Courts' the same organization as Windsor County Court? [y/N]:", "n")
    code, rest = s.end()
    assert code == 0, rest
    assert rest.splitlines()[:2] == ["new organizations: O-2026-KB-0003, O-2026-KB-0004", "linked 3 referrals"]
    repo = Repository(orgs.root)
    assert [repo.get(r).agency_org for r in (r1, r2, r3)] == [AGENCY, "O-2026-KB-0003", "O-2026-KB-0004"]


# --- internships name their host -----------------------------------------------------------------


def test_internship_host_by_id_or_by_name_on_file(orgs, rjc):
    with orgs.transaction("test") as tx:
        tx.stage(Case(id="C-2026-KB-0001", schema_version=SCHEMA_VERSION, program="star", coordinator="KB",
                      opened="2026-11-02", participants=[{"person": "P-2026-KB-0001", "role": "client"}],
                      status_history=[{"status": "intake", "date": "2026-11-02", "by": "KB"}]))
        tx.commit("test")
    made = rjc("internship", "set", "C-2026-KB-0001", "--host", HOST, "--start", "2026-11-09")
    assert made.code == 0, made.err
    internship = orgs.get("C-2026-KB-0001").internship
    assert (internship.host, internship.host_org) == ("Barre Bakery", HOST)
    assert f"host: Barre Bakery ({HOST})" in rjc("internship", "show", "C-2026-KB-0001").out
    assert rjc("internship", "set", "C-2026-KB-0001", "--host", "Granite Hardware").code == 0
    internship = orgs.get("C-2026-KB-0001").internship
    assert (internship.host, internship.host_org) == ("Granite Hardware", None)
    assert rjc("internship", "set", "C-2026-KB-0001", "--host", "barre bakery").code == 0
    assert orgs.get("C-2026-KB-0001").internship.host_org == HOST
    assert check_repository(orgs.root) == []


# --- the acknowledgement letter to the referring agency --------------------------------------------


def test_referral_acknowledgement_letter_to_the_agency_on_file(orgs, rjc, tmp_path):
    referral_id, _ = _referral(rjc, "--agency", AGENCY, "--docket", "26-CR-7")
    markdown = rjc("letter", "referral-acknowledgement", referral_id, "--as-of", "2026-11-03")
    assert markdown.code == 0, markdown.err
    text = markdown.out
    assert ("Diversion coordinator\nHartford Police Department\n40 Depot Street\n"
            "White River Junction, VT 05001\n") in text
    assert f"Re: our referral {referral_id}, Ana Rivera, docket 26-CR-7" in text
    assert "We received it on Monday, November 2, 2026" in text
    assert "What happens next: a coordinator will review it" in text
    assert "12 Elm Street" not in text and "802-555-0111" not in text  # no participant's contact details
    html = rjc("letter", "referral-acknowledgement", referral_id, "--format", "html", "--as-of", "2026-11-03")
    assert "40 Depot Street<br />\nWhite River Junction, VT 05001" in html.out
    out = tmp_path / "letters"
    pdf = rjc("letter", "referral-acknowledgement", referral_id, "--format", "pdf", "--out", out,
              "--as-of", "2026-11-03")
    assert pdf.code == 0, pdf.err
    reader = PdfReader(io.BytesIO((out / f"{referral_id}-referral-acknowledgement.pdf").read_bytes()))
    printed = "\n".join(page.extract_text() for page in reader.pages)
    assert "Hartford Police Department\n40 Depot Street\nWhite River Junction, VT 05001" in printed
    assert "12 Elm Street" not in printed


def test_referral_acknowledgement_needs_the_agency_on_file(orgs, rjc):
    referral_id, _ = _referral(rjc, "--agency", "Windsor County Sheriff")
    refused = rjc("letter", "referral-acknowledgement", referral_id)
    assert refused.code == 1
    assert refused.err == (f"Error: {referral_id} names no agency on file, so there is no address to write to; "
                           f"link it with: rjc org link-agencies (or rjc edit {referral_id}: agency_org: O-...), "
                           "or use --draft\n")
    wrong = rjc("letter", "referral-acknowledgement", "C-2026-KB-0001")
    assert wrong.err == ("Error: the referral-acknowledgement letter is about a referral (an id like R-2026-KB-0007), "
                         "and C-2026-KB-0001 is a case\n")
