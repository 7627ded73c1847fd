"""rjc.checks: every rule, each asserted by the exact problem it reports.

The tiny repository below is clean; each test rewrites one file to break one rule. Record
texts are written exactly as rjc writes them (see helpers.put), so a position in a test's
text is the position in the file: line 1 is the modeline.
"""

from __future__ import annotations

import pytest

from rjc import checks
from rjc.storage import layout
from rjc.storage.errors import Problem

from helpers import dedent, put, settings_text

CASE = "cases/2026/KB/C-2026-KB-0001.yaml"
REFERRAL = "referrals/2026/KB/R-2026-KB-0001.yaml"
PANEL = "panels/2026/KB/PN-2026-KB-0001.yaml"
PANEL_2 = "panels/2026/KB/PN-2026-KB-0002.yaml"


def person(root, record_id: str, name: str) -> str:
    return put(root, f"""\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: {record_id}
        schema_version: 3
        given_name: {name}
        """)


def volunteer(root, record_id: str, person_id: str, *, active: str = "true", expires: str = "2027-10-01",
              conflicts: str = "") -> str:
    return put(root, dedent(f"""\
        # yaml-language-server: $schema=../../../schemas/volunteer.schema.json
        id: {record_id}
        schema_version: 3
        person: {person_id}
        active: {active}
        trainings:
        - name: panel basics
          date: 2025-10-01
        background_checks:
        - date: 2025-10-01
          expires: {expires}
        """) + dedent(conflicts))


REFERRAL_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/referral.schema.json
    id: R-2026-KB-0001
    schema_version: 3
    received: 2026-01-02
    program: restorative-panel
    source: court
    offense_date: 2025-12-20
    people:
    - person: P-2026-KB-0001
      role: responsible-party
    - person: P-2026-KB-0002
      role: victim
    screening:
      decision: accepted
      date: 2026-01-03
      by: KB
      case: C-2026-KB-0001
    """

CASE_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/case.schema.json
    id: C-2026-KB-0001
    schema_version: 3
    program: restorative-panel
    referral: R-2026-KB-0001
    coordinator: KB
    opened: 2026-01-05
    participants:
    - person: P-2026-KB-0001
      role: responsible-party
    - person: P-2026-KB-0002
      role: victim
      participation: attend
    status_history:
    - status: intake
      date: 2026-01-05
      by: KB
    - status: panel-scheduled
      date: 2026-01-20
      by: MR
    """

