"""Catalog search latency over 10,000 courses on PostgreSQL, one query at a time
(no HTTP, no cache): search.list_courses as the API calls it, for the bench's distinct queries.
Same run, same database, both indexes present: 'new' = this branch's query (stored tsvector
column), 'old' = main's query (to_tsvector(search_document) recomputed, expression index).
Queries alternate old/new. Prints JSON.

    uv run --project backend python bench/content/search_latency.py [QUERIES]
"""

import asyncio
import json
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import asyncpg
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from learnwise.content import search
from learnwise.content.models import Course
from learnwise.content.search import _SIMPLE, CatalogQuery
from learnwise.migrate import upgrade

from queries import varied_paths
from seed_catalog import seed


def old_text_match(statement, *, dialect, terms):
    query = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
    document = func.to_tsvector(_SIMPLE, Course.search_document)
    tsquery = func.to_tsquery(_SIMPLE, query)
    return statement.where(document.op("@@")(tsquery)), -func.ts_rank(document, tsquery)


async def main():
    name = "lw_bench_http_" + secrets.token_hex(4)
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        await upgrade(url)
        listed = await seed(url, courses=10_000, instructors=100)
        engine = create_async_engine(url)
        async with engine.begin() as c:
            await c.execute(
                text(
                    "CREATE INDEX ix_old_expr ON courses "
                    "USING gin (to_tsvector('simple'::regconfig, search_document))"
                )
            )
            await c.execute(text("ANALYZE courses"))
        sm = async_sessionmaker(engine, expire_on_commit=False)
        new_match = search.text_match
        times = {"old": [], "new": []}
        paths = varied_paths(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
        for i, path in enumerate(paths):
            qs = {k: v[0] for k, v in parse_qs(urlparse(path).query).items()}
            q = CatalogQuery(
                q=qs.get("q"),
                level=qs.get("level"),
                tag=qs.get("tag"),
                language=qs.get("language"),
                sort=qs.get("sort"),
            )
            for side in ("old", "new") if i % 2 else ("new", "old"):
                search.text_match = old_text_match if side == "old" else new_match
                async with sm() as s:
                    t = time.perf_counter()
                    await search.list_courses(
                        session=s,
                        principal=None,
                        query=q,
                        offset=int(qs.get("offset", 0)),
                        limit=20,
                    )
                    times[side].append((time.perf_counter() - t) * 1000)
        search.text_match = new_match

        def st(v):
            v = sorted(v)
            n = len(v)
            return {
                "n": n,
                "p50": round(v[n // 2], 1),
                "p95": round(v[int(n * 0.95)], 1),
                "p99": round(v[int(n * 0.99)], 1),
                "max": round(v[-1], 1),
            }

        print(
            json.dumps({"courses_listed": listed, "old": st(times["old"]), "new": st(times["new"])})
        )
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


asyncio.run(main())
