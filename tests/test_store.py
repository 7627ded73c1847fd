"""rjc.storage.store: files to models with located problems, models to canonical text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rjc.model import Case, Panel, Person, Referral, Settings, Volunteer
from rjc.storage import store
from rjc.storage.errors import Problem

from helpers import dedent, settings_text

PERSON = "people/2026/KB/P-2026-KB-0001.yaml"
REFERRAL = "referrals/2026/KB/R-2026-KB-0001.yaml"
CASE = "cases/2026/KB/C-2026-KB-0019.yaml"
PANEL = "panels/2026/KB/PN-2026-KB-0001.yaml"
VOLUNTEER = "volunteers/2026/KB/V-2026-KB-0001.yaml"


def parse(relpath, text):
    return store.parse_record(relpath, dedent(text))


# --- minimal valid records ----------------------------------------------------------------


def test_minimal_person():
    loaded = parse(PERSON, """\
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        """)
    assert loaded.problems == []
    assert isinstance(loaded.record, Person)
    assert loaded.record.display_name == "Ana"


def test_minimal_referral():
    loaded = parse(REFERRAL, """\
        id: R-2026-KB-0001
        schema_version: 3
        received: 2026-01-02
        program: restorative-panel
        source: court
        """)
    assert loaded.problems == []
    assert isinstance(loaded.record, Referral)
    assert loaded.record.received == dt.date(2026, 1, 2)
    assert loaded.record.screening.decision == "pending"


def test_minimal_case():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: mediation
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: referred
          date: 2026-01-05
          by: KB
        """)
    assert loaded.problems == []
    assert isinstance(loaded.record, Case)
    assert loaded.record.status == "referred"


def test_minimal_panel():
    loaded = parse(PANEL, """\
        id: PN-2026-KB-0001
        schema_version: 3
        date: 2026-02-10
        start: 18:00
        end: 19:30
        """)
    assert loaded.problems == []
    assert isinstance(loaded.record, Panel)
    assert (loaded.record.start, loaded.record.end) == (dt.time(18, 0), dt.time(19, 30))


def test_minimal_volunteer():
    loaded = parse(VOLUNTEER, """\
        id: V-2026-KB-0001
        schema_version: 3
        person: P-2026-KB-0003
        """)
    assert loaded.problems == []
    assert isinstance(loaded.record, Volunteer)
    assert loaded.record.active is True


def test_values_typed_as_text_stay_text_in_the_model():
    loaded = parse(PERSON, """\
        id: P-2026-KB-0001
        schema_version: 3
        given_name: 'NO'
        family_name: NO
        phone: 0123
        pronouns: yes
        """)
    assert loaded.problems == []
    person = loaded.record
    assert (person.given_name, person.family_name, person.phone, person.pronouns) == ("NO", "NO", "0123", "yes")


# --- shape problems, each at its key or value ---------------------------------------------