PANEL_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/panel.schema.json
    id: PN-2026-KB-0001
    schema_version: 3
    program: restorative-panel
    date: 2026-02-10
    start: '18:00'
    end: '19:30'
    status: scheduled
    docket:
    - case: C-2026-KB-0001
      purpose: agreement
    seats:
    - volunteer: V-2026-KB-0001
    - volunteer: V-2026-KB-0002
    - volunteer: V-2026-KB-0003
    """


@pytest.fixture
def root(tmp_path):
    """A clean records repository on disk (no git needed for checking)."""
    (tmp_path / layout.SETTINGS_FILE).write_text(settings_text(), encoding="utf-8")
    for number, name in enumerate(["Ana", "Ben", "Cy", "Di", "Ed"], start=1):
        person(tmp_path, f"P-2026-KB-{number:04d}", name)
    for number in (1, 2, 3):
        volunteer(tmp_path, f"V-2026-KB-{number:04d}", f"P-2026-KB-{number + 2:04d}")
    put(tmp_path, REFERRAL_TEXT)
    put(tmp_path, CASE_TEXT)
    put(tmp_path, PANEL_TEXT)
    return tmp_path


def test_a_clean_repository_has_no_problems(root):
    assert checks.check_repository(root) == []


def test_an_empty_repository_has_no_problems(tmp_path):
    (tmp_path / layout.SETTINGS_FILE).write_text(settings_text(), encoding="utf-8")
    assert checks.check_repository(tmp_path) == []


# --- ids and paths ------------------------------------------------------------------------


def test_id_must_match_the_file_name(root):
    put(root, """\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0009
        schema_version: 3
        given_name: Flo
        """, relpath="people/2026/KB/P-2026-KB-0008.yaml")
    assert checks.check_repository(root) == [
        Problem("people/2026/KB/P-2026-KB-0008.yaml", 2, 5, "id-matches-path",
                "id does not match the file name (expected 'P-2026-KB-0008')"),
    ]


def test_a_record_in_the_wrong_code_directory(root):
    put(root, """\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0006
        schema_version: 3
        given_name: Flo
        """, relpath="people/2026/MR/P-2026-KB-0006.yaml")
    assert checks.check_repository(root) == [
        Problem("people/2026/MR/P-2026-KB-0006.yaml", 2, 5, "id-matches-path",
                "file is not where a record lives (kind/year/code/ID.yaml)"),
    ]


@pytest.mark.parametrize("relpath", [
    "people/P-2026-KB-0006.yaml", "people/2026/P-2026-KB-0006.yaml", "people/2026/KB/old/P-2026-KB-0006.yaml",
    "people/2026/KB/P-2026-KB-0006.yml",
])
def test_a_yaml_file_outside_the_layout(root, relpath):
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("id: P-2026-KB-0006\nschema_version: 3\ngiven_name: Flo\n")
    assert checks.check_repository(root) == [
        Problem(relpath, 0, 0, "id-matches-path", "file is not where a record lives (kind/year/code/ID.yaml)"),
    ]


def test_ids_are_unique(root):
    put(root, """\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        """, relpath="people/2026/MR/P-2026-KB-0001.yaml")
    assert checks.check_repository(root) == [
        Problem("people/2026/MR/P-2026-KB-0001.yaml", 2, 5, "id-matches-path",
                "file is not where a record lives (kind/year/code/ID.yaml)"),
        Problem("people/2026/MR/P-2026-KB-0001.yaml", 2, 5, "id-unique",
                "P-2026-KB-0001 is also in people/2026/KB/P-2026-KB-0001.yaml"),
    ]


def test_symlinked_record_file(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "P-2026-KB-0007.yaml"
    outside.write_text("id: P-2026-KB-0007\nschema_version: 3\ngiven_name: Gil\n")
    (root / "people/2026/KB/P-2026-KB-0007.yaml").symlink_to(outside)
    assert checks.check_repository(root) == [
        Problem("people/2026/KB/P-2026-KB-0007.yaml", 0, 0, "symlink",
                "symbolic links are not allowed in the records tree"),
    ]


def test_symlinked_directory_inside_the_records_tree(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (root / "people/2026/MR").symlink_to(outside, target_is_directory=True)
    assert checks.check_repository(root) == [
        Problem("people/2026/MR", 0, 0, "symlink", "symbolic links are not allowed in the records tree"),
    ]


def test_symlinked_kind_directory(root, tmp_path_factory):
    # the whole `volunteers` directory pointing elsewhere is a symlink in the records tree too
    outside = tmp_path_factory.mktemp("outside")
    (root / "volunteers").rename(outside / "volunteers")
    (root / "volunteers").symlink_to(outside / "volunteers", target_is_directory=True)
    assert Problem("volunteers", 0, 0, "symlink", "symbolic links are not allowed in the records tree") \
        in checks.check_repository(root)


def test_a_file_that_does_not_parse_is_reported_with_its_position(root):
    (root / CASE).write_text("id: C-2026-KB-0001\nid: C-2026-KB-0001\n")
    problems = checks.check_repository(root)
    assert Problem(CASE, 2, 1, "duplicate-key", "duplicate key 'id' (first at line 1)") in problems


def test_invalid_settings_are_reported(root):
    (root / layout.SETTINGS_FILE).write_text(settings_text().replace("code: MR", "code: mr"))
    problems = checks.check_repository(root)
    assert problems[0].path == layout.SETTINGS_FILE and problems[0].rule == "invalid-value"


# --- references and coordinators -----------------------------------------------------------


def test_reference_to_a_missing_person(root):
    put(root, CASE_TEXT.replace("- person: P-2026-KB-0002", "- person: P-2026-KB-0009"))
    assert checks.check_repository(root) == [
        Problem(CASE, 11, 11, "reference-exists", "P-2026-KB-0009 does not exist"),
    ]


def test_references_from_every_kind(root):
    put(root, REFERRAL_TEXT.replace("case: C-2026-KB-0001", "case: C-2026-KB-0099"))
    put(root, PANEL_TEXT.replace("- volunteer: V-2026-KB-0003", "- volunteer: V-2026-KB-0099"))
    volunteer(root, "V-2026-KB-0004", "P-2026-KB-0098")
    assert checks.check_repository(root) == [
        Problem(PANEL, 15, 14, "reference-exists", "V-2026-KB-0099 does not exist"),
        Problem(REFERRAL, 17, 9, "reference-exists", "C-2026-KB-0099 does not exist"),
        Problem("volunteers/2026/KB/V-2026-KB-0004.yaml", 4, 9, "reference-exists",
                "P-2026-KB-0098 does not exist"),
    ]


def test_a_reference_to_a_record_of_the_wrong_kind_is_refused_by_the_model(root):
    (root / CASE).write_text((root / CASE).read_text().replace("referral: R-2026-KB-0001", "referral: C-2026-KB-0001"))
    assert [p for p in checks.check_repository(root) if p.path == CASE] == [
        Problem(CASE, 5, 11, "invalid-value", "referral: not a referral id (ids look like R-2026-KB-0001)"),
    ]


def test_coordinator_must_be_listed_in_settings(root):
    put(root, CASE_TEXT.replace("  by: MR", "  by: ZZ"))
    assert checks.check_repository(root) == [
        Problem(CASE, 20, 7, "coordinator-known", "coordinator 'ZZ' is not listed in rjc.yaml"),
    ]


# --- dates ---------------------------------------------------------------------------------


def test_agreement_due_before_it_was_signed(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        agreements:
        - signed: 2026-02-10
          due: 2026-02-01
        """))
    assert checks.check_repository(root) == [
        Problem(CASE, 23, 8, "dates-in-order", "agreement due 2026-02-01 before it was signed 2026-02-10"),
    ]


