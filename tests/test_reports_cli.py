"""rjc report from the command line: the same numbers in every format, suppression, names,
read-only, refusal of records that fail rjc check, bad input, and the other reports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixtures import C2, C4, C6, NAMES, P, Q

from rjc.outputs.reports.measures import MEASURES, TOTAL, Row
from rjc.outputs.reports.suppress import suppress

from helpers import git

QUARTER = ("--quarter", "2027Q1", "--year", "vermont")
SAMPLE = Path(__file__).parent.parent / "records"


def run_report(rjc, repo, *args):
    return rjc("--records", repo.root, "report", *args)


# --- parsing each format back into (measure, breakdown, period) -> text --------------------------


def from_csv(text: str) -> dict:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == ["measure", "breakdown", "period", "value"]
    return {(r["measure"], r["breakdown"], r["period"]): r["value"] for r in rows}


def _json_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def from_json(text: str) -> dict:
    data = json.loads(text)
    return {(r["measure"], r["breakdown"], r["period"]): _json_text(r["value"]) for r in data["rows"]}


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self._open = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "data-measure" in attrs:
            self._open = (attrs["data-measure"], attrs["data-breakdown"], attrs["data-period"])
            self.cells[self._open] = ""

    def handle_data(self, data):
        if self._open:
            self.cells[self._open] += data

    def handle_endtag(self, tag):
        if tag == "td":
            self._open = None


def from_html(text: str) -> dict:
    parser = _Cells()
    parser.feed(text)
    return {key: ("" if value == "n/a" else value) for key, value in parser.cells.items()}


def from_md(text: str) -> dict:
    titles = {m.title: key for key, m in MEASURES.items()}
    found, labels, measure = {}, [], None
    for line in text.splitlines():
        if not line.startswith("| "):
            continue
        cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
        if cells[:2] == ["measure", "breakdown"]:
            labels = cells[2:]
            continue
        measure = titles[cells[0]] if cells[0] else measure
        for label, value in zip(labels, cells[2:]):
            if value:
                found[(measure, cells[1], label)] = "" if value == "n/a" else value
    return found


def normalize(cells: dict) -> dict:
    """Numbers compared as numbers (JSON writes 350.0 where CSV writes 350.00)."""
    def number(text: str):
        try:
            return Decimal(text)
        except ArithmeticError:
            return text
    return {key: number(value) if value else value for key, value in cells.items()}


def test_every_format_shows_the_same_numbers(report_repo, rjc, tmp_path):
    out = {}
    for fmt in ("csv", "json", "md", "html"):
        result = run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", fmt)
        assert result.code == 0, result.err
        out[fmt] = result.out
    cells = from_csv(out["csv"])
    assert cells[("referrals_by_source", "total", Q)] == "4"
    assert cells[("restitution_paid", "amount", Q)] == "350.00"
    assert cells[("completed_successfully_pct", "total", P)] == ""
    assert cells[("cases_without_activity", C6, Q)] == "213"
    expected = normalize(cells)
    assert normalize(from_json(out["json"])) == expected
    assert normalize(from_html(out["html"])) == expected
    assert normalize(from_md(out["md"])) == expected
    table = run_report(rjc, report_repo, "quarterly", *QUARTER)
    assert table.code == 0 and "Referrals received, by source" in table.out and "1470.00" in table.out


def test_html_is_self_contained_printable_and_has_charts(report_repo, rjc, tmp_path):
    target = tmp_path / "out" / "q1.html"
    result = run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", "html", "--out", target)
    assert result.code == 0, result.err
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "@media print" in text
    assert text.count("<svg") == 4 and "<script" not in text.lower()
    assert len(set(re.findall(r'<svg[^>]* id="([^"]+)"', text))) == 4  # each chart's CSS applies to it alone
    for figure in ("Referrals received, by source", "Cases closed, by reason",
                   "Mediation and family group conference outcomes", "Volunteer hours, by quarter"):
        assert f"<figcaption>{figure}</figcaption>" in text
    # nothing is fetched: the only web addresses are XML namespace names
    assert set(re.findall(r"https?://[^\"'\s<>)]+", text)) <= {"http://www.w3.org/2000/svg",
                                                                 "http://www.w3.org/1999/xlink"}
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", text)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    """WCAG's contrast ratio of two colours (#rrggbb)."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_chart_values_read_on_paper_never_on_a_bar_or_under_a_line(report_repo, rjc):
    """Each printed value: dark on the white page past the end of its own bar (so never on a coloured
    bar whatever its length), with no gridline drawn anywhere for it to be crossed by."""
    import xml.etree.ElementTree as ET

    text = run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", "html").out
    svg_ns = "{http://www.w3.org/2000/svg}"
    checked = 0
    for svg in re.findall(r"<svg.*?</svg>", text, re.DOTALL):
        root = ET.fromstring(svg)
        css = "".join(node.text or "" for node in root.iter(f"{svg_ns}style"))
        assert not [p for p in root.iter(f"{svg_ns}path") if "guide" in p.get("class", "")]
        assert re.search(r"\.background\{[^}]*fill:(white|#fff)", css) or "background" not in css
        horizontal = any("horizontal" in g.get("class", "").split() for g in root.iter(f"{svg_ns}g"))
        for series in root.iter(f"{svg_ns}g"):
            classes = series.get("class", "").split()
            if "series" not in classes or not any(c.startswith("color-") for c in classes):
                continue
            colour = next(c for c in classes if c.startswith("color-"))
            bars = [r for r in series.iter(f"{svg_ns}rect") if "rect" in r.get("class", "").split()]
            if not bars:
                continue
            overlay = next(g for g in root.iter(f"{svg_ns}g") if "text-overlay" in g.get("class", "").split())
            values = [t for g in overlay if colour in g.get("class", "").split() for t in g
                      if t.get("class") == "value"]
            ink = re.search(rf"\.text-overlay \.{colour} text\{{fill:(#[0-9a-f]{{3,6}})", css).group(1)
            assert contrast(ink if len(ink) == 7 else "#" + "".join(c * 2 for c in ink[1:]), "#ffffff") >= 7
            assert len(values) == len(bars)
            for bar, value in zip(bars, values):
                if not (value.text or "").strip():
                    continue  # a zero, or a suppressed count: no value printed
                x, y = float(bar.get("x")), float(bar.get("y"))
                if horizontal:  # the label starts (it is centred: half its width) past the bar's end
                    half = len(value.text) * 11 * 0.3
                    assert float(value.get("x")) - half >= x + float(bar.get("width")) - 0.5, value.text
                else:  # its baseline at or above the bar's top
                    assert float(value.get("y")) <= y + 0.5, value.text
                checked += 1
    assert checked > 10