@pytest.mark.parametrize("relpath, text, line, col, message", [
    (PERSON, """\
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        famly_name: Ruiz
        """, 4, 1, "unknown field 'famly_name' (did you mean 'family_name'?)"),
    (REFERRAL, """\
        id: R-2026-KB-0001
        schema_version: 3
        received: 2026-01-02
        program: restorative-panel
        source: court
        screening:
          decison: accepted
        """, 7, 3, "unknown field 'decison' (did you mean 'decision'?)"),
    (CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panel
        coordinator: KB
        opened: 2026-01-05
        participants:
        - person: P-2026-KB-0001
          role: responsible-party
        - person: P-2026-KB-0002
          role: victim
          participaton: attend
        status_history:
        - status: intake
          date: 2026-01-05
          by: KB
        """, 11, 3, "unknown field 'participaton' (did you mean 'participation'?)"),
    (PANEL, """\
        id: PN-2026-KB-0001
        schema_version: 3
        date: 2026-02-10
        start: 18:00
        end: 19:30
        seats:
        - volunteer: V-2026-KB-0001
          atended: true
        """, 8, 3, "unknown field 'atended' (did you mean 'attended'?)"),
    (VOLUNTEER, """\
        id: V-2026-KB-0001
        schema_version: 3
        person: P-2026-KB-0003
        background_checks:
        - date: 2025-10-01
          expiry: 2027-10-01
        """, 6, 3, "unknown field 'expiry' (did you mean 'expires'?)"),
])
def test_typo_is_an_unknown_field_at_the_key_with_a_suggestion(relpath, text, line, col, message):
    loaded = parse(relpath, text)
    assert loaded.record is None
    assert Problem(relpath, line, col, "unknown-field", message) in loaded.problems


def test_unknown_field_without_a_close_name_has_no_suggestion():
    loaded = parse(PERSON, """\
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        shoe_size: 9
        """)
    assert loaded.problems == [Problem(PERSON, 4, 1, "unknown-field", "unknown field 'shoe_size'")]


def test_wrong_choice_is_reported_at_the_value():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panl
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: intak
          date: 2026-01-05
          by: KB
        """)
    assert loaded.problems == [
        Problem(CASE, 3, 10, "invalid-choice",
                "program: input should be 'restorative-panel', 'reentry-panel', 'pre-charge-diversion', "
                "'victim-support', 'offender-reentry', 'cosa', 'star', 'mediation' or "
                "'family-group-conferencing'"),
        Problem(CASE, 7, 11, "invalid-choice",
                "status_history[0].status: input should be 'referred', 'intake', 'victim-contacted', "
                "'panel-scheduled', 'in-circle', 'in-mediation', 'conference-scheduled', 'in-services', "
                "'in-internship', 'agreement-signed', 'monitoring' or 'closed'"),
    ]


def test_wrong_item_type_is_an_invalid_choice_at_the_item():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panel
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: intake
          date: 2026-01-05
          by: KB
        agreements:
        - signed: 2026-02-01
          due: 2026-05-01
          items:
          - type: comunity-service
            hours_required: 10
        """)
    assert [(p.line, p.col, p.rule) for p in loaded.problems] == [(14, 5, "invalid-choice")]
    assert loaded.problems[0].message.startswith(
        "agreements[0].items[0]: type must be one of: apology-letter, restitution, community-service, ")
    assert "comunity-service" not in loaded.problems[0].message  # what was typed is not echoed


def test_missing_top_level_field():
    loaded = parse(PERSON, """\
        id: P-2026-KB-0001
        schema_version: 3
        family_name: Ruiz
        """)
    assert loaded.problems == [Problem(PERSON, 1, 1, "missing-field", "missing required field 'given_name'")]


def test_missing_nested_field_points_at_its_mapping():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panel
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: intake
          date: 2026-01-05
        agreements:
        - signed: 2026-02-01
          due: 2026-05-01
          items:
          - type: restitution
            payee: Town of Barre
        """)
    assert loaded.problems == [
        Problem(CASE, 7, 3, "missing-field", "missing required field 'status_history[0].by'"),
        Problem(CASE, 13, 5, "missing-field", "missing required field 'agreements[0].items[0].amount'"),
    ]


def test_invalid_nested_value_points_at_that_value():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panel
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: intake
          date: 2026-01-05
          by: KB
        agreements:
        - signed: 2026-02-01
          due: 2026-05-01
          items:
          - type: apology-letter
          - type: restitution
            amount: 12.345
        """)
    assert loaded.problems == [
        Problem(CASE, 16, 13, "invalid-value", "agreements[0].items[1].amount: an amount has at most two decimal places"),
    ]


def test_every_problem_is_reported_at_once():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 4
        program: restorative-panel
        coordinator: kb
        opened: 2026-13-05
        status_history:
        - status: intake
          date: 2026-01-05
          by: KB
        contacts:
        - id: e5rp7mevs5
          date: 2026-01-06
          kind: phone
          by: KB
          with: [P-1]
        sessions:
        - id: mq4ch6m8ug
          date: 2026-01-07
          minutes: -5
        """)
    assert loaded.record is None
    assert [(p.line, p.col, p.rule) for p in loaded.problems] == [
        (2, 17, "invalid-value"), (4, 14, "invalid-value"), (5, 9, "invalid-value"),
        (15, 10, "invalid-value"), (19, 12, "invalid-value"),
    ]
    assert loaded.problems[0].message == "schema_version: written by a newer rjc (format 4); upgrade rjc to read it"
    assert loaded.problems[1].message == "coordinator: not a coordinator code (1-4 capitals/digits, like KB)"
    assert loaded.problems[3].message == "contacts[0].with[0]: not a person id (ids look like P-2026-KB-0001)"


