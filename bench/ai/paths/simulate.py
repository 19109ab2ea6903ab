"""Learning paths in a simulator: expected mastery gained per hour by the platform's planner
against a greedy "least mastered first" baseline, and the planner's latency on 2,000 items.

The world: 10 courses x 20 modules x 10 items (2,000 items), 200 skills in a layered DAG (each
skill requires up to two of the layer below), each item teaching one or two skills; modules of a
course require the previous one. Learners start with random mastery on the first layers.

The learner: a BKT-style transition per studied item and skill: with every prerequisite skill
of the skill mastered (p >= 0.6) the skill is learned with probability 0.35 (expected gain
0.35 * (1 - p)); without, with probability 0.05. Both policies plan the same goal (one course's
items and everything they need) and are scored on the first ``--hours`` of study.

    cd backend && uv run --frozen python ../bench/ai/paths/simulate.py
"""

import argparse
import json
import random
import statistics
import time
import uuid
from datetime import date

from learnwise.ai.paths import planner

LEARN, LEARN_WITHOUT_PREREQUISITES, READY = 0.35, 0.05, 0.6


def world(seed: int) -> tuple[list[planner.PlanItem], dict, dict, list[list[uuid.UUID]]]:
    rng = random.Random(seed)
    layers = [[uuid.UUID(int=layer * 1000 + i + 1) for i in range(20)] for layer in range(10)]
    skill_requires = {
        skill: set(rng.sample(layers[layer - 1], rng.randint(1, 2)))
        for layer in range(1, 10)
        for skill in layers[layer]
    }
    items, module_requires, courses = [], {}, []
    for course in range(10):
        course_items = []
        previous = None
        for module_number in range(20):
            module = uuid.UUID(int=10**6 + course * 100 + module_number)
            if previous is not None:
                module_requires[module] = {previous}
            previous = module
            layer = min(9, module_number // 2)  # later modules teach later layers
            for k in range(10):
                n = len(items)
                skills = tuple(rng.sample(layers[layer], rng.randint(1, 2)))
                items.append(
                    planner.PlanItem(
                        content_id=uuid.UUID(int=10**7 + n),
                        title=f"c{course} m{module_number} i{k}",
                        module_id=module,
                        position=n,
                        minutes=rng.choice([5, 10, 15, 20, 30]),
                        skill_ids=skills,
                    )
                )
                course_items.append(items[-1].content_id)
        courses.append(course_items)
    return items, module_requires, skill_requires, courses


def study(order, items_by_id, mastery, skill_requires, hours):
    """Expected mastery gained per hour over the first ``hours`` of ``order``."""
    p = dict(mastery)
    gained, minutes = 0.0, 0
    for content_id in order:
        item = items_by_id[content_id]
        if minutes + item.minutes > hours * 60:
            break
        minutes += item.minutes
        for skill in item.skill_ids:
            ready = all(p.get(r, 0.0) >= READY for r in skill_requires.get(skill, ()))
            rate = LEARN if ready else LEARN_WITHOUT_PREREQUISITES
            delta = rate * (1.0 - p.get(skill, 0.0))
            p[skill] = p.get(skill, 0.0) + delta
            gained += delta
    return gained / (minutes / 60) if minutes else 0.0


def least_mastered_first(needed, items_by_id, mastery):
    """The baseline: always the needed item whose skills are least mastered now (assuming each
    study adds the expected gain), ignoring prerequisites."""
    p = dict(mastery)
    left = set(needed)
    order = []
    while left:
        best = min(
            left,
            key=lambda c: (
                min(p.get(s, 0.0) for s in items_by_id[c].skill_ids),
                items_by_id[c].position,
            ),
        )
        left.remove(best)
        order.append(best)
        for skill in items_by_id[best].skill_ids:
            p[skill] = p.get(skill, 0.0) + LEARN * (1 - p.get(skill, 0.0))
    return order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--hours", type=float, default=10.0)
    parser.add_argument("--latency-runs", type=int, default=40)
    args = parser.parse_args()
    items, module_requires, skill_requires, courses = world(seed=7)
    items_by_id = {item.content_id: item for item in items}
    rng = random.Random(11)
    ours, greedy, violations = [], [], 0
    for learner in range(args.learners):
        mastery = {}
        for skill in {s for item in items for s in item.skill_ids}:
            layer = skill.int // 1000
            mastery[skill] = rng.choice([0.0, 0.2, 0.7, 0.97]) if layer < 3 else rng.random() * 0.3
        goal = courses[learner % len(courses)]
        plan = planner.PlanInput(
            items=items,
            targets=set(goal),
            mastery=mastery,
            module_requires=module_requires,
            skill_requires=skill_requires,
        )
        steps = planner.plan_steps(plan)
        graph = planner.prerequisite_graph(plan)
        position = {s.item.content_id: i for i, s in enumerate(steps)}
        violations += sum(
            1
            for s in steps
            for needed in graph.successors(s.item.content_id)
            if needed in position and position[needed] > position[s.item.content_id]
        )
        order = [s.item.content_id for s in steps]
        ours.append(study(order, items_by_id, mastery, skill_requires, args.hours))
        baseline = least_mastered_first(order, items_by_id, mastery)
        greedy.append(study(baseline, items_by_id, mastery, skill_requires, args.hours))

    latencies = []
    plan = planner.PlanInput(
        items=items,
        targets={item.content_id for item in items},
        module_requires=module_requires,
        skill_requires=skill_requires,
    )
    for _ in range(args.latency_runs):
        started = time.perf_counter()
        steps = planner.plan_steps(plan)
        planner.schedule(steps, weekly_minutes=300, start=date(2027, 1, 4))
        latencies.append(1000 * (time.perf_counter() - started))
    latencies.sort()
    print(
        json.dumps(
            {
                "items": len(items),
                "learners": args.learners,
                "hours": args.hours,
                "gain_per_hour": {
                    "planner": round(statistics.mean(ours), 4),
                    "least_mastered_first": round(statistics.mean(greedy), 4),
                },
                "ratio": round(statistics.mean(ours) / statistics.mean(greedy), 3),
                "prerequisite_violations": violations,
                "plan_ms_2000_items": {
                    "p50": round(latencies[len(latencies) // 2], 1),
                    "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
                    "runs": len(latencies),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