def test_a_range_that_is_a_quarter_is_named_as_it_and_another_range_is_stated_once(report_repo, rjc):
    quarter = run_report(rjc, report_repo, "quarterly", "--from", "2026-07-01", "--to", "2026-09-30").out
    assert quarter.splitlines()[1:3] == ["Period: Vermont FY2027 Q1 (2026-07-01 to 2026-09-30)",
                                         "Compared with: Vermont FY2026 Q4 (2026-04-01 to 2026-06-30)"]
    assert quarter == run_report(rjc, report_repo, "quarterly", "--quarter", "2027Q1").out
    federal = run_report(rjc, report_repo, "quarterly", "--from", "2026-07-01", "--to", "2026-09-30",
                         "--year", "federal").out
    assert federal.splitlines()[1] == "Period: Federal FY2026 Q4 (2026-07-01 to 2026-09-30)"
    other = run_report(rjc, report_repo, "quarterly", "--from", "2026-07-01", "--to", "2026-08-15",
                       "--format", "md").out
    assert other.splitlines()[0].endswith("quarterly report, 2026-07-01 to 2026-08-15")
    assert other.splitlines()[2:4] == ["Period: 2026-07-01 to 2026-08-15  ", "Compared with: 2026-05-16 to 2026-06-30  "]


def test_no_names_in_any_report(report_repo, rjc):
    outputs = [run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", fmt).out
               for fmt in ("table", "md", "csv", "json", "html")]
    outputs += [run_report(rjc, report_repo, kind, "--as-of", "2026-09-30", "--format", fmt).out
                for kind in ("restitution", "volunteers", "caseload") for fmt in ("table", "csv", "json", "html")]
    for out in outputs:
        assert out
        for name in [*NAMES, "Hartford Mutual"]:
            assert not re.search(rf"\b{name}\b", out), name


