"""The algorithms under the progress API: merging watched ranges (with properties) and the
course completion rules."""

import itertools
import uuid

from hypothesis import given
from hypothesis import strategies as st

from learnwise.content.content_types import QuizContent
from learnwise.content.schemas import CourseSettings, OutlineItem, OutlineModule
from learnwise.progress import completion
from learnwise.progress.video import coverage_percentage, covered_seconds, merge_ranges

DURATION = 600.0

ranges = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=800, allow_nan=False),
        st.floats(min_value=0, max_value=800, allow_nan=False),
    ).map(sorted),
    max_size=30,
)


def test_ranges_merge_into_disjoint_sorted_ones() -> None:
    assert merge_ranges([[50, 100], [0, 10], [90, 120], [10.5, 20]], duration=DURATION) == [
        [0.0, 20.0],
        [50.0, 120.0],
    ]


def test_ranges_are_clipped_to_the_video() -> None:
    assert merge_ranges([[-5, 3], [590, 700], [650, 660]], duration=DURATION) == [
        [0.0, 3.0],
        [590.0, 600.0],
    ]


@given(ranges)
def test_merging_is_a_union_within_the_video(given_ranges: list[list[float]]) -> None:
    merged = merge_ranges(given_ranges, duration=DURATION)

    assert all(0 <= start < end <= DURATION for start, end in merged)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(merged))
    assert covered_seconds(merged) <= DURATION
    for start, end in given_ranges:
        start, end = max(start, 0), min(end, DURATION)
        if end - start > 0.01:
            assert any(m[0] - 0.001 <= start and end <= m[1] + 0.001 for m in merged)


@given(ranges, ranges)
def test_merging_is_idempotent_and_never_loses_coverage(
    first: list[list[float]], second: list[list[float]]
) -> None:
    once = merge_ranges(first, duration=DURATION)
    both = merge_ranges([*once, *second], duration=DURATION)

    assert merge_ranges(once, duration=DURATION) == once
    assert coverage_percentage(both, duration=DURATION) >= coverage_percentage(
        once, duration=DURATION
    )


def test_coverage_is_rounded_down() -> None:
    assert coverage_percentage([[0, 539.9]], duration=DURATION) == 89
    assert coverage_percentage([[0, 540]], duration=DURATION) == 90


def test_a_lesson_s_reading_time_has_bounds() -> None:
    assert completion.lesson_min_read_seconds("word " * 2, None) == completion.MIN_READ_SECONDS
    assert completion.lesson_min_read_seconds("word " * 200, None) == 18
    assert completion.lesson_min_read_seconds("", 10) == 180
    assert completion.lesson_min_read_seconds("", 600) == completion.MAX_READ_SECONDS


def test_the_stricter_passing_score_applies() -> None:
    quiz = QuizContent.model_validate(
        {
            "type": "quiz",
            "passing_score": 0.8,
            "questions": [
                {"id": "q", "type": "true_false", "prompt": "?", "correct": True},
            ],
        }
    )

    assert completion.passing_fraction(quiz, CourseSettings(passing_score=50)) == 0.8
    assert completion.passing_fraction(quiz, CourseSettings(passing_score=90)) == 0.9


def module(
    title: str, items: list[tuple[str, bool]], requires: tuple[uuid.UUID, ...] = ()
) -> OutlineModule:
    return OutlineModule(
        module_id=uuid.uuid5(uuid.NAMESPACE_URL, title),
        title=title,
        description="",
        description_html="",
        sequence_number=1,
        status="published",
        prerequisite_ids=list(requires),
        items=[
            OutlineItem(
                content_id=uuid.uuid5(uuid.NAMESPACE_URL, name),
                title=name,
                type="lesson",
                sequence_number=n,
                is_required=required,
            )
            for n, (name, required) in enumerate(items, start=1)
        ],
    )


def item_id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


def test_a_course_s_completion() -> None:
    first = module("first", [("a", True), ("b", False), ("c", True)])
    second = module("second", [("d", True)], requires=(first.module_id,))
    empty = module("empty", [("e", False)])
    outline = [first, second, empty]

    open_course = completion.evaluate(outline, {item_id("a")}, enforce_prerequisites=False)
    locked = completion.evaluate(outline, {item_id("a")}, enforce_prerequisites=True)
    done = completion.evaluate(outline, {item_id(n) for n in "acd"}, enforce_prerequisites=True)

    assert (open_course.required_items, open_course.completed_required_items) == (3, 1)
    assert open_course.percent_complete == 33.3
    assert open_course.next_item is not None and open_course.next_item.title == "c"
    assert [m.unlocked for m in locked.modules] == [True, False, True]
    assert [m.completed for m in locked.modules] == [False, False, True]
    assert done.completed and done.next_item is None and done.percent_complete == 100.0


def test_a_locked_module_s_items_are_never_next() -> None:
    first = module("first", [("a", False)])
    gate = module("gate", [("g", True)])
    later = module("later", [("l", True)], requires=(gate.module_id,))

    state = completion.evaluate([first, later, gate], set(), enforce_prerequisites=True)

    assert state.next_item is not None and state.next_item.title == "g"


def test_a_course_without_required_items_is_never_complete() -> None:
    state = completion.evaluate(
        [module("optional", [("x", False)])], {item_id("x")}, enforce_prerequisites=False
    )

    assert (state.completed, state.percent_complete) == (False, 0.0)
