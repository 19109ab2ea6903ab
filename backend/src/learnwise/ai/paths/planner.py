"""The planner: which items a goal needs, in an order that respects every prerequisite and
learns the most per hour, then dated within the learner's weekly time budget.

Pure functions over plain data, so that the API, the property tests and the simulator in
bench/ai/paths use the same code.

An item must come after:
- the required items of the modules its module requires;
- the items before it in its module (the author's order);
- the items teaching the skills its skills require, unless the learner masters those already.

Among the items whose prerequisites are all planned, the next one is the one with the highest
expected mastery gain per minute (a priority queue over a topological order: Kahn's algorithm).
"""

import heapq
import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from learnwise.ai.paths.exceptions import NoTimeBudget, PathCycle, PrerequisiteGap

MASTERED = 0.95
# Mastery a step is expected to add to each of its skills, as a share of what is left to learn.
LEARNING_RATE = 0.35


@dataclass(frozen=True, slots=True)
class PlanItem:
    content_id: uuid.UUID
    title: str
    module_id: uuid.UUID
    position: int  # order within its course
    minutes: int
    skill_ids: tuple[uuid.UUID, ...] = ()
    is_required: bool = True


@dataclass(frozen=True, slots=True)
class PlanInput:
    items: list[PlanItem]  # every item of the courses in play, in course order
    targets: set[uuid.UUID]  # the items the goal asks for
    completed: set[uuid.UUID] = field(default_factory=set)
    mastery: Mapping[uuid.UUID, float] = field(default_factory=dict)
    module_requires: Mapping[uuid.UUID, Iterable[uuid.UUID]] = field(default_factory=dict)
    skill_requires: Mapping[uuid.UUID, Iterable[uuid.UUID]] = field(default_factory=dict)
    skill_names: Mapping[uuid.UUID, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlannedStep:
    item: PlanItem
    after: tuple[uuid.UUID, ...]  # the planned items it needs
    gain: float  # expected mastery gained, summed over its skills


def _mastered(item: PlanItem, mastery: Mapping[uuid.UUID, float]) -> bool:
    return bool(item.skill_ids) and all(mastery.get(s, 0.0) >= MASTERED for s in item.skill_ids)


def expected_gain(item: PlanItem, mastery: Mapping[uuid.UUID, float]) -> float:
    if not item.skill_ids:
        return LEARNING_RATE * 0.5  # no skill to measure: an average item's worth
    return sum(LEARNING_RATE * (1.0 - mastery.get(s, 0.0)) for s in item.skill_ids)


def prerequisite_graph(plan: PlanInput) -> nx.DiGraph:
    """Every item of ``plan.items``; an edge (a, b) says a must come after b."""
    graph = nx.DiGraph()
    by_module: dict[uuid.UUID, list[PlanItem]] = defaultdict(list)
    teaching: dict[uuid.UUID, list[PlanItem]] = defaultdict(list)
    for item in plan.items:
        graph.add_node(item.content_id)
        by_module[item.module_id].append(item)
        for skill in item.skill_ids:
            teaching[skill].append(item)
    for module_items in by_module.values():
        ordered = sorted(module_items, key=lambda i: i.position)
        for before, after in itertools.pairwise(ordered):
            graph.add_edge(after.content_id, before.content_id)
    for item in plan.items:
        for module_id in plan.module_requires.get(item.module_id, ()):
            for needed in by_module.get(module_id, ()):
                if needed.is_required:
                    graph.add_edge(item.content_id, needed.content_id)
        for skill in item.skill_ids:
            for required in plan.skill_requires.get(skill, ()):
                if plan.mastery.get(required, 0.0) >= MASTERED:
                    continue
                if not teaching.get(required):
                    name = plan.skill_names.get(required, str(required))
                    raise PrerequisiteGap(
                        f"{item.title!r} needs the skill {name!r}, which no available content "
                        "teaches and which you have not mastered yet.",
                        skill_id=str(required),
                    )
                for needed in teaching[required]:
                    if needed.content_id != item.content_id:
                        graph.add_edge(item.content_id, needed.content_id)
    return graph


def plan_steps(plan: PlanInput) -> list[PlannedStep]:
    """The items the targets need (themselves and, transitively, their prerequisites), minus
    what is completed or mastered, ordered. Raises PathCycle or PrerequisiteGap."""
    items = {item.content_id: item for item in plan.items}
    graph = prerequisite_graph(plan)
    # A topological check first (linear): find_cycle alone takes minutes on an acyclic graph of
    # 2,000 items and 70,000 edges; it only names the cycle once one is known to exist.
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        names = " -> ".join(items[a].title for a, _ in cycle)
        raise PathCycle(f"These items require each other: {names}.")
    # Everything the targets need, in one traversal from all of them (a traversal per target
    # walks the shared prerequisites again for each: minutes at 2,000 items).
    frontier = [target for target in plan.targets if target in graph]
    needed = set(frontier)
    while frontier:
        for required in graph.successors(frontier.pop()):
            if required not in needed:
                needed.add(required)
                frontier.append(required)
    skip = plan.completed | {c for c in needed if _mastered(items[c], plan.mastery)}
    wanted = needed - skip
    sub = graph.subgraph(wanted)
    waiting = {node: sub.out_degree(node) for node in wanted}
    gains = {node: expected_gain(items[node], plan.mastery) for node in wanted}
    ready = [
        (-gains[n] / items[n].minutes, items[n].position, str(n), n)
        for n, count in waiting.items()
        if count == 0
    ]
    heapq.heapify(ready)
    steps: list[PlannedStep] = []
    while ready:
        *_, node = heapq.heappop(ready)
        steps.append(PlannedStep(items[node], tuple(sorted(sub.successors(node))), gains[node]))
        for dependant in sub.predecessors(node):
            waiting[dependant] -= 1
            if waiting[dependant] == 0:
                item = items[dependant]
                heapq.heappush(
                    ready,
                    (-gains[dependant] / item.minutes, item.position, str(dependant), dependant),
                )
    return steps


@dataclass(frozen=True, slots=True)
class ScheduledStep:
    step: PlannedStep
    scheduled_for: date
    week: int


def schedule(steps: list[PlannedStep], *, weekly_minutes: int, start: date) -> list[ScheduledStep]:
    """Dates each step in order: a week holds ``weekly_minutes`` of work, spread evenly over its
    seven days; a step longer than a week's budget takes a week (or more) of its own."""
    if weekly_minutes <= 0:
        raise NoTimeBudget("Set a weekly time budget (learning_preferences) to get dated steps.")
    daily = weekly_minutes / 7
    scheduled = []
    week, used = 0, 0.0
    for step in steps:
        minutes = step.item.minutes
        if used > 0 and used + minutes > weekly_minutes:
            week, used = week + 1, 0.0
        day = min(int(used // daily), 6)
        scheduled.append(ScheduledStep(step, start + timedelta(days=7 * week + day), week))
        used += minutes
        while used > weekly_minutes:  # a step longer than a week
            week, used = week + 1, used - weekly_minutes
    return scheduled
