"""The shared LangGraph checkpointer: a graph interrupted by a failure resumes where it stopped,
from a new checkpointer connection, on either database."""

import operator
import uuid
from typing import Annotated, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph

from learnwise.ai import checkpoint
from learnwise.config import Settings


class CountingState(TypedDict):
    visited: Annotated[list[str], operator.add]


class Flaky:
    def __init__(self) -> None:
        self.calls = {"first": 0, "second": 0}
        self.fail_second = True

    async def first(self, state: CountingState) -> dict:
        self.calls["first"] += 1
        return {"visited": ["first"]}

    async def second(self, state: CountingState) -> dict:
        self.calls["second"] += 1
        if self.fail_second:
            raise RuntimeError("the process died here")
        return {"visited": ["second"]}


def build(flaky: Flaky) -> StateGraph:
    builder = StateGraph(CountingState)
    builder.add_node("first", flaky.first)
    builder.add_node("second", flaky.second)
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    return builder


async def test_a_failed_run_resumes_after_its_last_checkpoint(settings: Settings) -> None:
    flaky = Flaky()
    config = {"configurable": {"thread_id": str(uuid.uuid4())}}

    async with checkpoint.open_checkpointer(settings) as saver:
        graph = build(flaky).compile(checkpointer=saver)
        with pytest.raises(RuntimeError):
            await graph.ainvoke({"visited": []}, config)

    flaky.fail_second = False
    async with checkpoint.open_checkpointer(settings) as saver:
        graph = build(flaky).compile(checkpointer=saver)
        saved = await graph.aget_state(config)
        assert saved.next == ("second",)
        result = await graph.ainvoke(None, config)

    assert result["visited"] == ["first", "second"]
    assert flaky.calls == {"first": 1, "second": 2}


async def test_threads_are_kept_apart(settings: Settings) -> None:
    flaky = Flaky()
    flaky.fail_second = False
    one, other = ({"configurable": {"thread_id": str(uuid.uuid4())}} for _ in range(2))
    async with checkpoint.open_checkpointer(settings) as saver:
        graph = build(flaky).compile(checkpointer=saver)
        await graph.ainvoke({"visited": []}, one)
        assert (await graph.aget_state(other)).values == {}
        assert (await graph.aget_state(one)).values["visited"] == ["first", "second"]


def test_the_psycopg_url_is_derived_from_the_asyncpg_url() -> None:
    conninfo = checkpoint.psycopg_conninfo(
        "postgresql+asyncpg://app:s%40cret@db.example:6543/learnwise?ssl=require"
    )
    assert conninfo == "postgresql://app:s%40cret@db.example:6543/learnwise?sslmode=require"


def test_sqlite_checkpoints_live_beside_the_database(settings: Settings, tmp_path) -> None:
    sqlite = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/lw.db"})
    assert checkpoint.sqlite_checkpoint_path(sqlite) == tmp_path / "lw-checkpoints.db"