def test_referral_received_before_the_offense(root):
    put(root, REFERRAL_TEXT.replace("offense_date: 2025-12-20", "offense_date: 2026-01-10"))
    assert checks.check_repository(root) == [
        Problem(REFERRAL, 4, 11, "dates-in-order", "received 2026-01-02 is before the offense date 2026-01-10"),
    ]


def test_case_opened_before_its_referral_was_received(root):
    put(root, CASE_TEXT.replace("opened: 2026-01-05", "opened: 2026-01-01").replace(
        "  date: 2026-01-05", "  date: 2026-01-01"))
    assert checks.check_repository(root) == [
        Problem(CASE, 7, 9, "dates-in-order", "opened 2026-01-01 is before R-2026-KB-0001 was received 2026-01-02"),
    ]


def test_status_dates_go_forward(root):
    put(root, CASE_TEXT.replace("  date: 2026-01-20", "  date: 2026-01-04"))
    assert checks.check_repository(root) == [
        Problem(CASE, 19, 9, "dates-in-order", "status date 2026-01-04 is before the one it follows (2026-01-05)"),
    ]


def test_panel_ends_before_it_starts(root):
    put(root, PANEL_TEXT.replace("end: '19:30'", "end: '17:30'"))
    assert checks.check_repository(root) == [
        Problem(PANEL, 7, 6, "dates-in-order", "panel ends (17:30) before it starts (18:00)"),
    ]


# --- status history and closure ------------------------------------------------------------


def test_transition_not_allowed_for_the_program(root):
    put(root, CASE_TEXT.replace("- status: panel-scheduled", "- status: in-circle"))
    assert checks.check_repository(root) == [
        Problem(CASE, 18, 11, "status-history", "restorative-panel cases cannot go from intake to in-circle"),
    ]


def test_first_status_is_referred_or_intake(root):
    put(root, CASE_TEXT.replace("- status: intake", "- status: victim-contacted"))
    assert checks.check_repository(root) == [
        Problem(CASE, 15, 11, "status-history", "a case starts as referred or intake, not victim-contacted"),
    ]