def test_restitution_report_by_item_and_age(report_repo, rjc):
    result = run_report(rjc, report_repo, "restitution", "--as-of", "2026-09-30", "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    items = {(r["case"], r["agreement"], r["item"]): r for r in found["items"]}
    assert set(items) == {("C-2026-KB-0001", 1, 1), (C2, 1, 1), (C2, 1, 2), (C2, 2, 1), ("C-2022-MR-0001", 1, 1)}
    first = items[(C2, 1, 1)]
    assert (first["signed"], first["owed"], first["paid"], first["outstanding"], first["age"], first["to"]) == (
        "2026-08-01", 500.0, 50.0, 450.0, "60 days-2 years", "victim")
    assert items[(C2, 1, 2)]["to"] == "other payee" and "to_whom" not in items[(C2, 1, 2)]
    assert items[("C-2026-KB-0001", 1, 1)]["outstanding"] == 0 and items[("C-2026-KB-0001", 1, 1)]["age"] == ""
    aging = {r["age"]: (r["items"], r["outstanding"]) for r in found["aging"]}
    assert aging == {"<60 days": (1, 40.0), "60 days-2 years": (2, 530.0), "2-4 years": (0, 0.0),
                     "4+ years": (1, 900.0), "total": (4, 1470.0)}
    named = run_report(rjc, report_repo, "restitution", "--as-of", "2026-09-30", "--to-whom", "--outstanding",
                       "--format", "csv")
    rows = {(r["case"], r["agreement"], r["item"]): r for r in csv.DictReader(io.StringIO(named.out))}
    assert rows[(C2, "1", "2")]["to_whom"] == "Hartford Mutual Insurance"
    assert rows[(C2, "1", "1")]["to_whom"] == "Dee Hart" and rows[(C2, "2", "1")]["to_whom"] == "Eve Quimby"
    assert ("C-2026-KB-0001", "1", "1") not in rows  # paid in full: not outstanding


def test_volunteers_report_by_id_and_program(report_repo, rjc):
    result = run_report(rjc, report_repo, "volunteers", *QUARTER, "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    hours = {(r["volunteer"], r["program"]): (r["hours"], r["panels"], r["circle_meetings"]) for r in found["hours"]}
    assert hours == {("V-2026-KB-0001", "cosa"): (2, 0, 1), ("V-2026-KB-0001", "restorative-panel"): (2, 1, 0),
                     ("V-2026-KB-0002", "cosa"): (2, 0, 1), ("V-2026-KB-0002", "restorative-panel"): (1.5, 1, 0),
                     ("V-2026-KB-0003", "cosa"): (1.5, 0, 1)}
    assert found["programs"][-1] == {"program": "total", "volunteers": 3, "hours": 9}
    year = run_report(rjc, report_repo, "volunteers", "--year", "vermont", "--as-of", "2026-11-24", "--format", "csv")
    assert year.code == 0 and year.out.startswith("volunteer,program,hours,panels,circle_meetings\n")
    assert len(year.out.splitlines()) == 6  # FY2027 so far holds the same entries as Q1


def test_caseload_report(report_repo, rjc):
    result = run_report(rjc, report_repo, "caseload", "--as-of", "2026-09-30", "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    cases = {r["case"]: r for r in found["cases"]}
    assert set(cases) == {C2, "C-2026-KB-0003", "C-2026-MR-0002", C6, "C-2026-MR-0003", "C-2026-KB-0005",
                          "C-2026-KB-0006"}
    assert (cases[C6]["status"], cases[C6]["days_open"], cases[C6]["days_in_status"]) == ("intake", 213, 213)
    assert (cases[C2]["status"], cases[C2]["status_since"], cases[C2]["days_in_status"]) == ("monitoring", "2026-09-16", 14)
    summary = {(r["coordinator"], r["status"]): r["cases"] for r in found["summary"]}
    assert summary[("KB", "intake")] == 1 and summary[("total", "")] == 7
    mine = run_report(rjc, report_repo, "caseload", "--as-of", "2026-09-30", "--coordinator", "mr", "--format", "csv")
    assert [r["case"] for r in csv.DictReader(io.StringIO(mine.out))] == ["C-2026-MR-0003", "C-2026-MR-0002", C2]


# --- suppression -------------------------------------------------------------------------------


def _rows(measure: str, values: dict, period: str = "Q") -> list[Row]:
    return [Row(measure, name, period, value) for name, value in values.items()]


def test_suppression_hides_small_counts_and_a_complementary_cell():
    rows = _rows("referrals_by_source", {TOTAL: 20, "court": 2, "police": 7, "school": 11, "self": 0})
    shown = {r.breakdown: r.value for r in suppress(rows, 5)}
    # court alone would be 20 - 7 - 11 - 0: the next smallest non-zero cell is hidden too
    assert shown == {TOTAL: 20, "court": "<5", "police": "suppressed", "school": 11, "self": 0}
    two = {r.breakdown: r.value for r in suppress(_rows("referrals_by_source", {
        TOTAL: 20, "court": 2, "police": 3, "school": 15}), 5)}
    assert two == {TOTAL: 20, "court": "<5", "police": "<5", "school": 15}  # two hidden: no more needed
    small = {r.breakdown: r.value for r in suppress(_rows("referrals_by_source", {TOTAL: 4, "court": 4}), 5)}
    assert small == {TOTAL: "<5", "court": "<5"}


def test_suppression_hides_what_is_derived_from_a_hidden_count():
    rows = [*_rows("closures_by_reason", {TOTAL: 12, "completed-successfully": 3, "no-contact": 9}),
            Row("completed_successfully_pct", TOTAL, "Q", Decimal("25.0"), "derived",
                (("closures_by_reason", TOTAL), ("closures_by_reason", "completed-successfully"))),
            Row("days_referral_to_closure", "median", "Q", Decimal("40"), "derived",
                (("days_referral_to_closure", "cases"),)),
            Row("days_referral_to_closure", "cases", "Q", 12),
            Row("restitution_paid", "amount", "Q", Decimal("35.00"), "amount"),
            Row("restitution_paid", "payments", "Q", 1),
            Row("cases_without_activity", "C-2026-KB-0001", "Q", 40, "listing")]
    shown = {(r.measure, r.breakdown): r.value for r in suppress(rows, 5)}
    assert shown[("closures_by_reason", "completed-successfully")] == "<5"
    assert shown[("closures_by_reason", "no-contact")] == "suppressed"  # the complementary cell
    assert shown[("completed_successfully_pct", TOTAL)] == "suppressed"
    assert shown[("days_referral_to_closure", "median")] == Decimal("40")  # 12 cases: shown
    assert shown[("restitution_paid", "amount")] == Decimal("35.00")  # amounts are not counts of people
    assert shown[("restitution_paid", "payments")] == "<5"
    assert ("cases_without_activity", "C-2026-KB-0001") not in shown


def test_public_report_from_the_command_line(report_repo, rjc):
    result = run_report(rjc, report_repo, "quarterly", *QUARTER, "--public", "--suppress-below", "2", "--format", "csv")
    assert result.code == 0, result.err
    cells = from_csv(result.out)
    # victims served in Q: 5 = 4 new + 1 continuing; the 1 is hidden, so the 4 must be too
    assert [cells[("victims_served", b, Q)] for b in ("total", "new", "continuing")] == ["5", "suppressed", "<2"]
    assert [cells[("referrals_by_program", b, Q)] for b in ("total", "restorative-panel", "mediation", "star")] == [
        "4", "suppressed", "<2", "0"]
    assert cells[("completed_successfully_pct", "total", Q)] == "suppressed"  # 1 of 3 closures
    assert cells[("victims_took_part", "total", Q)] == "suppressed"
    assert cells[("days_referral_to_agreement", "median", Q)] == "25.5"
    assert not any(key[0] == "cases_without_activity" for key in cells)
    default = run_report(rjc, report_repo, "quarterly", *QUARTER, "--public", "--format", "json")
    rows = {(r["measure"], r["breakdown"], r["period"]): r["value"] for r in json.loads(default.out)["rows"]}
    assert rows[("victims_served", "total", Q)] == 5 and rows[("victims_served", "new", Q)] == "<5"
    assert json.loads(default.out)["suppress_below"] == 5
    html = run_report(rjc, report_repo, "quarterly", *QUARTER, "--public", "--format", "html").out
    assert "Suppressed values are not drawn" in html and C6 not in html


# --- read-only ---------------------------------------------------------------------------------


def test_reports_run_while_another_rjc_holds_the_write_lock_and_change_nothing(report_repo, tmp_path):
    from rjc.storage.transaction import write_lock

    env = {**os.environ, "RJC_LOCK_TIMEOUT": "5"}
    before = git(report_repo.root, "rev-parse", "HEAD")
    with write_lock(report_repo.root, timeout=5):
        for args in (["quarterly", *QUARTER, "--format", "json"], ["restitution"], ["volunteers"], ["caseload"],
                     ["quarterly", *QUARTER, "--format", "html", "--out", str(tmp_path / "q.html")]):
            done = subprocess.run([sys.executable, "-m", "rjc", "--records", str(report_repo.root), "report", *args],
                                  capture_output=True, text=True, env=env, timeout=120)
            assert done.returncode == 0, done.stderr
            assert "waiting for another rjc" not in done.stderr
    assert git(report_repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(report_repo.root, "rev-parse", "HEAD") == before


def test_out_inside_the_records_repository_is_refused(report_repo, rjc):
    result = run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", "html",
                        "--out", report_repo.root / "q.html")
    assert result.code == 1 and result.err == "Error: reports never write into the records repository; choose an --out outside it\n"
    assert not (report_repo.root / "q.html").exists()


# --- records that fail rjc check ----------------------------------------------------------------


def test_records_that_fail_check_are_refused_or_left_out_with_force(report_repo, rjc):
    broken = report_repo.root / "cases" / "2026" / "KB" / "C-2026-KB-0099.yaml"
    broken.write_text("schema_version: 3\nid: C-2026-KB-0099\nprogram: restorative-panel\n", encoding="utf-8")
    refused = run_report(rjc, report_repo, "quarterly", *QUARTER)
    assert refused.code == 1 and refused.out == ""
    assert "cases/2026/KB/C-2026-KB-0099.yaml:" in refused.err and "missing-field" in refused.err
    assert refused.err.splitlines()[-1] == "Error: the records fail rjc check (3 errors in 1 file); fix them, or report without those files with --force"
    forced = run_report(rjc, report_repo, "quarterly", *QUARTER, "--force", "--format", "json")
    assert forced.code == 0, forced.err
    assert "left out 1 file that fails rjc check" in forced.err and "C-2026-KB-0099.yaml" in forced.err
    assert json.loads(forced.out)["skipped"] == ["cases/2026/KB/C-2026-KB-0099.yaml"]
    assert from_json(forced.out)[("referrals_by_source", "total", Q)] == "4"
    for kind in ("restitution", "volunteers", "caseload"):
        assert run_report(rjc, report_repo, kind).code == 1
        assert run_report(rjc, report_repo, kind, "--force").code == 0


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--quarter", "2026Q5"], "a year has quarters Q1 to Q4, not Q5"),
    (["--quarter", "Q3"], "is not a quarter; write it like 2026Q3"),
    (["--from", "2026-09-30", "--to", "2026-07-01"], "--to 2026-07-01 is before --from 2026-09-30"),
    (["--quarter", "2026Q3", "--from", "2026-07-01", "--to", "2026-09-30"], "give --quarter, or --from and --to"),
    (["--from", "2026-07-01"], "give both --from and --to"),
    (["--year", "fiscal"], "Invalid value for '--year': 'fiscal' is not one of 'vermont', 'federal', 'calendar'."),
    (["--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of 'table', 'md', 'csv', 'json', 'html'."),
    (["--suppress-below", "3"], "--suppress-below goes with --public"),
])
def test_bad_input_exits_2(report_repo, rjc, args, message):
    result = run_report(rjc, report_repo, "quarterly", *args)
    assert result.code == 2, result.err
    assert message in result.err and result.out == ""


def test_default_period_is_the_last_complete_quarter(report_repo, rjc):
    result = run_report(rjc, report_repo, "quarterly", "--as-of", "2026-10-05", "--format", "json")
    periods = json.loads(result.out)["periods"]
    assert [(p["label"], p["start"], p["end"]) for p in periods] == [
        ("Vermont FY2027 Q1", "2026-07-01", "2026-09-30"), ("Vermont FY2026 Q4", "2026-04-01", "2026-06-30")]
    federal = json.loads(run_report(rjc, report_repo, "quarterly", "--quarter", "2026Q4", "--year", "federal",
                                    "--format", "json").out)["periods"]
    assert (federal[0]["label"], federal[0]["start"]) == ("Federal FY2026 Q4", "2026-07-01")
    ranged = json.loads(run_report(rjc, report_repo, "quarterly", "--from", "2026-07-01", "--to", "2026-09-30",
                                   "--format", "json").out)
    assert [p["label"] for p in ranged["periods"]] == ["Vermont FY2027 Q1", "Vermont FY2026 Q4"]  # exactly a quarter
    same = {(r["measure"], r["breakdown"]): r["value"] for r in ranged["rows"] if r["period"] == "Vermont FY2027 Q1"}
    assert same[("referrals_by_source", "total")] == 4 and same[("restitution_outstanding", "total")] == 1470.0


# --- the sample records ------------------------------------------------------------------------


def test_quarterly_report_on_the_sample_records(sample_repo, rjc, tmp_path):
    for quarter in ("2026Q3", "2026Q4", "2027Q1", "2027Q2"):
        result = run_report(rjc, sample_repo, "quarterly", "--quarter", quarter, "--format", "csv")
        assert result.code == 0, result.err
        cells = from_csv(result.out)
        for period in {key[2] for key in cells}:
            for key, measure in MEASURES.items():
                if measure.additive:
                    parts = {b: Decimal(v) for (m, b, p), v in cells.items() if m == key and p == period}
                    assert parts.pop("total") == sum(parts.values()), (quarter, key, period)
    csv_cells = from_csv(run_report(rjc, sample_repo, "quarterly", "--quarter", "2027Q1", "--format", "csv").out)
    assert int(csv_cells[("referrals_by_source", "total", "Vermont FY2027 Q1")]) > 0
    html = run_report(rjc, sample_repo, "quarterly", "--quarter", "2027Q1", "--format", "html").out
    assert normalize(from_html(html)) == normalize(csv_cells)
    public = run_report(rjc, sample_repo, "quarterly", "--quarter", "2027Q1", "--public", "--format", "md")
    assert public.code == 0 and "<5" in public.out
    for kind in ("restitution", "volunteers", "caseload"):
        assert run_report(rjc, sample_repo, kind, "--as-of", "2026-11-24", "--format", "md").code == 0
    assert git(sample_repo.root, "status", "--porcelain") == ""


def test_a_past_quarter_reported_again_after_later_changes_is_the_same_in_every_format(report_repo, rjc):
    """The guarantee of docs/reports.md: what happens after a period (a waiver, a victim's new
    choice, a mediation outcome, a closure, all dated after it) never changes its figures; a late
    entry dated inside it does."""
    formats = ("table", "md", "csv", "json", "html")

    def reported() -> dict[str, str]:
        found = {fmt: run_report(rjc, report_repo, "quarterly", *QUARTER, "--format", fmt) for fmt in formats}
        assert all(r.code == 0 for r in found.values()), found
        return {fmt: r.out for fmt, r in found.items()}

    before = reported()
    victim = "P-2026-KB-0004"  # C2's victim, who chose written-statement-shared before rjc kept the day
    for args in (["agreement", "item", C2, "1", "waived", "--date", "2026-10-15"],
                 ["victim", "choose", C2, victim, "not-participate", "--date", "2026-10-20"],
                 ["case", "resolve", C4, "none", "--date", "2026-10-25"],
                 ["case", "close", C6, "--reason", "withdrawn", "--date", "2026-11-02"]):
        result = rjc("--records", report_repo.root, *args)
        assert result.code == 0, (args, result.err)
    assert reported() == before
    # each change shows in the quarter it is dated in
    after = json.loads(run_report(rjc, report_repo, "quarterly", "--quarter", "2027Q2", "--format", "json").out)
    now = {(r["measure"], r["breakdown"]): r["value"] for r in after["rows"] if r["period"] == "Vermont FY2027 Q2"}
    assert now[("closures_by_reason", "withdrawn")] == 1
    assert now[("victims_participation", "not-participate")] == 1
    # a late entry dated inside the quarter is a correction of it, and changes it
    late = rjc("--records", report_repo.root, "agreement", "pay", C2, "1", "--amount", "20.00", "--date", "2026-09-20")
    assert late.code == 0, late.err
    again = reported()
    assert again["csv"] != before["csv"]
    assert from_csv(again["csv"])[("restitution_paid", "amount", Q)] == "370.00"
