"""Content schemas per type, and the learner's view that leaves the answer key out."""

import pytest
from pydantic import ValidationError

from learnwise.content.content_types import (
    dump_content,
    learner_view,
    normalise_answer,
    parse_content,
)
from learnwise.content.render import with_html

from .samples import ANSWER_KEY_FIELDS, INVALID, VALID, keys_anywhere


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_type_round_trips(kind: str) -> None:
    content = dump_content(parse_content(VALID[kind]))
    assert content["type"] == kind
    assert dump_content(parse_content(content)) == content


@pytest.mark.parametrize(("name", "content", "where"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_content_is_refused_naming_the_field(name: str, content: dict, where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_content(content)
    locations = [".".join(map(str, error["loc"])) for error in caught.value.errors()]
    assert any(where in location for location in locations) or where == "content", locations


def test_links_are_normalised_http_urls() -> None:
    content = dump_content(parse_content({"type": "link", "url": "HTTPS://Example.org"}))
    assert content["url"] == "https://example.org/"


def test_learner_view_keeps_the_questions_but_not_the_answer_key() -> None:
    view = learner_view(dump_content(parse_content(VALID["quiz"])))
    assert not keys_anywhere(view) & ANSWER_KEY_FIELDS
    assert [q["id"] for q in view["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert view["questions"][0]["options"] == VALID["quiz"]["questions"][0]["options"]
    assert view["questions"][4]["points"] == 2
    assert view["passing_score"] == 0.5


def test_learner_view_with_html_still_has_no_answer_key() -> None:
    view = with_html(learner_view(dump_content(parse_content(VALID["quiz"]))))
    assert not keys_anywhere(view) & ANSWER_KEY_FIELDS
    assert "explanation_html" not in keys_anywhere(view)
    assert view["questions"][0]["prompt_html"].startswith("<p>What is")


@pytest.mark.parametrize("kind", sorted(set(VALID) - {"quiz"}))
def test_learner_view_of_other_types_is_the_content(kind: str) -> None:
    content = dump_content(parse_content(VALID[kind]))
    assert learner_view(content) == content


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Paris  ", "paris"),
        ("PARIS,\tFrance", "paris, france"),
        ("\uff30\uff41\uff52\uff49\uff53", "paris"),  # fullwidth letters, NFKC
        ("Straße", "strasse"),  # casefold, not lower
    ],
)
def test_short_answers_are_normalised(given: str, expected: str) -> None:
    assert normalise_answer(given) == expected


def test_case_sensitive_answers_keep_case() -> None:
    assert normalise_answer("  NaCl ", case_sensitive=True) == "NaCl"


def test_accepted_answers_equal_after_normalisation_are_refused() -> None:
    question = {**VALID["quiz"]["questions"][3], "accepted_answers": ["Paris", " paris"]}
    with pytest.raises(ValidationError, match="duplicate"):
        parse_content({"type": "quiz", "questions": [question]})