def test_closed_without_a_closure(root):
    put(root, CASE_TEXT.replace("- status: panel-scheduled", "- status: closed"))
    assert checks.check_repository(root) == [
        Problem(CASE, 18, 11, "closure-reason", "a closed case needs a closure with a reason"),
    ]


def test_closure_on_an_open_case(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        closure:
          date: 2026-02-01
          reason: withdrawn
          by: KB
        """))
    assert checks.check_repository(root) == [
        Problem(CASE, 22, 3, "closure-reason", "case has a closure but its status is panel-scheduled"),
    ]


def test_a_closed_case_may_be_reopened_to_intake(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        - status: closed
          date: 2026-02-01
          by: KB
        - status: intake
          date: 2026-02-05
          by: KB
        """))
    assert checks.check_repository(root) == []


# --- participants, restitution -------------------------------------------------------------


def test_participation_is_for_victims_only(root):
    put(root, CASE_TEXT.replace("""\
    - person: P-2026-KB-0001
      role: responsible-party
""", """\
    - person: P-2026-KB-0001
      role: responsible-party
      participation: attend
"""))
    assert checks.check_repository(root) == [
        Problem(CASE, 9, 3, "victim-participation",
                "participation and notification are for victims; P-2026-KB-0001 is responsible-party"),
    ]


def test_restitution_overpaid_is_a_warning(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        agreements:
        - signed: 2026-02-10
          due: 2026-05-10
          items:
          - type: restitution
            status: in-progress
            amount: 100.00
            payments:
            - id: i8s4udp5xm
              date: 2026-02-15
              amount: 60.00
            - id: ugr3mkegbg
              date: 2026-03-15
              amount: 50.00
        """))
    assert checks.check_repository(root) == [
        Problem(CASE, 29, 5, "restitution-overpaid", "payments 110.00 exceed the amount owed 100.00", "warning"),
    ]


def test_an_entry_id_used_twice_in_a_record_is_an_error(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        agreements:
        - signed: 2026-02-10
          due: 2026-05-10
          items:
          - type: restitution
            status: in-progress
            amount: 100.00
            payments:
            - id: i8s4udp5xm
              date: 2026-02-15
              amount: 40.00
            - id: i8s4udp5xm
              date: 2026-03-15
              amount: 50.00
        """))
    assert checks.check_repository(root) == [
        Problem(CASE, 32, 11, "entry-id-unique", "entry id i8s4udp5xm is used twice in this record; in `rjc edit`, "
                "delete this entry's id line and rjc gives it a new one"),
    ]


def test_restitution_paid_in_full_is_fine(root):
    put(root, dedent(CASE_TEXT) + dedent("""\
        agreements:
        - signed: 2026-02-10
          due: 2026-05-10
          items:
          - type: restitution
            status: completed
            amount: 100.00
            payments:
            - id: cywpsq8b9k
              date: 2026-02-15
              amount: 100.00
        """))
    assert checks.check_repository(root) == []


# --- panel seats ---------------------------------------------------------------------------


def test_panel_with_two_seats(root):
    put(root, PANEL_TEXT.replace("- volunteer: V-2026-KB-0003\n", ""))
    assert checks.check_repository(root) == [
        Problem(PANEL, 13, 1, "panel-seats", "a restorative-panel panel seats 3-6 volunteers, not 2"),
    ]


def test_a_cancelled_panel_needs_no_seats(root):
    put(root, PANEL_TEXT.replace("status: scheduled", "status: cancelled").replace(
        "- volunteer: V-2026-KB-0003\n", ""))
    assert checks.check_repository(root) == []


def test_inactive_volunteer_on_a_scheduled_panel(root):
    volunteer(root, "V-2026-KB-0002", "P-2026-KB-0004", active="false")
    assert checks.check_repository(root) == [
        Problem(PANEL, 14, 14, "panel-seats", "V-2026-KB-0002 is not active"),
    ]


def test_background_check_expired_before_the_panel(root):
    volunteer(root, "V-2026-KB-0003", "P-2026-KB-0005", expires="2026-02-09")
    assert checks.check_repository(root) == [
        Problem(PANEL, 15, 14, "panel-seats", "V-2026-KB-0003 has no background check current on 2026-02-10"),
    ]


