"""PDF letters: print-ready, Unicode-correct, owner-only, parsed back with pypdf."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from letter_fixtures import NOTICE_DATE
from pypdf import PdfReader

from helpers import git

CASE = "C-2026-KB-0001"
NAME = "Zoë Nguyễn-O’Brien"


@pytest.fixture
def unicode_repo(case_repo):  # noqa: F811
    """The responsible party has a name beyond Latin-1; an item has curly quotes and a dash."""
    person = case_repo.get("P-2026-KB-0001")
    person.given_name, person.family_name = "Zoë", "Nguyễn-O’Brien"
    case_repo.save(person, "edit person", command="test")
    case = case_repo.get(CASE)
    case.agreements[0].items[0].description = "Write to the store’s owner — “by hand”"
    case_repo.save(case, "edit case", command="test")
    return case_repo


def _text(path: Path) -> str:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf(rjc, out: Path, *args: str) -> Path:
    result = rjc("letter", *args, "--format", "pdf", "--out", out, "--as-of", NOTICE_DATE)
    assert result.code == 0, result.err
    (line,) = result.err.splitlines()
    assert line.startswith("wrote ")
    return Path(line.removeprefix("wrote "))


def test_agreement_pdf_has_the_terms_and_the_name_as_written(unicode_repo, rjc, tmp_path):
    target = _pdf(rjc, tmp_path / "letters", "agreement", CASE)
    assert target == tmp_path / "letters" / f"{CASE}-agreement.pdf"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"%PDF-")
    text = _text(target)
    assert f"{NAME}\n12 Elm Street" in text and "Dear Zoë," in text
    assert "Write to the store’s owner — “by hand”" in text
    assert "Restitution. Amount owed: $250.00; paid so far: $50.00. Due 2027-02-03." in text
    assert "Hours: 20; done so far: 0." in text and "due by 2027-02-03" in text
    assert text.startswith("Barre Community Justice Center\n1 Main Street, Barre, VT 05641")  # the letterhead
    assert "Bo Lind" not in text and "9 Oak Lane" not in text
    assert PdfReader(target).metadata.title == f"agreement letter, {CASE}"  # an id, never a name


def test_pdf_paper_is_us_letter_unless_a4_is_asked(unicode_repo, rjc, tmp_path):
    letter = PdfReader(_pdf(rjc, tmp_path / "letter", "agreement", CASE)).pages[0].mediabox
    assert (float(letter.width), float(letter.height)) == (612, 792)
    a4 = PdfReader(_pdf(rjc, tmp_path / "a4", "agreement", CASE, "--paper", "a4")).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    wrong = rjc("letter", "agreement", CASE, "--format", "pdf", "--out", tmp_path, "--paper", "legal")
    assert wrong.code == 2 and wrong.err.splitlines()[-1] == (
        "Error: Invalid value for '--paper': 'legal' is not one of 'letter', 'a4'.")


def test_new_letters_as_pdf(panel_repo, rjc, tmp_path):  # noqa: F811
    out = tmp_path / "letters"
    notice = _text(_pdf(rjc, out, "panel-notice", CASE, "--to", "P-2026-KB-0002"))
    assert "Dear Bo," in notice and "Date: Thursday, November 19, 2026" in notice
    assert "Time: 5:30 p.m. to 7:00 p.m." in notice and "Or by video: https://meet.example.org/rjc-19" in notice
    assert "Ana" not in notice and "12 Elm Street" not in notice
    agency = _text(_pdf(rjc, out, "panel-notice-agency", CASE))
    assert "Re: Ana Rivera, docket 26-CR-1" in agency and "12 Elm Street" not in agency
    thanks_file = _pdf(rjc, out, "volunteer-thanks", "V-2026-KB-0001", "--from", "2026-01-01")
    assert thanks_file.name == "V-2026-KB-0001-volunteer-thanks.pdf"
    thanks = _text(thanks_file)
    assert "Zoë Nguyễn\n3 Birch Road" in thanks and "2 panels, giving 3.25 hours" in thanks
    assert sorted(p.name for p in out.iterdir()) == [  # one file per recipient, named by ids only
        f"{CASE}-panel-notice-P-2026-KB-0002.pdf", f"{CASE}-panel-notice-agency.pdf",
        "V-2026-KB-0001-volunteer-thanks.pdf"]


def test_a_character_the_font_lacks_stops_the_pdf(unicode_repo, rjc, tmp_path):
    person = unicode_repo.get("P-2026-KB-0001")
    person.given_name = "राम"  # Devanagari: not in the letter font
    unicode_repo.save(person, "edit person", command="test")
    out = tmp_path / "letters"
    result = rjc("letter", "agreement", CASE, "--format", "pdf", "--out", out)
    assert result.code == 1 and "Traceback" not in result.err
    assert "the PDF font cannot show 'म' (U+092E DEVANAGARI LETTER MA)" in result.err
    assert "use --format html" in result.err
    assert not out.exists() or list(out.iterdir()) == []
    html = rjc("letter", "agreement", CASE, "--format", "html")
    assert html.code == 0 and "राम" in html.out  # the other formats carry any text


def test_combining_accents_print_as_the_same_letters(unicode_repo, rjc, tmp_path):
    person = unicode_repo.get("P-2026-KB-0001")
    person.given_name = "Zoe\u0308"  # e + combining diaeresis, as some keyboards type it
    unicode_repo.save(person, "edit person", command="test")
    assert "Dear Zoë," in _text(_pdf(rjc, tmp_path, "agreement", CASE))


def test_italics_keep_every_letter(unicode_repo, rjc, tmp_path):
    own = unicode_repo.root / "templates"
    own.mkdir()
    (own / "agreement.md.j2").write_text(
        "{{ center.name }}\n\nDear *{{ recipient.name }}*, see [our site](https://example.org/rj).\n\n"
        "> ***{{ recipient.name }}***\n\n---\n\n# Terms\n\n- one\n  - nested\n\n![Our logo](logo.png)\n",
        encoding="utf-8")
    text = _text(_pdf(rjc, tmp_path, "agreement", CASE))
    assert f"Dear {NAME}, see our site (https://example.org/rj)." in text and "Our logo (logo.png)" in text
    assert text.count(NAME) == 2 and "Terms" in text and "nested" in text


def test_a_long_letter_runs_onto_numbered_pages(unicode_repo, rjc, tmp_path):
    case = unicode_repo.get(CASE)
    items = case.agreements[0].items
    for number in range(60):
        items.append(items[0].model_copy(update={"description": f"Task number {number}"}))
    unicode_repo.save(case, "edit case", command="test")
    target = _pdf(rjc, tmp_path, "agreement", CASE)
    reader = PdfReader(target)
    assert len(reader.pages) >= 2
    assert "page 2" in reader.pages[1].extract_text()
    text = _text(target)
    assert all(f"Task number {n}." in text for n in range(60)) and "Sincerely," in text


def test_draft_pdf_is_marked_and_shows_the_placeholders(unicode_repo, rjc, tmp_path):
    person = unicode_repo.get("P-2026-KB-0001")
    person.address = None
    unicode_repo.save(person, "edit person", command="test")
    refused = rjc("letter", "agreement", CASE, "--format", "pdf", "--out", tmp_path)
    assert refused.code == 1 and refused.err == "Error: the agreement letter for C-2026-KB-0001 is missing: address; fill them in, or use --draft to see placeholders\n"
    target = _pdf(rjc, tmp_path, "agreement", CASE, "--draft")
    assert target.name == f"{CASE}-agreement-draft.pdf"
    text = _text(target)
    assert "DRAFT: not for sending" in text and f"{NAME}\n[MISSING: address]" in text


def test_pdf_is_never_printed_to_a_terminal(unicode_repo, rjc, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = rjc("letter", "agreement", CASE, "--format", "pdf")
    assert result.code == 1
    assert result.err == "Error: a PDF is not for the terminal; write it to a directory with --out DIR\n"


def test_pdf_goes_into_a_pipe(unicode_repo):
    done = subprocess.run([sys.executable, "-m", "rjc", "letter", "agreement", CASE, "--format", "pdf"],
                          cwd=unicode_repo.root, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"%PDF-")
    assert "Amount owed: $250.00" in PdfReader(io.BytesIO(done.stdout)).pages[0].extract_text()


def test_pdf_stays_out_of_the_records_repository(unicode_repo, rjc):
    result = rjc("letter", "agreement", CASE, "--format", "pdf", "--out", unicode_repo.root / "letters")
    assert result.code == 1 and result.err == "Error: letters go outside the records repository; choose another --out, or add --into-records\n"
    assert git(unicode_repo.root, "status", "--porcelain") == ""


def test_the_cli_starts_without_the_pdf_library(tmp_path):
    code = ("import sys\nfrom rjc.cli.main import main\n"
            "try:\n    main(['letter', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('fpdf', 'fontTools', 'pypdf', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=os.environ | {"COLUMNS": "200"})
    assert "--from" in done.stdout and "--paper" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_markup_characters_print_as_written(unicode_repo, rjc, tmp_path):
    """The PDF is laid out from HTML: text that looks like markup must print as the letters typed."""
    own = unicode_repo.root / "templates"
    own.mkdir()
    (own / "agreement.md.j2").write_text(
        "Smith & Jones <Center>\nSuite 5 &lt; 6\n\nDear {{ recipient.given_name }}, <b>not bold</b> & `a<b`.\n",
        encoding="utf-8")
    text = _text(_pdf(rjc, tmp_path, "agreement", CASE))
    assert text.startswith("Smith & Jones <Center>\nSuite 5 < 6\n")  # Markdown reads &lt; as <
    assert "Dear Zoë, <b>not bold</b> & a<b." in text
