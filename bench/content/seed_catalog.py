"""Fills the bench's database with a catalog: instructors and published courses, in bulk.

Ten thousand courses through the API would take longer than the bench itself, so they are
inserted in batches straight into the tables, with the same ``search_document`` the content
service writes (``learnwise.content.search.search_document``), which the full-text index covers.
The words come from small vocabularies, so that queries built from them (``queries.py``) match
some courses and not others, as real searches do.

    python seed_catalog.py DATABASE_URL --courses 10000 --instructors 100
"""

import argparse
import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from learnwise.auth.models import User
from learnwise.content.models import Course
from learnwise.content.search import search_document

SUBJECTS = [
    "python", "statistics", "spanish", "algebra", "calculus", "chemistry", "biology", "physics",
    "history", "economics", "photography", "drawing", "guitar", "writing", "marketing",
    "accounting", "javascript", "databases", "networking", "security", "french", "german",
    "geometry", "astronomy", "nutrition", "psychology", "philosophy", "design", "robotics",
    "finance", "rust", "linux", "excel", "cooking", "gardening", "poetry", "music", "ethics",
]  # fmt: skip
ADJECTIVES = [
    "practical", "applied", "modern", "essential", "complete", "gentle", "advanced", "hands-on",
    "visual", "everyday", "professional", "creative", "quick", "deep", "friendly", "rigorous",
]  # fmt: skip
FORMS = [
    "foundations", "workshop", "bootcamp", "masterclass", "primer", "projects", "patterns",
    "fundamentals", "crash course", "lab", "toolkit", "essentials", "in practice", "deep dive",
]  # fmt: skip
GOALS = [
    "data analysis", "problem solving", "exam preparation", "career change", "travel",
    "research", "teaching", "small business", "web development", "public speaking",
    "everyday life", "interviews", "automation", "visualisation", "storytelling",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Alan", "Grace", "Linus", "Marie", "Nikola", "Rosalind", "Carl", "Emmy", "Hedy",
    "Katherine", "Dorothy", "Barbara", "Claude", "Edsger", "Frances", "Ines", "Omar", "Priya",
    "Wei", "Yuki", "Zanele", "Mateo", "Sofia", "Amara", "Lars", "Chen", "Farah", "Olu", "Nadia",
]  # fmt: skip
LAST_NAMES = [
    "Lovelace", "Turing", "Hopper", "Torvalds", "Curie", "Tesla", "Franklin", "Sagan", "Noether",
    "Lamarr", "Johnson", "Vaughan", "Liskov", "Shannon", "Dijkstra", "Allen", "Okafor", "Haddad",
    "Sharma", "Zhang", "Tanaka", "Dlamini", "Garcia", "Rossi", "Mensah", "Nilsson", "Kowalski",
]  # fmt: skip
LEVELS = ["beginner", "intermediate", "advanced"]
LANGUAGES = ["en", "en", "en", "es", "fr", "de", "pt-BR"]
BATCH = 1000


def instructor_rows(count: int, rng: random.Random, run_id: str) -> list[dict]:
    return [
        {
            "user_id": uuid.uuid4(),
            "email": f"instructor-{i}-{run_id}@bench.learnwise.dev",
            "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "password_hash": None,
            "is_active": True,
        }
        for i in range(count)
    ]


def course_rows(count: int, instructors: list[dict], rng: random.Random) -> list[dict]:
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(ADJECTIVES).title()} {subject.title()} {rng.choice(FORMS).title()}"
        summary = (
            f"A {rng.choice(LEVELS)} course in {subject} for {rng.choice(GOALS)}, "
            f"with {rng.choice(SUBJECTS)} and {rng.choice(GOALS)} along the way."
        )
        tags = sorted({subject, *rng.sample(SUBJECTS, 2)})
        owner = rng.choice(instructors)
        published = now - timedelta(minutes=i)
        rows.append(
            {
                "course_id": uuid.uuid4(),
                "slug": f"{subject}-{i}",
                "title": title,
                "summary": summary,
                "description": f"# {title}\n\n{summary}",
                "level": rng.choice(LEVELS),
                "language": rng.choice(LANGUAGES),
                "tags": tags,
                "estimated_minutes": rng.randrange(30, 1200, 30),
                "status": "published",
                "owner_id": owner["user_id"],
                "settings": {},
                "published_at": published,
                "created_at": published - timedelta(days=1),
                "updated_at": published,
                "search_document": search_document(
                    title=title,
                    summary=summary,
                    tags=tags,
                    instructor_names=[owner["display_name"]],
                ),
                "revision": 1,
            }
        )
    return rows


async def seed(database_url: str, *, courses: int, instructors: int, seed: int = 7) -> int:
    """Inserts the instructors and courses; returns how many courses the catalog now lists."""
    rng = random.Random(seed)
    engine = create_async_engine(database_url)
    try:
        people = instructor_rows(instructors, rng, uuid.uuid4().hex[:8])
        rows = course_rows(courses, people, rng)
        async with engine.begin() as connection:
            await connection.execute(insert(User), people)
            for start in range(0, len(rows), BATCH):
                await connection.execute(insert(Course), rows[start : start + BATCH])
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE courses"))
            await connection.execute(text("ANALYZE users"))
            listed = await connection.scalar(
                text("SELECT count(*) FROM courses WHERE status = 'published'")
            )
        return int(listed or 0)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--instructors", type=int, default=100)
    args = parser.parse_args()
    listed = asyncio.run(
        seed(args.database_url, courses=args.courses, instructors=args.instructors)
    )
    print(f"{listed} published courses")


if __name__ == "__main__":
    main()