def test_volunteer_with_a_declared_conflict_with_a_participant(root):
    volunteer(root, "V-2026-KB-0001", "P-2026-KB-0003", conflicts="""\
        conflicts:
        - P-2026-KB-0002
        """)
    assert checks.check_repository(root) == [
        Problem(PANEL, 13, 14, "panel-seats", "V-2026-KB-0001 has a declared conflict with P-2026-KB-0002"),
    ]


def test_volunteer_seated_twice_on_one_panel(root):
    put(root, PANEL_TEXT.replace("- volunteer: V-2026-KB-0003", "- volunteer: V-2026-KB-0001"))
    assert checks.check_repository(root) == [
        Problem(PANEL, 15, 14, "panel-seats", "V-2026-KB-0001 is seated twice"),
    ]


def _second_panel(root, start: str, end: str) -> str:
    return put(root, f"""\
        # yaml-language-server: $schema=../../../schemas/panel.schema.json
        id: PN-2026-KB-0002
        schema_version: 3
        program: restorative-panel
        date: 2026-02-10
        start: '{start}'
        end: '{end}'
        status: scheduled
        seats:
        - volunteer: V-2026-KB-0003
        - volunteer: V-2026-KB-0004
        - volunteer: V-2026-KB-0005
        """)


def test_same_volunteer_on_two_overlapping_panels(root):
    person(root, "P-2026-KB-0006", "Flo")
    person(root, "P-2026-KB-0007", "Gil")
    volunteer(root, "V-2026-KB-0004", "P-2026-KB-0006")
    volunteer(root, "V-2026-KB-0005", "P-2026-KB-0007")
    _second_panel(root, "19:00", "20:30")
    assert checks.check_repository(root) == [
        Problem(PANEL_2, 10, 14, "volunteer-double-booked",
                "V-2026-KB-0003 is already seated on PN-2026-KB-0001 at an overlapping time"),
    ]


def test_back_to_back_panels_do_not_overlap(root):
    person(root, "P-2026-KB-0006", "Flo")
    person(root, "P-2026-KB-0007", "Gil")
    volunteer(root, "V-2026-KB-0004", "P-2026-KB-0006")
    volunteer(root, "V-2026-KB-0005", "P-2026-KB-0007")
    _second_panel(root, "19:30", "21:00")
    assert checks.check_repository(root) == []


# --- reporting -----------------------------------------------------------------------------


def test_every_problem_is_reported_sorted_by_file_and_position(root):
    put(root, REFERRAL_TEXT.replace("offense_date: 2025-12-20", "offense_date: 2026-01-10"))
    put(root, CASE_TEXT.replace("  by: MR", "  by: ZZ").replace("- person: P-2026-KB-0002", "- person: P-2026-KB-0009"))
    problems = checks.check_repository(root)
    assert [(p.path, p.line, p.col, p.rule) for p in problems] == [
        (CASE, 11, 11, "reference-exists"),
        (CASE, 20, 7, "coordinator-known"),
        (REFERRAL, 4, 11, "dates-in-order"),
    ]
    assert str(problems[0]) == f"{CASE}:11:11: error: P-2026-KB-0009 does not exist [reference-exists]"


def test_an_invalid_record_is_reported_once_not_as_missing_everywhere(root):
    # the case file exists but does not validate: the referral and the panel naming it are fine
    (root / CASE).write_text("id: C-2026-KB-0001\nschema_version: 3\n")
    problems = checks.check_repository(root)
    assert {(p.path, p.rule) for p in problems} == {(CASE, "missing-field")}


def test_a_case_and_its_referral_must_name_each_other(root):
    # A second case claims the referral that was accepted as C-2026-KB-0001.
    put(root, CASE_TEXT.replace("id: C-2026-KB-0001", "id: C-2026-KB-0002"))
    problems = [p for p in checks.check_repository(root) if p.rule == "referral-link"]
    assert problems == [Problem("cases/2026/KB/C-2026-KB-0002.yaml", 5, 11, "referral-link",
                                "R-2026-KB-0001 was accepted as C-2026-KB-0001, not C-2026-KB-0002")]
