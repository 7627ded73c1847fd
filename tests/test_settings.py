"""The center's settings: rjc init asks for them, rjc settings shows, sets and edits them, and a
letter that needs one that is not set says which and how to set it."""

from __future__ import annotations

import stat

import pytest
import yaml

from helpers import git


def commits(root) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


@pytest.fixture
def here(repo, monkeypatch):
    monkeypatch.chdir(repo.root)
    return repo


# --- show and set --------------------------------------------------------------------------


def test_show_prints_the_settings_in_effect_defaults_included(here, rjc):
    path = here.root / "rjc.yaml"  # a hand-written rjc.yaml, without the settings left at their defaults
    path.write_text(path.read_text().split("agreement:\n")[0])
    result = rjc("settings", "show")
    assert (result.code, result.err) == (0, "")
    shown = yaml.safe_load(result.out)
    assert shown["center"] == {"name": "Barre Community Justice Center"}
    assert shown["reminders"]["panel_days"] == 2 and shown["agreement"] == {"due_days": 90, "midterm_days": 45}


def test_set_changes_one_key_in_one_commit_naming_the_key_only(here, rjc):
    before = commits(here.root)
    result = rjc("settings", "set", "center.phone", "802 555 0100")
    assert result.code == 0, result.err
    assert result.err.startswith("committed ")
    assert commits(here.root) == ["settings: set center.phone in rjc.yaml", *before]
    assert git(here.root, "show", "--format=", "--name-only", "HEAD").split() == ["rjc.yaml"]
    assert "555" not in git(here.root, "log", "-1", "--format=%B")
    assert yaml.safe_load(rjc("settings", "show").out)["center"]["phone"] == "802 555 0100"
    assert rjc("check").code == 0
    again = rjc("settings", "set", "center.phone", "802 555 0100")
    assert (again.code, again.err) == (0, "no change; nothing committed\n")


def test_an_invalid_value_names_the_key_and_changes_nothing(here, rjc):
    before = (here.root / "rjc.yaml").read_bytes(), commits(here.root)
    result = rjc("settings", "set", "reminders.panel_days", "soon")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("Error: reminders.panel_days: input should be a valid integer, unable to parse string "
                          "as an integer; nothing was changed\n")
    port = rjc("settings", "set", "mail.port", "99999")
    assert port.err == "Error: mail.port: input should be less than or equal to 65535; nothing was changed\n"
    required = rjc("settings", "set", "center.name", "")
    assert required.err == "Error: center.name is required: it cannot be unset; nothing was changed\n"
    assert ((here.root / "rjc.yaml").read_bytes(), commits(here.root)) == before


def test_nested_keys_reach_groups_optional_groups_and_per_program_terms(here, rjc):
    for key, value in (("reminders.panel_days", "3"), ("mail.port", "587"),
                       ("agreement_by_program.mediation.due_days", "60"), ("center.email", "info@example.org")):
        result = rjc("settings", "set", key, value)
        assert result.code == 0, result.err
    shown = yaml.safe_load(rjc("settings", "show").out)
    assert shown["reminders"]["panel_days"] == 3
    assert shown["mail"] == {"port": 587, "security": "starttls", "timeout": 30.0}
    assert shown["agreement_by_program"] == {"mediation": {"due_days": 60, "midterm_days": 45}}
    unset = rjc("settings", "set", "center.email", "")
    assert unset.code == 0 and "email" not in yaml.safe_load(rjc("settings", "show").out)["center"]
    # a default written once reads back as it was written: another change leaves it alone
    rjc("settings", "set", "reminders.panel_days", "4")
    added = [line for line in git(here.root, "show", "--format=", "HEAD").splitlines() if line.startswith("+")]
    assert added == ["+++ b/rjc.yaml", "+  panel_days: 4"]


