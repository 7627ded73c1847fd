"""The restitution request letter: owed, paid, balance and how to pay, to the responsible party;
rendered as Markdown, HTML and PDF, and read back with its figures."""

from __future__ import annotations

from html.parser import HTMLParser

from letter_fixtures import case_repo  # noqa: F401
from pypdf import PdfReader

from rjc.model.vocab import ItemStatus

CASE = "C-2026-KB-0001"
PAY = "By check to the center at 1 Main Street, Barre, or at the front desk, Monday to Friday"


def _with_instructions(rjc):
    assert rjc("settings", "set", "center.payment_instructions", PAY).code == 0


def test_without_payment_instructions_the_letter_says_which_setting_to_set(case_repo, rjc):  # noqa: F811
    result = rjc("letter", "restitution", CASE, "--as-of", "2026-11-21")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("Error: the center's payment_instructions is not set: rjc settings set "
                          "center.payment_instructions VALUE, or use --draft to see placeholders\n")


def test_the_letter_has_the_amount_payments_balance_and_how_to_pay(case_repo, rjc):  # noqa: F811
    _with_instructions(rjc)
    result = rjc("letter", "restitution", CASE, "--as-of", "2026-11-21")
    assert result.code == 0, result.err
    text = result.out
    assert "Dear Ana," in text and "12 Elm Street" in text
    assert ("You owe **$250.00** in all; you have paid $50.00 so far, and **$200.00** is still to be paid."
            in text)
    assert "1. Restitution. Owed: $250.00; paid: $50.00; balance: $200.00; due 2027-02-03.\n" in text
    assert "    - Paid $50.00 on 2026-11-20.\n" in text
    assert f"How to pay: {PAY}\n" in text
    assert "Bo" not in text and "Lind" not in text and "9 Oak Lane" not in text  # nothing of the victim
    before = rjc("letter", "restitution", CASE, "--as-of", "2026-11-10").out  # before the payment was made
    assert "you have paid $0.00 so far, and **$250.00** is still to be paid" in before and "Paid $" not in before


def test_html_and_pdf_read_back_with_the_figures(case_repo, rjc, tmp_path):  # noqa: F811
    _with_instructions(rjc)
    out = tmp_path / "letters"
    for fmt in ("html", "pdf"):
        result = rjc("letter", "restitution", CASE, "--as-of", "2026-11-21", "--format", fmt, "--out", out)
        assert result.code == 0, result.err

    class Text(HTMLParser):
        chunks: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("p", "li", "br"):
                self.chunks.append(" ")

        def handle_data(self, data):
            self.chunks.append(data)

    parser = Text()
    parser.feed((out / f"{CASE}-restitution.html").read_text())
    html = " ".join("".join(parser.chunks).split())
    pdf = " ".join("\n".join(p.extract_text() for p in PdfReader(out / f"{CASE}-restitution.pdf").pages).split())
    for text in (html, pdf):
        assert "You owe $250.00 in all; you have paid $50.00 so far, and $200.00 is still to be paid." in text
        assert "Owed: $250.00; paid: $50.00; balance: $200.00; due 2027-02-03." in text
        assert "Paid $50.00 on 2026-11-20." in text and f"How to pay: {PAY}" in text


def test_a_case_with_nothing_to_pay_is_refused(case_repo, rjc):  # noqa: F811
    _with_instructions(rjc)
    case = case_repo.get(CASE)
    case.agreements[0].items[1].status = ItemStatus.WAIVED
    case_repo.save(case, "edit case", command="test")
    result = rjc("letter", "restitution", CASE)
    assert (result.code, result.err) == (1, f"Error: {CASE} has no restitution to ask for\n")
