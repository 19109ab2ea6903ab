"""FSRS scheduling with the ``fsrs`` package: ratings from grades, cards to and from rows."""

from datetime import datetime
from enum import StrEnum

from fsrs import Card, Rating, Scheduler, State

from learnwise.ai.reviews.models import ReviewCard


class ReviewRating(StrEnum):
    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


_FSRS_RATING = {
    ReviewRating.AGAIN: Rating.Again,
    ReviewRating.HARD: Rating.Hard,
    ReviewRating.GOOD: Rating.Good,
    ReviewRating.EASY: Rating.Easy,
}


def rating_from_score(score: float, *, passed: bool) -> ReviewRating:
    """How well a graded attempt recalled its subject: failing is a lapse, a perfect score easy."""
    if not passed or score < 0.5:
        return ReviewRating.AGAIN
    if score < 0.8:
        return ReviewRating.HARD
    if score < 1.0:
        return ReviewRating.GOOD
    return ReviewRating.EASY


def make_scheduler(*, desired_retention: float) -> Scheduler:
    # Fuzzing spreads the reviews of cards learned together over nearby days.
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=True)


def _as_card(row: ReviewCard) -> Card:
    return Card(
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


def new_state(row: ReviewCard, at: datetime) -> None:
    """Gives a new row the state of a new FSRS card, due at once."""
    card = Card(due=at)
    _copy(card, row)
    row.reviews = 0
    row.lapses = 0


def review(scheduler: Scheduler, row: ReviewCard, rating: ReviewRating, at: datetime) -> None:
    """Applies one review made at ``at`` to the row."""
    was_review = row.state == State.Review.value
    card, _ = scheduler.review_card(_as_card(row), _FSRS_RATING[rating], review_datetime=at)
    _copy(card, row)
    row.reviews += 1
    if was_review and rating == ReviewRating.AGAIN:
        row.lapses += 1


def retrievability(scheduler: Scheduler, row: ReviewCard, at: datetime) -> float:
    """The probability of recalling the subject at ``at`` (1 for a card never reviewed)."""
    return float(scheduler.get_card_retrievability(_as_card(row), current_datetime=at))


def _copy(card: Card, row: ReviewCard) -> None:
    row.state = card.state.value
    row.step = card.step
    row.stability = card.stability
    row.difficulty = card.difficulty
    row.due = card.due
    row.last_review = card.last_review
