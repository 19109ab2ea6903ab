"""Prerequisite graphs (modules, skills): directed edges ``(node, requires)`` that must stay a DAG.

Both graphs use these checks before anything is written, so a refused edge changes nothing.
"""

from collections.abc import Hashable, Iterable

import networkx as nx

from learnwise.content.exceptions import PrerequisiteCycle

Edge = tuple[Hashable, Hashable]


def find_cycle(edges: Iterable[Edge], new_edge: Edge) -> list[Hashable] | None:
    """The cycle that adding ``new_edge`` to the acyclic graph ``edges`` would close, as the
    nodes along it with the first repeated at the end (``[a, b, a]``); None when it closes none.
    """
    return _cycle_closed_by(nx.DiGraph(list(edges)), new_edge)


def _cycle_closed_by(graph: nx.DiGraph, edge: Edge) -> list[Hashable] | None:
    node, requires = edge
    if node == requires:
        return [node, node]
    if requires not in graph or node not in graph or not nx.has_path(graph, requires, node):
        return None
    return [node, *nx.shortest_path(graph, requires, node)]


def find_any_cycle(edges: Iterable[Edge]) -> list[Hashable] | None:
    """Some cycle of the graph ``edges`` (same shape as ``find_cycle``), or None."""
    return _any_cycle(nx.DiGraph(list(edges)))


def _any_cycle(graph: nx.DiGraph) -> list[Hashable] | None:
    try:
        cycle_edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [cycle_edges[0][0], *(target for _, target in cycle_edges)]


def ensure_acyclic(edges: Iterable[Edge], new_edges: Iterable[Edge] = ()) -> None:
    """Raises PrerequisiteCycle, naming the cycle, if ``edges`` plus ``new_edges`` are not a DAG.

    ``edges`` are the edges kept (already acyclic in practice, but checked all the same);
    ``new_edges`` are added one by one so the error names the edge that closed the cycle.
    """
    graph = nx.DiGraph(list(edges))
    cycle = _any_cycle(graph)
    if cycle is not None:
        raise PrerequisiteCycle(cycle)
    for edge in new_edges:
        cycle = _cycle_closed_by(graph, edge)
        if cycle is not None:
            raise PrerequisiteCycle(cycle)
        graph.add_edge(*edge)