def test_an_old_format_asks_for_migrate():
    loaded = parse(PERSON, "id: P-2026-KB-0001\nschema_version: 0\ngiven_name: Ana\n")
    assert loaded.problems == [Problem(PERSON, 2, 17, "invalid-value",
                                       "schema_version: format 0 is older than 3; run: rjc migrate")]


def test_yaml_problems_come_back_as_problems_not_exceptions():
    loaded = parse(PERSON, "id: P-2026-KB-0001\ngiven_name: Ana\ngiven_name: Bo\n")
    assert loaded.record is None
    assert loaded.problems == [Problem(PERSON, 3, 1, "duplicate-key", "duplicate key 'given_name' (first at line 2)")]


def test_a_file_outside_the_record_directories_is_not_a_record():
    loaded = store.parse_record("notes/2026/KB/P-2026-KB-0001.yaml", "id: P-2026-KB-0001\n")
    assert loaded.problems == [Problem("notes/2026/KB/P-2026-KB-0001.yaml", 0, 0, "id-matches-path",
                                       "not a record path")]


def test_an_unreadable_file_is_a_problem(tmp_path):
    loaded = store.read_record(tmp_path, PERSON)
    assert loaded.problems == [Problem(PERSON, 0, 0, "unreadable", "No such file or directory")]


def test_settings_problems_are_located(tmp_path):
    (tmp_path / "rjc.yaml").write_text(dedent("""\
        schema_version: 3
        center:
          name: Barre
        coordinators:
        - code: KB
          name: Kim
        - code: KB
          name: Kate
        reminders:
          panel_day: 3
        """))
    loaded = store.read_settings(tmp_path)
    assert [(p.line, p.col, p.rule) for p in loaded.problems] == [(5, 1, "invalid-value"), (10, 3, "unknown-field")]
    assert loaded.problems[1].message == "unknown field 'panel_day' (did you mean 'panel_days'?)"


# --- round trips: canonical text comes back byte for byte -----------------------------------


PERSON_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/person.schema.json
    id: P-2026-KB-0001
    schema_version: 3
    given_name: Zoë
    family_name: 'NO'
    preferred_name: Zo
    date_of_birth: 2001-04-30
    pronouns: she/her
    address:
      street: 12 Elm St
      town: Barre
      state: VT
      postal_code: '05641'
    phone: 0123 555 0101
    email: zoe@example.org
    contact_notes: |
      Evenings only.
      Leave no voicemail.
    demographics:
      race:
      - white
      veteran: false
      primary_language: French
    """

REFERRAL_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/referral.schema.json
    id: R-2026-KB-0001
    schema_version: 3
    received: 2026-01-02
    program: pre-charge-diversion
    source: states-attorney
    agency: Washington County SA
    contact:
      name: Pat Doe
      phone: 802-555-0199
    docket: 123-4-26 Wncr
    offense_date: 2025-12-20
    charges:
    - retail theft
    - 'yes'
    harm: took a bicycle
    town: Barre
    people:
    - person: P-2026-KB-0001
      role: responsible-party
    - person: P-2026-KB-0002
      role: victim
    screening:
      decision: accepted
      date: 2026-01-03
      by: KB
      case: C-2026-KB-0019
    """