def test_an_unknown_key_names_the_closest_and_the_known_ones(here, rjc):
    result = rjc("settings", "set", "center.phon", "802 555 0100")
    assert (result.code, result.err) == (1, "Error: no setting center.phon; did you mean center.phone? "
                                            "(center has: name, address, phone, email, website, payment_instructions)\n")
    top = rjc("settings", "set", "centre.phone", "802 555 0100")
    assert top.err == ("Error: no setting centre.phone; did you mean center.phone? (rjc.yaml has: schema_version, "
                       "center, timezone, holidays, diversion_return_days, coordinators, agreement, "
                       "agreement_by_program, reminders, mail, sealing, signing, surveys)\n")
    group = rjc("settings", "set", "center", "x")
    assert group.err == ("Error: center is a group of settings (name, address, phone, email, website, "
                         "payment_instructions); set one of them, e.g.: rjc settings set center.name VALUE\n")
    assert rjc("settings", "set", "coordinators.0.name", "x").err == (
        "Error: coordinators is a list; change it with: rjc settings edit\n")
    assert rjc("settings", "set", "center.phone.x", "x").err == (
        "Error: center.phone is one value, not a group of settings: rjc settings set center.phone VALUE\n")
    assert len(commits(here.root)) == 2


# --- edit ------------------------------------------------------------------------------------

