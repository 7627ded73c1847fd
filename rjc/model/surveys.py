"""Surveys: the questions a center asks (in `rjc.yaml`) and what an answer to each may be.

An answer is kept in the case file as the text that was typed (`'4'`, `'yes'`, an option, free
text): its meaning comes from the question in `rjc.yaml`, which a record's own schema cannot
know. `answer_problem` is the one place that says whether an answer fits its question, for
the prompts, `--file` input and `rjc check` alike.
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from rjc.model.base import Strict, Text
from rjc.model.vocab import Program, QuestionKind

SCALE = (1, 5)
YES, NO = "yes", "no"
# Question keys and choice options are short slugs, like rjc's own vocabularies.
SLUG = r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$"
_SLUG = re.compile(SLUG)


class Question(Strict):
    key: str = Field(pattern=SLUG, max_length=40, description="how answers name it: felt_heard")
    text: Text
    kind: QuestionKind
    options: list[str] = []  # a choice question's options, as slugs

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Question:
        if self.kind == QuestionKind.CHOICE:
            if len(self.options) < 2:
                raise ValueError(f"choice question '{self.key}' needs at least two options")
            bad = [o for o in self.options if not _SLUG.fullmatch(o) or len(o) > 40]
            if bad:
                raise ValueError(f"options are short slugs (like very-easy), not: {', '.join(bad)}")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"choice question '{self.key}' lists an option twice")
        elif self.options:
            raise ValueError(f"only choice questions have options; '{self.key}' is {self.kind.value}")
        return self


def _q(key: str, text: str, kind: QuestionKind, *options: str) -> Question:
    return Question(key=key, text=text, kind=kind, options=list(options))


class Survey(Strict):
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> Survey:
        keys = [q.key for q in self.questions]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"question keys must be unique: {', '.join(twice)}")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


PARTICIPANT_QUESTIONS = Survey(questions=[
    _q("felt_heard", "I felt heard during the process (1 = not at all, 5 = completely)", QuestionKind.SCALE),
    _q("treated_fairly", "I was treated fairly (1 = not at all, 5 = completely)", QuestionKind.SCALE),
    _q("understood_harm", "I understand better how my actions affected others", QuestionKind.SCALE),
    _q("would_recommend", "Would you recommend the program to someone in your place?", QuestionKind.YES_NO),
    _q("agreement_fair", "The agreement was", QuestionKind.CHOICE, "too-hard", "about-right", "too-easy"),
    _q("comments", "Anything else you want to tell us?", QuestionKind.TEXT),
])
VICTIM_QUESTIONS = Survey(questions=[
    _q("felt_heard", "I felt heard during the process (1 = not at all, 5 = completely)", QuestionKind.SCALE),
    _q("harm_addressed", "The harm done to me was addressed (1 = not at all, 5 = completely)", QuestionKind.SCALE),
    _q("felt_safe", "Did you feel safe taking part?", QuestionKind.YES_NO),
    _q("would_recommend", "Would you recommend taking part to someone in your place?", QuestionKind.YES_NO),
    _q("how_took_part", "How did you take part?", QuestionKind.CHOICE, "attended", "statement", "other"),
    _q("comments", "Anything else you want to tell us?", QuestionKind.TEXT),
])


class Surveys(Strict):
    """The participant exit survey and the victim survey, and who is asked for them."""

    participant: Survey = PARTICIPANT_QUESTIONS
    victim: Survey = VICTIM_QUESTIONS
    # Closed cases of these programs ask for a participant survey; every case asks its victims
    # who took part (attended or wrote a statement) for a victim survey.
    participant_programs: list[Program] = [Program.PRE_CHARGE_DIVERSION]
    remind_after_days: int = Field(default=30, ge=0)  # after closing, a missing survey is reminded

    def of(self, kind: str) -> Survey:
        return self.participant if kind == "participant" else self.victim


def answer_problem(question: Question, text: str) -> str | None:
    """Why `text` is not an answer to `question`, or None when it is."""
    if question.kind == QuestionKind.SCALE:
        low, high = SCALE
        if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
            return f"'{question.key}' is answered {low} to {high}, not '{text}'"
    elif question.kind == QuestionKind.YES_NO:
        if text not in (YES, NO):
            return f"'{question.key}' is answered yes or no, not '{text}'"
    elif question.kind == QuestionKind.CHOICE:
        if text not in question.options:
            return f"'{question.key}' is answered with one of {', '.join(question.options)}, not '{text}'"
    elif not text.strip():
        return f"'{question.key}' is empty; leave it out instead"
    return None


def normal(question: Question, text: str) -> str:
    """An answer as typed at a prompt, as it is kept: `Yes ` is `yes`, ` 4` is `4`."""
    text = text.strip()
    return text.lower() if question.kind in (QuestionKind.YES_NO, QuestionKind.CHOICE) else text


def countable(text: str) -> bool:
    """Whether an answer may be an answer the reports count (a scale, yes/no or choice answer):
    report facts keep only these, so free text (which is rarely a slug) stays out of the cache's facts."""
    return bool(_SLUG.fullmatch(text) or (text.isascii() and text.isdigit() and len(text) == 1))


def answer_problems(survey: Survey, kind: str, answers: dict) -> list[tuple[str, bool, str]]:
    """(question key, whether the key itself is wrong, why) for each answer that does not fit."""
    found = []
    for key, value in answers.items():
        question = survey.question(str(key))
        if question is None:
            found.append((key, True, f"'{key}' is not a question of the {kind} survey in rjc.yaml "
                                     f"(its questions: {', '.join(q.key for q in survey.questions)})"))
        elif not isinstance(value, str):
            found.append((key, False, f"'{key}' is answered with one value, not a list or a mapping"))
        elif (why := answer_problem(question, value)) is not None:
            found.append((key, False, why))
    return found
