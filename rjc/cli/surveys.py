"""Surveys returned: rjc survey record."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from rjc.cli.options import DateOption, YesOption
from rjc.cli.options import done as _done
from rjc.cli.options import event_day as _event_day
from rjc.cli.repo import open_repository
from rjc.model.vocab import SurveyKind

survey_app = typer.Typer(help="Participant exit surveys and victim surveys.", no_args_is_help=True)


@survey_app.command("record")
def record(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    kind: Annotated[SurveyKind, typer.Option(case_sensitive=False, help="Whose survey it is.")],
    person: Annotated[Optional[str], typer.Option(
        metavar="PERSON", help="Who answered, by person id: the victim, for a victim survey.")] = None,
    file: Annotated[Optional[str], typer.Option(
        "--file", "-f", metavar="FILE", help="YAML of answers, `question_key: answer`; '-' for stdin.")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Record a returned survey on a case; its questions are the center's, in rjc.yaml.

    On a terminal each question is asked, and each answer checked as it is typed (blank skips
    a question). Otherwise the answers are read as YAML from --file or stdin:
    `felt_heard: 4`, `would_recommend: yes`, `agreement_fair: about-right`.
    """
    from rjc.cli.output import read_source
    from rjc.storage import yamlio
    from rjc.storage.errors import RjcError
    from rjc.workflows import casework, surveys

    when = _event_day(date, yes)
    repo = open_repository()
    who = person.upper() if person else None
    if file is None and sys.stdin.isatty():
        case = casework.load_case(repo, case_id)
        if kind == SurveyKind.VICTIM and who is None:
            who = _ask_victim(case)
        surveys.who_answers(case, kind, who)  # before the questions, not after them
        answers = _ask(repo.settings.surveys.of(kind))
        _done(surveys.record(repo, case_id, kind, answers, day=when, person=who))
        return
    source, path = (file, file) if file else ("-", "<stdin>")
    document = yamlio.load(read_source(source), path)
    if not isinstance(document.data, dict):
        raise RjcError(f"{path}: expected a mapping of question keys to answers")
    _done(surveys.record(repo, case_id, kind, document.data, day=when, person=who, source=document, path=path))


def _ask_victim(case) -> str:
    from rjc.model.vocab import Role
    from rjc.storage.errors import RjcError

    victims = case.people(Role.VICTIM)
    if not victims:
        raise RjcError(f"{case.id} has no victim to record a victim survey for")
    while True:
        answer = typer.prompt(f"Victim who answered (person id: {', '.join(victims)})",
                              default=victims[0] if len(victims) == 1 else "", show_default=len(victims) == 1)
        if answer.strip().upper() in victims:
            return answer.strip().upper()
        typer.echo(f"  one of: {', '.join(victims)}", err=True)


_HINTS = {"scale": "1-5", "yes-no": "yes/no", "text": "text"}


def _ask(survey) -> dict[str, str]:
    """Each question in turn; an answer that does not fit is asked again, a blank skips."""
    from rjc.model.surveys import answer_problem, normal

    answers: dict[str, str] = {}
    for question in survey.questions:
        hint = "/".join(question.options) if question.options else _HINTS[question.kind.value]
        while True:
            typed = normal(question, typer.prompt(f"{question.text} [{hint}]", default="", show_default=False))
            if not typed:
                break
            why = answer_problem(question, typed)
            if why is None:
                answers[question.key] = typed
                break
            typer.echo(f"  {why}", err=True)
    return answers


def register(app: typer.Typer) -> None:
    app.add_typer(survey_app, name="survey")
