"""The catalog queries the bench sends: what people type into a search box, with the filters
and sorts of GET /api/v1/courses/list, as URL paths, one a line.

``varied_paths`` makes thousands of distinct queries, so that each is sent at most once in a
run and every answer comes from PostgreSQL (the catalog's cache is retired before each run);
``popular_paths`` a few that everyone sends, answered from the cache after the first time.
"""

import random
from urllib.parse import urlencode

from seed_catalog import ADJECTIVES, FORMS, GOALS, LANGUAGES, LAST_NAMES, LEVELS, SUBJECTS

LIST = "/api/v1/courses/list"
SORTS = ["relevance", "newest", "title", "popularity"]


def _words(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    shapes = [
        lambda: subject,  # one word
        lambda: subject[: rng.randint(3, max(3, len(subject) - 1))],  # still typing
        lambda: f"{rng.choice(ADJECTIVES)} {subject}",
        lambda: f"{subject} {rng.choice(FORMS).split()[0]}",
        lambda: rng.choice(GOALS),
        lambda: f"{rng.choice(LAST_NAMES)} {subject[:3]}",  # an instructor and a subject
        lambda: f"{subject} {rng.choice(SUBJECTS)}",
    ]
    return rng.choice(shapes)()


def _path(rng: random.Random) -> str:
    params: dict[str, str | int] = {"q": _words(rng)}
    if rng.random() < 0.3:
        params["level"] = rng.choice(LEVELS)
    if rng.random() < 0.2:
        params["language"] = rng.choice(LANGUAGES).split("-")[0]
    if rng.random() < 0.2:
        params["tag"] = rng.choice(SUBJECTS)
    if rng.random() < 0.3:
        params["sort"] = rng.choice(SORTS)
    if rng.random() < 0.3:
        params["offset"] = rng.choice([20, 40, 60])
    return f"{LIST}?{urlencode(params)}"


def varied_paths(count: int, seed: int = 11) -> list[str]:
    """``count`` distinct catalog queries."""
    rng = random.Random(seed)
    paths: dict[str, None] = {}
    while len(paths) < count:
        paths[_path(rng)] = None
    return list(paths)


def popular_paths() -> list[str]:
    """The same twenty queries from everyone: what the cache serves."""
    return varied_paths(20, seed=3)
