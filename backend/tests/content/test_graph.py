"""The prerequisite-graph checks, directly: the cycle named is a real cycle through the new edge,
and whatever the checks accept stays acyclic."""

from itertools import pairwise

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnwise.content.exceptions import PrerequisiteCycle
from learnwise.content.graph import ensure_acyclic, find_any_cycle, find_cycle


def test_find_cycle_names_the_path_back() -> None:
    edges = [("b", "a"), ("c", "b")]

    assert find_cycle(edges, ("a", "c")) == ["a", "c", "b", "a"]
    assert find_cycle(edges, ("c", "a")) is None
    assert find_cycle(edges, ("d", "e")) is None
    assert find_cycle([], ("a", "a")) == ["a", "a"]


def test_find_any_cycle() -> None:
    assert find_any_cycle([(1, 2), (2, 3)]) is None
    cycle = find_any_cycle([(1, 2), (2, 3), (3, 1), (4, 1)])
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {1, 2, 3}


def test_ensure_acyclic_refuses_with_the_cycle_in_the_problem() -> None:
    with pytest.raises(PrerequisiteCycle) as refused:
        ensure_acyclic([("b", "a")], [("c", "b"), ("a", "c")])

    assert refused.value.cycle == ["a", "c", "b", "a"]
    assert refused.value.extra == {"cycle": ["a", "c", "b", "a"]}
    assert refused.value.status == 422
    assert refused.value.code == "prerequisite-cycle"


def test_ensure_acyclic_refuses_a_graph_already_cyclic() -> None:
    with pytest.raises(PrerequisiteCycle):
        ensure_acyclic([(1, 2), (2, 1)])


edges_strategy = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30)


@given(edges_strategy)
def test_edges_accepted_one_by_one_always_form_a_dag(edges: list[tuple[int, int]]) -> None:
    accepted: list[tuple[int, int]] = []
    for edge in edges:
        cycle = find_cycle(accepted, edge)
        graph = nx.DiGraph(accepted)
        graph.add_edge(*edge)
        if cycle is None:
            assert nx.is_directed_acyclic_graph(graph)
            accepted.append(edge)
        else:
            assert not nx.is_directed_acyclic_graph(graph)
            assert cycle[0] == cycle[-1] == edge[0] and cycle[1] == edge[1]
            assert all(graph.has_edge(u, v) for u, v in pairwise(cycle))


@given(edges_strategy, edges_strategy)
def test_ensure_acyclic_agrees_with_networkx(
    kept: list[tuple[int, int]], new: list[tuple[int, int]]
) -> None:
    acyclic = nx.is_directed_acyclic_graph(nx.DiGraph(kept + new))
    try:
        ensure_acyclic(kept, new)
    except PrerequisiteCycle:
        assert not acyclic
    else:
        assert acyclic
