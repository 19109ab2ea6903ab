"""The structured diff between versions, and If-Match parsing."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnwise.content.versioning import diff_documents, etag, parse_if_match

from .samples import all_questions, quiz


def changes(old, new) -> list[tuple[str, str, object, object]]:
    return [(c.kind, c.field, c.old, c.new) for c in diff_documents(old, new)]


def test_identical_documents_have_no_changes() -> None:
    assert diff_documents(quiz(), quiz()) == []


def test_a_changed_prompt_is_reported_by_question_id() -> None:
    new = quiz()
    new["questions"][2]["prompt"] = "Is Python interpreted?"
    [change] = diff_documents(quiz(), new)
    assert change.kind == "changed"
    assert change.path == ["questions", "q3", "prompt"]
    assert change.field == "questions[id=q3].prompt"
    assert change.old == "Python is compiled to bytecode."
    assert change.new == "Is Python interpreted?"


def test_inserting_a_question_is_one_addition_not_a_cascade() -> None:
    new = quiz()
    inserted = {**all_questions()[2], "id": "q0", "prompt": "New first question"}
    new["questions"].insert(0, inserted)
    assert changes(quiz(), new) == [("added", "questions[id=q0]", None, inserted)]


def test_removing_and_reordering_questions() -> None:
    new = quiz()
    new["questions"] = [new["questions"][i] for i in (4, 0, 1, 2)]
    result = changes(quiz(), new)
    assert ("removed", "questions[id=q4]", all_questions()[3], None) in result
    assert (
        "reordered",
        "questions",
        ["q1", "q2", "q3", "q4", "q5"],
        ["q5", "q1", "q2", "q3"],
    ) in result
    assert len(result) == 2


def test_nested_keyed_lists_options_and_answers() -> None:
    new = quiz()
    new["questions"][1]["options"][2]["text"] = "6"
    new["questions"][1]["correct"] = ["a"]
    assert changes(quiz(), new) == [
        ("changed", "questions[id=q2].options[id=c].text", "4", "6"),
        ("removed", "questions[id=q2].correct", "c", None),
    ]


def test_added_and_removed_keys_and_type_changes() -> None:
    old = {"a": 1, "b": True, "c": {"d": [1, 2]}}
    new = {"a": 1.0, "b": 1, "c": {"e": None}}
    assert changes(old, new) == [
        ("changed", "b", True, 1),
        ("removed", "c.d", [1, 2], None),
        ("added", "c.e", None, None),
    ]


def test_scalar_lists_report_values_added_and_removed() -> None:
    assert changes({"tags": ["x", "y"]}, {"tags": ["y", "z", "z"]}) == [
        ("removed", "tags", "x", None),
        ("added", "tags", None, "z"),
        ("added", "tags", None, "z"),
    ]
    assert changes({"tags": ["x", "y"]}, {"tags": ["y", "x"]}) == [
        ("reordered", "tags", ["x", "y"], ["y", "x"])
    ]


def test_lists_without_ids_are_compared_by_position() -> None:
    old = {"captions": [{"language": "en"}, {"language": "fr"}]}
    new = {"captions": [{"language": "de"}]}
    assert changes(old, new) == [
        ("changed", "captions[0].language", "en", "de"),
        ("removed", "captions[1]", {"language": "fr"}, None),
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "x", "y"]), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(deadline=None)
@given(json_values, json_values)
def test_no_changes_exactly_when_equal(old, new) -> None:
    same = _json_equal(old, new)
    assert (diff_documents(old, new) == []) == same
    assert diff_documents(copy.deepcopy(old), old) == []


def _json_equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_json_equal, a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('W/"3"', {3}),
        ('"3"', {3}),
        ('W/"3", "4"', {3, 4}),
        ("*", None),
        ("3", None),
        ('W/"abc"', None),
        ("", None),
    ],
)
def test_if_match(header: str, versions: set[int] | None) -> None:
    assert parse_if_match(header) == versions


def test_etag_is_weak_and_names_the_version() -> None:
    assert etag(7) == 'W/"7"'
    assert parse_if_match(etag(7)) == {7}
