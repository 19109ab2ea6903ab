"""Embeddings of published content: kept up to date when a course is published, searched in
process with numpy.

    vectors = await embed_texts(["a text", ...], settings=settings.ai)     # unit rows, float32
    hits = await similar_items(session=session, settings=settings.ai, item_id=item_id, k=10)

The search holds every stored vector in one matrix per process, rebuilt when the table changes
(its row count or latest ``embedded_at`` differ); a query is then one matrix-vector product.
"""

import hashlib
import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.embeddings import encoder
from learnwise.ai.embeddings.encoder import MODEL_NAME
from learnwise.ai.embeddings.models import ContentEmbedding
from learnwise.ai.text import item_text
from learnwise.config import AISettings
from learnwise.content import item_versions
from learnwise.db import utcnow


@dataclass(frozen=True, slots=True)
class SimilarItem:
    content_id: uuid.UUID
    course_id: uuid.UUID
    score: float  # cosine similarity, -1 to 1


async def embed_texts(texts: list[str], *, settings: AISettings) -> np.ndarray:
    """One unit-length float32 row per text (offline, in a worker thread)."""
    return await encoder.embed_texts(settings, texts)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def index_course(*, session: AsyncSession, settings: AISettings, course_id: uuid.UUID) -> int:
    """Embeds the course's published items whose text changed since they were embedded, and
    forgets the items no longer published. Returns how many items were embedded."""
    published = await item_versions.published_versions(session=session, course_id=course_id)
    stored = {
        e.content_id: e
        for e in await session.scalars(
            select(ContentEmbedding).where(ContentEmbedding.course_id == course_id)
        )
    }
    to_embed: list[tuple[uuid.UUID, int, str]] = []
    for _, version in published:
        text = item_text(version.title, version.content)
        existing = stored.pop(version.content_id, None)
        if (
            existing is not None
            and existing.text_sha256 == _sha256(text)
            and existing.model == MODEL_NAME
            and existing.dim == settings.embedding_dim
        ):
            existing.version = version.version
            continue
        to_embed.append((version.content_id, version.version, text))
    if stored:
        await session.execute(
            delete(ContentEmbedding).where(ContentEmbedding.content_id.in_(list(stored)))
        )
    vectors = await embed_texts([text for _, _, text in to_embed], settings=settings)
    now = utcnow()
    for (content_id, version, text), vector in zip(to_embed, vectors, strict=True):
        row = await session.get(ContentEmbedding, content_id)
        if row is None:
            row = ContentEmbedding(content_id=content_id, course_id=course_id)
            session.add(row)
        row.version = version
        row.model = MODEL_NAME
        row.dim = settings.embedding_dim
        row.text_sha256 = _sha256(text)
        row.vector = vector.astype("<f4").tobytes()
        row.embedded_at = now
    await session.flush()
    return len(to_embed)


@dataclass(frozen=True, slots=True)
class _Index:
    stamp: tuple[int, object]
    content_ids: list[uuid.UUID]
    course_ids: np.ndarray  # object array of UUIDs, aligned with the rows
    matrix: np.ndarray  # (n, dim) float32, unit rows


_indexes: dict[tuple[str, int], _Index] = {}


async def _load_index(*, session: AsyncSession, settings: AISettings) -> _Index:
    stamp_row = (
        await session.execute(
            select(func.count(), func.max(ContentEmbedding.embedded_at)).where(
                ContentEmbedding.model == MODEL_NAME, ContentEmbedding.dim == settings.embedding_dim
            )
        )
    ).one()
    stamp = (int(stamp_row[0]), stamp_row[1])
    key = (str(session.get_bind().engine.url), settings.embedding_dim)
    cached = _indexes.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = (
        await session.execute(
            select(
                ContentEmbedding.content_id, ContentEmbedding.course_id, ContentEmbedding.vector
            ).where(
                ContentEmbedding.model == MODEL_NAME, ContentEmbedding.dim == settings.embedding_dim
            )
        )
    ).all()
    matrix = (
        np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), -1)
        if rows
        else np.zeros((0, settings.embedding_dim), dtype=np.float32)
    )
    index = _Index(
        stamp=stamp,
        content_ids=[r[0] for r in rows],
        course_ids=np.array([r[1] for r in rows], dtype=object),
        matrix=matrix,
    )
    _indexes[key] = index
    return index


async def _query_vector(
    *, session: AsyncSession, settings: AISettings, item_id: uuid.UUID | None, text: str | None
) -> np.ndarray | None:
    if text is not None:
        return (await embed_texts([text], settings=settings))[0]
    stored = await session.get(ContentEmbedding, item_id)
    if stored is not None and stored.dim == settings.embedding_dim:
        return np.frombuffer(stored.vector, dtype="<f4")
    # Not embedded (published on its own since the course was): embed its published text now.
    published = await item_versions.published_version_of(session=session, content_id=item_id)
    if published is None:
        return None
    text = item_text(published.title, published.content)
    return (await embed_texts([text], settings=settings))[0]


async def similar_items(
    *,
    session: AsyncSession,
    settings: AISettings,
    item_id: uuid.UUID | None = None,
    text: str | None = None,
    k: int = 10,
    course_id: uuid.UUID | None = None,
) -> list[SimilarItem]:
    """The ``k`` published items most similar to an item or to a text, best first (the item
    itself left out); within one course when ``course_id`` is given. An unpublished or unknown
    item has no neighbours."""
    if (item_id is None) == (text is None):
        raise ValueError("give exactly one of item_id and text")
    if k <= 0:
        return []
    query = await _query_vector(session=session, settings=settings, item_id=item_id, text=text)
    index = await _load_index(session=session, settings=settings)
    if query is None or not np.any(query) or len(index.content_ids) == 0:
        return []
    scores = index.matrix @ query
    allowed = np.ones(len(scores), dtype=bool)
    if course_id is not None:
        allowed &= index.course_ids == course_id
    if item_id is not None:
        allowed &= np.array([cid != item_id for cid in index.content_ids])
    candidates = np.flatnonzero(allowed)
    if candidates.size == 0:
        return []
    top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
    return [SimilarItem(index.content_ids[i], index.course_ids[i], float(scores[i])) for i in top]
