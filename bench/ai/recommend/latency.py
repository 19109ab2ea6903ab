"""Per-request work of GET /ai/recommend on a large catalog: 10,000 items, 100,000 learners.

Builds the catalog snapshot (``catalog.build``) from synthetic rows shaped as the database
returns them: 50 courses x 20 modules x 10 items, 500 skills, and 100,000 learners each
enrolled in 1-3 courses with 0-40 completions that follow course order with some skipping.
Then times what a request computes on the snapshot for random learners (``ranking.gather``
and ``ranking.rank``), against a baseline measured in the same run: ranking the same learners
by popularity alone (``behaviour.top_items`` over the popularity vector).

The database reads of a request (the learner's completions, enrollments, due reviews,
settings and the learner model's estimates: five indexed single-learner queries) are not in
these figures.

    cd backend && uv run --frozen python ../bench/ai/recommend/latency.py
"""

import argparse
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from learnwise.ai.recommend import behaviour, catalog, ranking


def synthetic(learners: int, seed: int = 3) -> tuple[dict, list[list[int]], list[set]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    skills = [uuid.UUID(int=i + 1) for i in range(500)]
    rows, item_skills, module_edges, course_items = [], [], [], []
    for c in range(50):
        course_id = uuid.UUID(int=10**6 + c)
        published = now - timedelta(days=rng.randint(0, 400))
        items = []
        previous = None
        for m in range(20):
            module_id = uuid.UUID(int=10**7 + c * 100 + m)
            if previous is not None:
                module_edges.append(SimpleNamespace(module_id=module_id, requires_id=previous))
            previous = module_id
            for i in range(10):
                content_id = uuid.UUID(int=10**8 + len(rows))
                rows.append((
                    content_id, f"Course {c} lesson {m}.{i} on topic {rng.randint(0, 300)}",
                    rng.choice(["lesson", "video", "quiz"]), module_id, True, {}, {},
                    published, course_id, f"course-{c}", f"Course {c}", published,
                ))  # fmt: skip
                item_skills.append(
                    SimpleNamespace(content_id=content_id, skill_id=rng.choice(skills))
                )
                items.append(len(rows) - 1)
        course_items.append(items)
    completions, enrollments, histories, enrolled = [], [], [], []
    for u in range(learners):
        user_id = uuid.UUID(int=10**9 + u)
        courses = rng.sample(range(50), rng.randint(1, 3))
        done: list[int] = []
        for c in courses:
            enrollments.append((user_id, uuid.UUID(int=10**6 + c)))
            progress = rng.randint(0, 40 // len(courses))
            done += [i for i in course_items[c][:progress] if rng.random() > 0.1]
        completions += [(user_id, rows[i][0]) for i in done]
        histories.append(done)
        enrolled.append({uuid.UUID(int=10**6 + c) for c in courses})
    data = {
        "items": rows,
        "item_skills": item_skills,
        "module_edges": module_edges,
        "skill_edges": [
            SimpleNamespace(skill_id=skills[i], requires_id=skills[i - 1 - rng.randint(0, 5)])
            for i in range(10, 500, 3)
        ],
        "skills": [(s, f"skill {i}") for i, s in enumerate(skills)],
        "completions": completions,
        "enrollments": enrollments,
    }
    return data, histories, enrolled


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    started = time.perf_counter()
    data, histories, enrolled = synthetic(args.learners)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    snapshot = catalog.build(data)
    built = time.perf_counter() - started
    tuning = ranking.Tuning(0.6, 0.85, 14)
    now = datetime.now(UTC)
    rng = random.Random(5)
    ours, baseline = [], []
    for _ in range(args.requests):
        u = rng.randrange(args.learners)
        learner = ranking.LearnerState(
            completed=set(histories[u]), recent=list(histories[u]), enrolled=enrolled[u]
        )
        started = time.perf_counter()
        candidates = ranking.gather(snapshot, learner, now, tuning)
        ranking.rank(candidates, learner, snapshot, tuning, 10)
        ours.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        behaviour.top_items(snapshot.behaviour.popularity, 10, sorted(learner.completed))
        baseline.append(1000 * (time.perf_counter() - started))
    print(
        json.dumps(
            {
                "items": len(snapshot.items),
                "learners": args.learners,
                "completions": len(data["completions"]),
                "generate_seconds": round(generated, 1),
                "snapshot_build_seconds": round(built, 1),
                "requests": args.requests,
                "ranking_ms": {
                    "p50": round(percentile(ours, 0.5), 2),
                    "p95": round(percentile(ours, 0.95), 2),
                },
                "popularity_ms": {
                    "p50": round(percentile(baseline, 0.5), 3),
                    "p95": round(percentile(baseline, 0.95), 3),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
