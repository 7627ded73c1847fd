"""The bundled sample records: valid, canonical, and as varied as a real center's year."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rjc import checks
from rjc.model.vocab import CaseStatus, ClosureReason, Program, ReferralSource
from rjc.storage import layout, store

SAMPLE = Path(__file__).parent.parent / "records"
PATHS = layout.record_paths(SAMPLE)


def records_of(kind: str) -> list:
    return [store.read_record(SAMPLE, p).record for p in layout.record_paths(SAMPLE, [layout.KINDS[kind]])]


def test_sample_passes_check():
    assert checks.check_repository(SAMPLE) == []


@pytest.mark.parametrize("relpath", [layout.SETTINGS_FILE, *PATHS])
def test_sample_round_trips_byte_for_byte(relpath):
    text = (SAMPLE / relpath).read_text(encoding="utf-8")
    loaded = store.read_settings(SAMPLE) if relpath == layout.SETTINGS_FILE else store.read_record(SAMPLE, relpath)
    assert loaded.problems == []
    rendered = store.render_settings(loaded.record) if relpath == layout.SETTINGS_FILE else store.render(loaded.record)
    assert rendered == text


def test_sample_covers_the_center_s_work():
    referrals, cases = records_of("referral"), records_of("case")
    assert len(referrals) >= 40 and len(cases) >= 30
    assert len(records_of("panel")) >= 15 and len(records_of("volunteer")) >= 15
    assert {r.source for r in referrals} == set(ReferralSource)
    assert {r.program for r in referrals} == set(Program)
    assert {c.status for c in cases} == set(CaseStatus)
    closures = Counter(c.closure.reason for c in cases if c.closure)
    assert set(closures) == set(ClosureReason)


def test_sample_file_names_carry_no_names():
    names = {p.given_name for p in records_of("person")} | {p.family_name for p in records_of("person") if p.family_name}
    for relpath in PATHS:
        assert not any(name in relpath for name in names)
