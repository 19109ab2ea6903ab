"""Synthetic answers with a known truth: learners of varied ability learn skills by practice."""

import math
import random

from learnwise.ai.learner_model.responses import Response, Responses


def simulate(
    *,
    learners: int = 120,
    skills: int = 4,
    items_per_skill: int = 6,
    answers: int = 30,
    seed: int = 0,
) -> Responses:
    """Each learner answers items of random skills; P(right) rises with their ability, the
    item's easiness and how often they practised the skill."""
    rng = random.Random(seed)
    easiness = {
        f"s{s}-i{i}": rng.gauss(0, 1) for s in range(skills) for i in range(items_per_skill)
    }
    data = Responses()
    for learner in range(learners):
        ability = rng.gauss(0, 1)
        practice = [0] * skills
        for _ in range(answers):
            skill = rng.randrange(skills)
            item = f"s{skill}-i{rng.randrange(items_per_skill)}"
            logit = ability + easiness[item] + 0.3 * practice[skill] - 1.0
            correct = rng.random() < 1 / (1 + math.exp(-logit))
            data.append(Response(f"u{learner}", item, (f"s{skill}",), correct))
            practice[skill] += 1
    return data