CASE_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/case.schema.json
    id: C-2026-KB-0019
    schema_version: 3
    program: cosa
    referral: R-2026-KB-0001
    coordinator: KB
    opened: 2026-01-05
    participants:
    - person: P-2026-KB-0001
      role: core-member
    - person: P-2026-KB-0002
      role: victim
      participation: written-statement-shared
      notified: 2026-01-08
    status_history:
    - status: intake
      date: 2026-01-05
      by: KB
    - status: in-circle
      date: 2026-01-20
      by: MR
      note: circle formed
    - status: closed
      date: 2026-06-30
      by: KB
    contacts:
    - id: pjyzbi2pr2
      date: 2026-01-06
      kind: phone
      by: KB
      with:
      - P-2026-KB-0002
      note: 'NO'
    agreements:
    - signed: 2026-02-01
      due: 2026-05-01
      midterm_review: 2026-03-15
      items:
      - type: apology-letter
        status: completed
        victim: P-2026-KB-0002
        completed: 2026-02-20
      - type: restitution
        status: in-progress
        amount: 250.00
        payee: Town of Barre
        payments:
        - id: np92vnsszp
          date: 2026-02-15
          amount: 100.00
        - id: ethjbwzubs
          date: 2026-03-15
          amount: 50.50
          note: money order
      - type: community-service
        status: in-progress
        hours_required: 10
        logged:
        - id: ugqdfbka2s
          date: 2026-02-20
          hours: 2.5
          place: food shelf
        - id: fphuxsg8uj
          date: 2026-02-27
          hours: 4
    services:
    - id: ypzijwkhdt
      date: 2026-01-10
      service: housing referral
      person: P-2026-KB-0001
      by: MR
      to: Capstone
    goals:
    - goal: keep a job
      status: met
      target: 2026-06-01
    circle:
      phase: phase-1
      started: 2026-01-20
      roster:
      - volunteer: V-2026-KB-0001
        role: anchor
        joined: 2026-01-20
      - volunteer: V-2026-KB-0002
        role: member
        joined: 2026-01-20
        left: 2026-03-01
      meetings:
      - id: mctgfhkb9t
        date: 2026-01-27
        attended:
        - V-2026-KB-0001
        - V-2026-KB-0002
        core_member_attended: false
        hours: 1.5
    internship:
      host: Barre Bakery
      grant: STAR-2026
      start: 2026-02-01
      end: 2026-04-30
      hours:
      - id: s2b9pzuxny
        date: 2026-02-02
        hours: 4
      skills:
      - baking
      references:
      - owner
    sessions:
    - id: tbqprig3ch
      date: 2026-02-10
      minutes: 90
      attended:
      - P-2026-KB-0001
      note: |
        First session.
        Went well.
    resolution: partial
    diversion:
      return_by: 2026-07-01
    related_cases:
    - C-2025-MR-0003
    closure:
      date: 2026-06-30
      reason: completed-successfully
      by: KB
      referrer_notified: 2026-07-02
    note: '12:30'
    """

PANEL_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/panel.schema.json
    id: PN-2026-KB-0001
    schema_version: 3
    program: reentry-panel
    date: 2026-02-10
    start: '18:00'
    end: '19:30'
    place: Barre library
    video_link: https://meet.example.org/abc
    status: held
    docket:
    - case: C-2026-KB-0019
      purpose: agreement
      outcome: agreement-signed
      attended:
      - P-2026-KB-0001
    seats:
    - volunteer: V-2026-KB-0001
      attended: true
      hours: 1.5
    - volunteer: V-2026-KB-0002
      attended: false
    - volunteer: V-2026-KB-0003
    notices:
    - to: volunteers
      date: 2026-02-01
    history:
    - date: 2026-01-25
      by: MR
      action: rescheduled from 2026-02-03
    """

VOLUNTEER_TEXT = """\
    # yaml-language-server: $schema=../../../schemas/volunteer.schema.json
    id: V-2026-KB-0001
    schema_version: 3
    person: P-2026-KB-0003
    active: false
    since: 2025-09-01
    trainings:
    - name: panel basics
      date: 2025-10-01
    background_checks:
    - date: 2025-10-01
      expires: 2027-10-01
    programs:
    - restorative-panel
    - cosa
    availability:
    - day: tue
      part: evening
    conflicts:
    - P-2026-KB-0001
    """


@pytest.mark.parametrize("relpath, text", [
    (PERSON, PERSON_TEXT), (REFERRAL, REFERRAL_TEXT), (CASE, CASE_TEXT), (PANEL, PANEL_TEXT),
    (VOLUNTEER, VOLUNTEER_TEXT),
], ids=["person", "referral", "case", "panel", "volunteer"])
def test_round_trip_is_byte_identical(relpath, text):
    text = dedent(text)
    loaded = store.parse_record(relpath, text)
    assert loaded.problems == []
    assert store.render(loaded.record) == text


