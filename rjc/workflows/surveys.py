"""Surveys returned: a participant's exit survey or a victim's survey, recorded on the case.

The answers are checked against the questions in `rjc.yaml` before anything is written, each
problem named with its file, line and question when they came from a file.
"""

from __future__ import annotations

import datetime as dt

from rjc.model import Case
from rjc.model.case import SurveyResponse
from rjc.model.surveys import answer_problems
from rjc.model.vocab import Role, SurveyKind
from rjc.storage import yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import Result
from rjc.workflows.repository import Repository

RULE = "survey-answers"


def who_answers(case: Case, kind: SurveyKind, person: str | None) -> str | None:
    """The person a survey is recorded for: a victim survey names a victim on the case (by id)."""
    victims = case.people(Role.VICTIM)
    if kind == SurveyKind.VICTIM:
        if person is None:
            listed = ", ".join(victims) or "none"
            raise RjcError(f"a victim survey names the victim who answered it: --person ID "
                           f"(victims on {case.id}: {listed})")
        if person not in victims:
            raise RjcError(f"{person} is not a victim on {case.id}")
    elif person is not None and (person in victims or person not in case.people()):
        raise RjcError(f"{person} is not a participant (other than a victim) on {case.id}")
    return person


def record(repo: Repository, case_id: str, kind: SurveyKind, answers: dict, *, day: dt.date,
           person: str | None = None, source: yamlio.Document | None = None, path: str = "<input>") -> Result:
    """Record a returned survey on the case, in one commit. `source`: the file the answers were
    read from, whose lines a problem names."""
    answers = {k: v for k, v in answers.items() if v is not None}  # a question left blank was not answered
    if not answers:
        raise RjcError("the survey has no answers; nothing was changed")
    survey = repo.settings.surveys.of(kind)
    problems = answer_problems(survey, kind, answers)
    if problems:
        listed = [Problem(path, *(source.locate((key,), key=at_key) if source else (0, 0)), RULE, why)
                  for key, at_key, why in problems]
        raise RjcError(f"the survey's answers do not fit its questions in rjc.yaml "
                       f"({len(listed)} problem{'s' * (len(listed) != 1)}); nothing was changed", listed)
    with repo.transaction("survey record") as tx:
        case = repo.get(case_id)
        if not isinstance(case, Case):
            raise RjcError(f"{case_id} is not a case")
        if day < case.opened:
            raise RjcError(f"{day} is before the case was opened ({case.opened}); nothing was changed")
        case.surveys.append(SurveyResponse.new(kind=kind, date=day, person=who_answers(case, kind, person),
                                               answers={str(k): v for k, v in answers.items()}))
        tx.stage(case)
        return tx.commit("survey record")
