"""Learning paths in a simulator: expected mastery gained per hour by the platform's planner
against a greedy "least mastered first" baseline, and the planner's latency on 2,000 items.

The world: 10 courses x 20 modules x 10 items (2,000 items), 200 skills in a layered DAG (each
skill requires up to two of the layer below), each item teaching one or two skills; modules of a
course require the previous one. Learners start with random mastery on the first layers.

The learner is driven by the platform's fitted learner model: its BKT part (``BKT``, the
``mastery_model`` of ``learner_model.Model``, with forgetting) is fitted on the dataset's
train.csv, and each of the world's 200 skills takes the fitted parameters of one of the
dataset's skills (those with at least ``--min-answers`` answers, drawn at random). Studying an
item is one practice opportunity on each of its skills: P(mastered) moves by the skill's fitted
transition, p' = p (1 - forget) + (1 - p) learn. The fitted model knows nothing of
prerequisites, so that part is the simulator's assumption: with a prerequisite skill below
P = 0.6 the skill is learned at ``--unready`` times its fitted rate. Learners start with random
mastery on the first three layers and the fitted prior on the others. Both policies plan the
same goal (one course's items and everything they need), both see the same estimates, and are
scored on the expected mastery gained in the first ``--hours`` of study.

    cd backend && uv run --frozen python ../bench/ai/paths/simulate.py [--data DIR]
"""

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from learnwise.ai.learner_model.bkt import BKT, SkillParameters
from learnwise.ai.learner_model.responses import load_tsv
from learnwise.ai.paths import planner

READY = 0.6
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "assistments09"


def fitted_skills(data: Path, min_answers: int) -> tuple[list[SkillParameters], float]:
    """The BKT parameters fitted on the dataset's train.csv, of skills with enough answers."""
    responses = load_tsv(data / "train.csv")
    started = time.perf_counter()
    model = BKT().fit(responses)
    seconds = time.perf_counter() - started
    answers: dict[str, int] = {}
    for skills in responses.skill_ids:
        for skill in skills:
            answers[skill] = answers.get(skill, 0) + 1
    kept = [model.skills[s] for s in sorted(model.skills) if answers.get(s, 0) >= min_answers]
    return kept, seconds


def step(parameters: SkillParameters, p: float, ready: bool, unready: float) -> float:
    """P(mastered) after one practice opportunity (the fitted transition)."""
    learn = parameters.learn if ready else parameters.learn * unready
    return p * (1 - parameters.forget) + (1 - p) * learn


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


def study(order, items_by_id, mastery, skill_requires, hours, parameters, unready):
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
            after = step(parameters[skill], p.get(skill, 0.0), ready, unready)
            gained += after - p.get(skill, 0.0)
            p[skill] = after
    return gained / (minutes / 60) if minutes else 0.0


def least_mastered_first(needed, items_by_id, mastery, parameters):
    """The baseline: always the needed item whose skills are least mastered now (assuming each
    study moves them by the fitted transition), ignoring prerequisites."""
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
            p[skill] = step(parameters[skill], p.get(skill, 0.0), True, 1.0)
    return order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--hours", type=float, default=10.0)
    parser.add_argument("--latency-runs", type=int, default=40)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--min-answers", type=int, default=200)
    parser.add_argument("--unready", type=float, default=0.15)
    args = parser.parse_args()
    fitted, fit_seconds = fitted_skills(args.data, args.min_answers)
    print(f"fitted BKT on the dataset in {fit_seconds:.1f} s", file=sys.stderr, flush=True)
    items, module_requires, skill_requires, courses = world(seed=7)
    items_by_id = {item.content_id: item for item in items}
    rng = random.Random(11)
    skills = sorted({s for item in items for s in item.skill_ids})
    parameters = {skill: rng.choice(fitted) for skill in skills}
    ours, greedy, violations = [], [], 0
    for learner in range(args.learners):
        mastery = {}
        for skill in skills:
            layer = skill.int // 1000
            mastery[skill] = (
                rng.choice([0.0, 0.2, 0.7, 0.97]) if layer < 3 else parameters[skill].prior
            )
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
        ours.append(
            study(order, items_by_id, mastery, skill_requires, args.hours, parameters, args.unready)
        )
        baseline = least_mastered_first(order, items_by_id, mastery, parameters)
        greedy.append(
            study(
                baseline, items_by_id, mastery, skill_requires, args.hours, parameters, args.unready
            )
        )

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
                "learner_model": {
                    "fitted_on": str(args.data / "train.csv"),
                    "skills_with_enough_answers": len(fitted),
                    "bkt_fit_seconds": round(fit_seconds, 1),
                    "mean_learn": round(statistics.mean(p.learn for p in fitted), 4),
                    "mean_forget": round(statistics.mean(p.forget for p in fitted), 4),
                    "mean_prior": round(statistics.mean(p.prior for p in fitted), 4),
                    "unready_factor": args.unready,
                },
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