EDITOR = """\
#!/bin/sh
# a real editor, as far as rjc can tell: changes the file it is given, in place
sed -i "s/$EDIT_OLD/$EDIT_NEW/" "$1"
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    script = tmp_path / "editor.sh"
    script.write_text(EDITOR)
    script.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)

    def set_edit(old: str, new: str) -> None:
        monkeypatch.setenv("EDIT_OLD", old)
        monkeypatch.setenv("EDIT_NEW", new)

    return set_edit


def test_edit_commits_a_valid_edit(here, rjc, editor):
    editor("^center:$", "center:\\n  address: 1 Main Street, Barre, VT 05641")
    result = rjc("settings", "edit")
    assert result.code == 0, result.err
    assert commits(here.root)[0] == "settings: edit rjc.yaml"
    assert yaml.safe_load(rjc("settings", "show").out)["center"]["address"] == "1 Main Street, Barre, VT 05641"
    assert not (here.root / ".git" / "rjc" / "drafts" / "rjc.yaml").exists()


def test_an_invalid_edit_commits_nothing_and_keeps_the_draft(here, rjc, editor):
    before = (here.root / "rjc.yaml").read_bytes(), commits(here.root)
    editor("holidays: US-VT", "holidays: Vermont")
    result = rjc("settings", "edit", stdin="")
    draft = here.root / ".git" / "rjc" / "drafts" / "rjc.yaml"
    assert result.code == 1
    assert result.err == (f"{draft}:6:11: error: holidays: string should match pattern "
                          f"'^([A-Z]{{2}}(-[A-Z0-9]{{1,3}})?)?$' [invalid-value]\n"
                          f"Error: invalid; nothing committed; your draft is kept at {draft}\n")
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600 and "holidays: Vermont" in draft.read_text()
    assert ((here.root / "rjc.yaml").read_bytes(), commits(here.root)) == before


def test_edit_fixes_an_invalid_rjc_yaml(here, rjc, editor):
    path = here.root / "rjc.yaml"
    path.write_text(path.read_text().replace("holidays: US-VT", "holidays: Vermont"))
    assert rjc("settings", "show").code == 1
    refused = rjc("settings", "set", "center.phone", "802 555 0100")
    assert refused.err.endswith("Error: rjc.yaml is not valid; fix it first: rjc settings edit\n")
    editor("holidays: Vermont", "holidays: US-NH")
    result = rjc("settings", "edit")
    assert result.code == 0, result.err
    assert commits(here.root)[0] == "settings: edit rjc.yaml"
    assert git(here.root, "status", "--porcelain") == ""


def test_an_invalid_edit_on_a_terminal_is_edited_again(here, terminal, tmp_path):
    script = tmp_path / "twice.sh"  # first saves a bad value, then fixes it
    script.write_text('#!/bin/sh\nif grep -q "holidays: Vermont" "$1"; then sed -i "s/holidays: Vermont/holidays: US-NH/" "$1"; '
                      'else sed -i "s/holidays: US-VT/holidays: Vermont/" "$1"; fi\n')
    script.chmod(0o700)
    s = terminal(here.root, "settings", "edit", env={"EDITOR": str(script), "VISUAL": ""})
    shown = s.answer("Edit again to fix these? [Y/n]: ", "y")
    assert "error: holidays: string should match pattern" in shown
    code, rest = s.end()
    assert code == 0, s.seen
    assert "committed " in rest
    assert commits(here.root)[0] == "settings: edit rjc.yaml"
    assert "holidays: US-NH" in (here.root / "rjc.yaml").read_text()


# --- letters name the center's missing settings ----------------------------------------------


def test_a_letter_without_the_centers_phone_says_how_to_set_it(case_repo, rjc):
    assert rjc("settings", "set", "center.phone", "").code == 0
    result = rjc("letter", "agreement", "C-2026-KB-0001", "--as-of", "2026-11-06")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("Error: the center's phone is not set: rjc settings set center.phone VALUE, "
                          "or use --draft to see placeholders\n")
    draft = rjc("letter", "agreement", "C-2026-KB-0001", "--as-of", "2026-11-06", "--draft")
    assert "Barre Community Justice Center, [MISSING: center.phone]\n" in draft.out

    person = case_repo.get("P-2026-KB-0001")
    person.address = None
    case_repo.save(person, "edit person", command="test")
    assert rjc("settings", "set", "center.address", "").code == 0
    both = rjc("letter", "agreement", "C-2026-KB-0001")
    assert both.err == ("Error: the agreement letter for C-2026-KB-0001 is missing: address; fill them in; "
                        "the center's address is not set: rjc settings set center.address VALUE; "
                        "the center's phone is not set: rjc settings set center.phone VALUE, "
                        "or use --draft to see placeholders\n")


# --- init ------------------------------------------------------------------------------------


def test_init_takes_the_centers_address_phone_email_and_website(rjc, tmp_path, monkeypatch):
    target = tmp_path / "center"
    result = rjc("init", target, "--center", "Barre Community Justice Center", "--code", "KB", "--name", "Kim Bell",
                 "--address", "1 Main Street, Barre, VT 05641", "--phone", "802 555 0100",
                 "--email", "info@example.org", "--website", "https://example.org", "--no-input")
    assert result.code == 0, result.err
    assert result.err == (f"created records repository in {target}\n"
                          f"you are coordinator KB; next: cd {target} && rjc new person\n")
    monkeypatch.chdir(target)
    assert yaml.safe_load(rjc("settings", "show").out)["center"] == {
        "name": "Barre Community Justice Center", "address": "1 Main Street, Barre, VT 05641",
        "phone": "802 555 0100", "email": "info@example.org", "website": "https://example.org"}


def test_init_without_address_or_phone_says_how_to_set_them(rjc, tmp_path):
    target = tmp_path / "center"
    result = rjc("init", target, "--center", "C", "--code", "KB", "--name", "K", "--no-input")
    assert result.code == 0, result.err
    assert "letters print the center's address and phone; set them with: rjc settings set center.address VALUE\n" in result.err


def test_init_on_a_terminal_asks_for_the_center(terminal, tmp_path):
    target = tmp_path / "center"
    s = terminal(tmp_path, "init", target)
    s.answer("Center name: ", "Barre Community Justice Center")
    s.answer("Center address, on one line, for letterheads (Enter to skip): ", "1 Main Street, Barre, VT 05641")
    s.answer("Center phone, for letters (Enter to skip): ", "802 555 0100")
    s.answer("Center email (Enter to skip): ", "")
    s.answer("Center website (Enter to skip): ", "")
    s.answer("Your coordinator code (e.g. your initials): ", "kb")
    s.answer("Your name: ", "Kim Bell")
    s.answer("Check hand edits before each git commit (a pre-commit hook)? [Y/n]: ", "n")
    code, rest = s.end()
    assert code == 0, s.seen
    shown = rest.replace("\r\n", "\n").removeprefix("n\n")  # the answer's echo, if not already read
    assert shown == (f"created records repository in {target}\n"
                     f"you are coordinator KB; next: cd {target} && rjc new person\n")
    text = (target / "rjc.yaml").read_text()
    assert ("center:\n  name: Barre Community Justice Center\n  address: 1 Main Street, Barre, VT 05641\n"
            "  phone: 802 555 0100\ntimezone:") in text
    assert not (target / ".git" / "hooks" / "pre-commit").exists()
