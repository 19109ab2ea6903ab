"""Graded responses, the input of every learner model, and the dataset file format.

A response is one answer of one learner to one item (a question), tagged with the skills the
item exercises. Responses of a learner are kept in the order they happened: models predict each
one from the earlier ones only.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATASET_COLUMNS = ("user_id", "item_id", "timestamp", "correct", "skill_id")


@dataclass(frozen=True, slots=True)
class Response:
    user_id: str
    item_id: str
    skill_ids: tuple[str, ...]
    correct: bool


@dataclass(slots=True)
class Responses:
    """Parallel columns of responses, grouped by learner, in the order they happened."""

    user_ids: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    skill_ids: list[tuple[str, ...]] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.user_ids)

    def append(self, response: Response) -> None:
        self.user_ids.append(response.user_id)
        self.item_ids.append(response.item_id)
        self.skill_ids.append(response.skill_ids)
        self.correct.append(response.correct)

    def __iter__(self) -> Iterator[Response]:
        for user, item, skills, right in zip(
            self.user_ids, self.item_ids, self.skill_ids, self.correct, strict=True
        ):
            yield Response(user, item, skills, right)

    def labels(self) -> np.ndarray:
        return np.asarray(self.correct, dtype=np.float64)

    @classmethod
    def of(cls, responses: Iterable[Response]) -> "Responses":
        """Groups the responses by learner, keeping each learner's order."""
        by_user: dict[str, list[Response]] = {}
        for response in responses:
            by_user.setdefault(response.user_id, []).append(response)
        grouped = cls()
        for sequence in by_user.values():
            for response in sequence:
                grouped.append(response)
        return grouped


class DatasetFormatError(ValueError):
    """The file is not in the dataset format (tab-separated, DATASET_COLUMNS)."""


def load_tsv(path: Path) -> Responses:
    """Reads a dataset file: tab-separated, its header starting with ``DATASET_COLUMNS``, the
    rows of each user in the order the attempts happened (../shared/datasets/README.md)."""
    with path.open(newline="") as file:
        reader = csv.reader(file, delimiter="\t")
        header = next(reader, None)
        # Further columns (such as another model's predictions) are ignored.
        if header is None or tuple(h.strip() for h in header[:5]) != DATASET_COLUMNS:
            expected = "\t".join(DATASET_COLUMNS)
            raise DatasetFormatError(f"{path}: expected a tab-separated header {expected!r}")
        rows = []
        for line_number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < len(DATASET_COLUMNS) or row[3] not in ("0", "1"):
                raise DatasetFormatError(f"{path}:{line_number}: malformed row {row!r}")
            rows.append(Response(row[0], row[1], (row[4],), row[3] == "1"))
    return Responses.of(rows)
