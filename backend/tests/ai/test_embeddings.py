"""Embeddings: offline (no download), computed when a course is published (through the relay),
kept in step with later publications, and searched by item or by text."""

import socket
import uuid

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.embeddings import encoder, service
from learnwise.ai.embeddings.models import ContentEmbedding
from learnwise.config import AISettings
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime

from .conftest import API, Course


def _refuse_network(*args, **kwargs):
    raise AssertionError("the embedding model tried to reach the network")


async def test_the_model_loads_and_embeds_with_the_network_cut(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse_network)
    monkeypatch.setattr(encoder, "_models", {})
    settings = AISettings(embedding_cache_dir=tmp_path / "wordllama", embedding_dim=128)

    vectors = await service.embed_texts(
        ["Mitosis divides a cell nucleus.", "A cell splits in two by mitosis.", "Bond coupons."],
        settings=settings,
    )

    assert vectors.shape == (3, 128) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2


async def test_a_blank_text_gets_a_zero_vector() -> None:
    vectors = await service.embed_texts(["", "  \n"], settings=AISettings())
    assert not np.any(vectors)


async def embeddings(db_session: AsyncSession, course: Course) -> dict[str, ContentEmbedding]:
    rows = await db_session.scalars(
        select(ContentEmbedding).where(ContentEmbedding.course_id == uuid.UUID(course.course_id))
    )
    by_id = {str(row.content_id): row for row in rows}
    return {title: by_id[i] for title, i in course.item_ids.items() if i in by_id}


async def test_publishing_a_course_embeds_its_items(
    runtime: Runtime, db_session: AsyncSession, biology: Course
) -> None:
    assert await embeddings(db_session, biology) == {}

    await relay.drain(runtime)

    stored = await embeddings(db_session, biology)
    assert set(stored) == {"Photosynthesis", "Cell division", "Bonds"}
    assert {row.version for row in stored.values()} == {1}
    assert {row.dim for row in stored.values()} == {runtime.settings.ai.embedding_dim}


async def test_similar_items_rank_related_content_first(
    runtime: Runtime, db_session: AsyncSession, biology: Course
) -> None:
    await relay.drain(runtime)
    settings = runtime.settings.ai
    photosynthesis = uuid.UUID(biology.item_ids["Photosynthesis"])

    by_item = await service.similar_items(
        session=db_session,
        settings=settings,
        item_id=photosynthesis,
        k=5,
        course_id=uuid.UUID(biology.course_id),
    )
    assert [hit.content_id for hit in by_item] == [
        uuid.UUID(biology.item_ids["Cell division"]),
        uuid.UUID(biology.item_ids["Bonds"]),
    ]
    assert by_item[0].score > by_item[1].score

    by_text = await service.similar_items(
        session=db_session,
        settings=settings,
        text="interest rates and the price of a loan",
        k=1,
        course_id=uuid.UUID(biology.course_id),
    )
    assert [hit.content_id for hit in by_text] == [uuid.UUID(biology.item_ids["Bonds"])]


async def test_republishing_embeds_only_what_changed(
    client, people, runtime: Runtime, db_session: AsyncSession, biology: Course
) -> None:
    await relay.drain(runtime)
    before = await embeddings(db_session, biology)
    bonds_vector = before["Bonds"].vector
    photo_at = before["Photosynthesis"].embedded_at

    item = biology.item_ids["Bonds"]
    response = await client.patch(
        f"{API}/items/{item}",
        json={"content": {"type": "lesson", "body": "Stocks are shares of a company."}},
        headers={**people.owner.headers, "If-Match": 'W/"1"'},
    )
    assert response.status_code == 200, response.text
    response = await client.post(
        f"{API}/courses/{biology.course_id}/publish", headers=people.owner.headers
    )
    assert response.status_code == 200, response.text
    await relay.drain(runtime)

    db_session.expire_all()
    after = await embeddings(db_session, biology)
    assert after["Bonds"].version == 2
    assert after["Bonds"].vector != bonds_vector
    assert after["Photosynthesis"].embedded_at == photo_at


async def test_unknown_and_unpublished_items_have_no_neighbours(
    runtime: Runtime, db_session: AsyncSession, biology: Course
) -> None:
    await relay.drain(runtime)
    hits = await service.similar_items(
        session=db_session, settings=runtime.settings.ai, item_id=uuid.uuid4(), k=3
    )
    assert hits == []
    with pytest.raises(ValueError):
        await service.similar_items(session=db_session, settings=runtime.settings.ai, k=3)