def test_round_trip_keeps_the_typed_values():
    case = store.parse_record(CASE, dedent(CASE_TEXT)).record
    restitution = case.agreements[0].items[1]
    assert restitution.amount == Decimal("250.00") and restitution.paid == Decimal("150.50")
    assert case.agreements[0].items[2].hours_done == Decimal("6.5")
    assert case.contacts[0].note == "NO" and case.note == "12:30"
    assert case.status == "closed"


def test_rendering_normalizes_a_hand_written_file():
    loaded = parse(PERSON, """\
        given_name:   Ana
        schema_version: 3
        id: P-2026-KB-0001   # the id
        address: {town: Barre}
        family_name:
        phone: 0123
        """)
    assert store.render(loaded.record) == dedent("""\
        # yaml-language-server: $schema=../../../schemas/person.schema.json
        id: P-2026-KB-0001
        schema_version: 3
        given_name: Ana
        address:
          town: Barre
        phone: '0123'
        """)


def test_amounts_are_written_with_two_places():
    loaded = parse(CASE, """\
        id: C-2026-KB-0019
        schema_version: 3
        program: restorative-panel
        coordinator: KB
        opened: 2026-01-05
        status_history:
        - status: intake
          date: 2026-01-05
          by: KB
        agreements:
        - signed: 2026-02-01
          due: 2026-05-01
          items:
          - type: restitution
            amount: 250
        """)
    assert "    amount: 250.00\n" in store.render(loaded.record)


def test_settings_round_trip():
    text = settings_text()
    loaded = store.parse("rjc.yaml", text, Settings)
    assert loaded.problems == []
    assert store.render_settings(loaded.record) == text
    assert text.startswith("# yaml-language-server: $schema=schemas/settings.schema.json\n")


def test_a_name_typed_where_an_id_belongs_is_not_echoed_back():
    loaded = parse(VOLUNTEER, "id: V-2026-KB-0001\nschema_version: 3\nperson: Ana Rivera\n")
    assert [str(p) for p in loaded.problems] == [
        f"{VOLUNTEER}:3:9: error: person: not a person id (ids look like P-2026-KB-0001) [invalid-value]"]


def test_a_renewed_background_check_keeps_the_old_one_for_past_panels():
    loaded = parse(VOLUNTEER, dedent("""\
        id: V-2026-KB-0001
        schema_version: 3
        person: P-2026-KB-0003
        background_checks:
        - date: 2022-10-01
          expires: 2025-10-01
        - date: 2025-09-20
          expires: 2028-09-20
        """))
    volunteer = loaded.record
    assert volunteer.check_covering(dt.date(2024, 3, 1)).date == dt.date(2022, 10, 1)
    assert volunteer.check_covering(dt.date(2026, 3, 1)).date == dt.date(2025, 9, 20)
    assert volunteer.check_covering(dt.date(2029, 1, 1)) is None
    assert volunteer.check_expires == dt.date(2028, 9, 20)


def test_a_record_too_large_once_written_out_is_refused_by_name_not_written():
    """A file just under the size limit can be longer written out (a modeline is added): rjc
    refuses to write what it would then refuse to read."""
    from rjc.storage import yamlio
    from rjc.storage.errors import RjcError

    head = "id: P-2026-KB-0001\nschema_version: 3\ngiven_name: Ana\nnote: "
    text = head + "x" * (yamlio.MAX_BYTES - len(head) - 1) + "\n"
    loaded = store.parse_record(PERSON, text)
    assert loaded.problems == []
    with pytest.raises(RjcError, match=rf"^{PERSON}: written out, the record would be [\d,]+ bytes"):
        store.render(loaded.record)


def test_new_record_too_large_once_written_out_leaves_the_repository_as_it_was(repo, rjc, monkeypatch):
    from rjc.storage import yamlio

    from helpers import git

    monkeypatch.chdir(repo.root)
    before = git(repo.root, "rev-parse", "HEAD")
    result = rjc("new", "person", "-f", "-", stdin="given_name: Ana\nnote: " + "x" * (yamlio.MAX_BYTES - 60) + "\n")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err == ("<stdin>:2:7: error: note: written out, the record would be 1,048,644 bytes; rjc keeps "
                          "files under 1,048,576: shorten it [file-too-large]\nError: nothing was created\n")
    assert git(repo.root, "rev-parse", "HEAD") == before
    assert not list((repo.root / "people").rglob("*.yaml"))
