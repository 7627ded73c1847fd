"""rjc.model.sealing: what sealing leaves of a record keeps what the reports count, and no text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from rjc.model import SCHEMA_VERSION, Case, Person, Settings, report_facts
from rjc.model.sealing import Sealed, SealRegister, seal_due, tombstone
from rjc.model.surveys import countable
from rjc.storage import layout, store

from helpers import dedent, git, sealing_key

SAMPLE = Path(__file__).resolve().parents[1] / "records"
REFERRAL = dedent("""\
    # yaml-language-server: $schema=../../../schemas/referral.schema.json
    id: R-2026-DW-0001
    schema_version: 3
    received: 2026-01-27
    program: pre-charge-diversion
    source: states-attorney
    agency: Windsor County State's Attorney
    contact:
      name: Wendy Thibodeau
      phone: 802-555-0187
      email: wthibodeau@agency.example.org
    docket: SA-26-0485
    offense_date: 2025-12-14
    charges:
    - Unlawful trespass
    harm: Entered a closed summer camp and stayed overnight
    town: Woodstock
    people:
    - person: P-2026-DW-0006
      role: responsible-party
    screening:
      decision: accepted
      date: 2026-01-31
      by: DW
      reason: Eligible; first offense
      case: C-2026-DW-0001
    note: Called the camp owner
    """)


def _record(text: str, relpath: str):
    loaded = store.parse_record(relpath, text)
    assert loaded.problems == []
    return loaded.record


def test_a_referral_keeps_its_ids_dates_program_and_source_and_loses_every_text():
    relpath = layout.parse_id("R-2026-DW-0001").path
    sealed = store.render(tombstone(_record(REFERRAL, relpath)))
    assert sealed == dedent("""\
        # yaml-language-server: $schema=../../../schemas/referral.schema.json
        id: R-2026-DW-0001
        schema_version: 3
        received: 2026-01-27
        program: pre-charge-diversion
        source: states-attorney
        agency: (sealed)
        offense_date: 2025-12-14
        people:
        - person: P-2026-DW-0006
          role: responsible-party
        screening:
          decision: accepted
          date: 2026-01-31
          by: DW
          case: C-2026-DW-0001
        """)
    # the agency on file is kept (its name is not personal data, and the reports count by it)
    linked = REFERRAL.replace("agency: Windsor County State's Attorney", "agency_org: O-2026-DW-0001")
    assert "agency_org: O-2026-DW-0001\n" in store.render(tombstone(_record(linked, relpath)))


def _sample(kind: str):
    for path in sorted(SAMPLE.glob(f"{layout.KINDS[kind].directory}/*/*/*.yaml")):
        loaded = store.read_record(SAMPLE, path.relative_to(SAMPLE).as_posix())
        assert loaded.record is not None, loaded.problems
        yield loaded.record


@pytest.mark.parametrize("kind", ["case", "referral"])
def test_every_sample_record_keeps_exactly_what_the_reports_count(kind):
    records = list(_sample(kind))
    assert len(records) > 20
    for record in records:
        sealed = tombstone(record)
        assert report_facts.project(sealed) == report_facts.project(record), record.id
        assert store.parse_record(layout.parse_id(record.id).path, store.render(sealed)).problems == []


def test_no_text_of_a_sample_case_survives_but_hosts_payees_and_closure_reasons():
    kept = {"(sealed)", "completed-successfully", "completed-partially", "returned-non-compliance",
            "returned-new-offense", "declined", "no-contact", "withdrawn", "ineligible", "transferred",
            "restitution", "community-service", "apology-letter", "education", "assessment", "other"}  # item types
    for record in _sample("case"):
        texts = set(_texts(record.to_data()))
        sealed = set(_texts(tombstone(record).to_data()))
        hosts = {record.internship.host} if record.internship else set()
        payees = {i.payee for a in record.agreements for i in a.items if getattr(i, "payee", None)}
        counted = {a for s in record.surveys for a in s.answers.values() if countable(a)}  # '4', 'yes', an option
        assert sealed - texts <= {"(sealed)"}
        assert sealed <= kept | hosts | payees | counted | _codes(record), (record.id, sealed - kept - hosts - payees)


def test_a_survey_keeps_only_the_answers_a_report_counts():
    case = next(c for c in _sample("case") if c.surveys)
    survey = case.surveys[0].model_copy(update={"answers": {
        **case.surveys[0].answers, "comments": "The panel in Hartford helped; thanks to Jo"}})
    sealed = tombstone(case.model_copy(update={"surveys": [survey]}))
    assert sealed.surveys[0].answers == case.surveys[0].answers  # the counted ones, without the free text
    assert "comments" not in sealed.surveys[0].answers


def _texts(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str) and not hasattr(value, "value"):  # enum members are codes, not text
        yield value


CODE = re.compile(r"(P|R|C|PN|V)-[0-9]{4}-[A-Z][A-Z0-9]{0,3}-[0-9]{4,6}|[A-Z][A-Z0-9]{0,3}|[a-z][a-z2-9]{9}")


def _codes(record) -> set[str]:
    """Record ids, coordinator codes and entry ids: what a record refers to things by."""
    return {t for t in _texts(record.to_data()) if CODE.fullmatch(t)}


def test_a_person_keeps_only_their_self_described_demographics():
    relpath = layout.parse_id("P-2026-KB-0001").path
    person = _record(dedent("""\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        family_name: Rivera
        date_of_birth: 1990-04-02
        address:
          street: 12 Elm St
          town: Barre
        phone: 802-555-0101
        demographics:
          gender: woman
          age_group: 25-59
        note: Prefers mornings
        """), relpath)
    assert store.render(tombstone(person)) == dedent("""\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0001
        schema_version: 3
        given_name: (sealed)
        demographics:
          gender: woman
          age_group: 25-59
        """)


# --- when a case is due -------------------------------------------------------------------------


def closed_case(case_id: str, program: str, closed: str, reason: str = "completed-successfully") -> Case:
    return Case(id=case_id, schema_version=SCHEMA_VERSION, program=program, coordinator="KB", opened="2023-01-05",
                participants=[{"person": "P-2023-KB-0001", "role": "responsible-party"}],
                status_history=[{"status": "intake", "date": "2023-01-05", "by": "KB"},
                                {"status": "closed", "date": closed, "by": "KB"}],
                closure={"date": closed, "reason": reason, "by": "KB"})


def test_a_successful_pre_charge_diversion_is_due_two_years_after_it_closed():
    settings = Settings(schema_version=SCHEMA_VERSION, center={"name": "C"}, coordinators=[{"code": "KB", "name": "K"}])
    assert seal_due(closed_case("C-2023-KB-0001", "pre-charge-diversion", "2024-02-29"), settings) == (
        "C-2023-KB-0001", dt.date(2026, 2, 28), "pre-charge-diversion: 2 years after completed-successfully", "seal")
    assert seal_due(closed_case("C-2023-KB-0002", "pre-charge-diversion", "2024-03-01", "returned-new-offense"),
                    settings) is None
    assert seal_due(closed_case("C-2023-KB-0003", "restorative-panel", "2023-03-01"), settings) is None


@pytest.fixture
def due_repo(repo):
    """Cases of several programs and outcomes, closed on several days; one already sealed."""
    repo.save(Person(id="P-2023-KB-0001", schema_version=SCHEMA_VERSION, given_name="Ana"), "new person",
              command="test")
    for case in (closed_case("C-2023-KB-0001", "pre-charge-diversion", "2024-11-20"),
                 closed_case("C-2023-KB-0002", "pre-charge-diversion", "2024-12-01"),
                 closed_case("C-2023-KB-0003", "pre-charge-diversion", "2024-01-10", "returned-non-compliance"),
                 closed_case("C-2023-KB-0004", "restorative-panel", "2023-01-10"),
                 closed_case("C-2023-KB-0005", "pre-charge-diversion", "2024-06-30")):
        repo.save(case, "new case", command="test")
    register = SealRegister(schema_version=SCHEMA_VERSION, sealed=[Sealed(
        case="C-2023-KB-0005", date="2026-07-01", rule="pre-charge-diversion: 2 years after completed-successfully",
        by="KB", records=["C-2023-KB-0005"])])
    (repo.root / "sealed.yaml").write_text(store.render_seal_register(register), encoding="utf-8")
    repo.git.commit_paths(["sealed.yaml"], "seal C-2023-KB-0005", command="test", actor="KB",
                          identity=("Kim Bell", "kb@example.org"))
    return repo


def test_rjc_seal_due_lists_ids_dates_and_rules_only(due_repo, rjc):
    result = rjc("--records", due_repo.root, "seal", "--due", "--as-of", "2026-11-25")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "C-2023-KB-0001  seal due 2026-11-20  pre-charge-diversion: 2 years after completed-successfully"]
    later = rjc("--records", due_repo.root, "seal", "--due", "--as-of", "2026-12-07")
    assert later.out.splitlines()[1] == (
        "C-2023-KB-0002  seal due 2026-12-01  pre-charge-diversion: 2 years after completed-successfully")
    none = rjc("--records", due_repo.root, "seal", "--due", "--as-of", "2026-01-01")
    assert (none.code, none.out, none.err) == (0, "", "no case is due for sealing or deletion as of 2026-01-01\n")


def test_the_seal_register_is_a_file_rjc_check_accepts(due_repo, rjc):
    assert (due_repo.root / "sealed.yaml").read_text(encoding="utf-8") == dedent("""\
        schema_version: 3
        sealed:
        - case: C-2023-KB-0005
          date: 2026-07-01
          action: seal
          rule: 'pre-charge-diversion: 2 years after completed-successfully'
          by: KB
          records:
          - C-2023-KB-0005
        """)
    result = rjc("--records", due_repo.root, "check")
    assert result.code == 0, result


def test_rjc_remind_says_a_seal_is_due_by_id(due_repo, rjc):
    result = rjc("--records", due_repo.root, "remind", "--as-of", "2026-11-25")
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if "seal-due" in line]
    assert lines == ["2026-11-20  seal-due            C-2023-KB-0001: due for sealing since 2026-11-20 "
                     "(pre-charge-diversion: 2 years after completed-successfully); run: rjc seal --due  [to KB]"]


def test_rjc_seal_due_yes_seals_every_due_case_in_one_rewrite(due_repo, rjc, tmp_path):
    sealing_key(due_repo.root, tmp_path)
    commits = int(git(due_repo.root, "rev-list", "--count", "HEAD"))
    done = rjc("--records", due_repo.root, "seal", "--due", "--yes", "--as-of", "2026-12-07")
    assert done.code == 0, done
    assert done.out.splitlines()[0].startswith("sealed C-2023-KB-0001 C-2023-KB-0002: ")
    assert int(git(due_repo.root, "rev-list", "--count", "HEAD")) == commits + 1  # one register commit
    assert rjc("--records", due_repo.root, "seal", "--due", "--as-of", "2026-12-07").err == (
        "no case is due for sealing or deletion as of 2026-12-07\n")
