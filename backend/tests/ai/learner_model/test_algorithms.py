"""The knowledge-tracing algorithms on their own: properties and recovery of a known truth."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from learnwise.ai.learner_model.bkt import BKT, SkillParameters
from learnwise.ai.learner_model.evaluation import MODELS, evaluate, split_learners
from learnwise.ai.learner_model.irt import IRT
from learnwise.ai.learner_model.logistic import LogisticKT
from learnwise.ai.learner_model.model import Model
from learnwise.ai.learner_model.responses import Response, Responses

from .synthetic import simulate

probabilities = st.floats(min_value=0.0, max_value=1.0)
parameters = st.builds(
    SkillParameters,
    prior=st.floats(0.01, 0.99),
    learn=st.floats(0.0, 0.5),
    forget=st.floats(0.0, 0.2),
    guess=st.floats(0.01, 0.4),
    slip=st.floats(0.01, 0.3),
)


@given(parameters, probabilities)
def test_bkt_a_right_answer_never_lowers_mastery_below_a_wrong_one(
    skill: SkillParameters, p_known: float
) -> None:
    right, wrong = skill.update(p_known, True), skill.update(p_known, False)
    assert 0.0 <= wrong <= right <= 1.0
    assert skill.guess - 1e-9 <= skill.p_correct(p_known) <= 1 - skill.slip + 1e-9


@given(st.lists(st.booleans(), max_size=30))
def test_model_state_counts_every_answer(answers: list[bool]) -> None:
    model = Model.untrained()
    state = model.replay(Response("u", f"i{n}", ("s",), a) for n, a in enumerate(answers))
    assert state.correct == sum(answers) and state.wrong == len(answers) - sum(answers)
    estimate = model.skill_estimate(state, "s")
    assert 0 <= estimate.p_mastery <= 1 and 0 < estimate.p_correct_next < 1
    assert estimate.attempts == len(answers)


def test_bkt_recovers_guess_and_slip_of_simulated_learners() -> None:
    truth = SkillParameters(prior=0.3, learn=0.2, forget=0.0, guess=0.2, slip=0.1)
    rng = np.random.default_rng(1)
    data = Responses()
    for learner in range(400):
        known = rng.random() < truth.prior
        for step in range(12):
            p = 1 - truth.slip if known else truth.guess
            data.append(Response(f"u{learner}", f"i{step}", ("s",), bool(rng.random() < p)))
            known = known or rng.random() < truth.learn
    fitted = BKT().fit(data).parameters("s")
    assert abs(fitted.guess - truth.guess) < 0.07
    assert abs(fitted.slip - truth.slip) < 0.07
    assert abs(fitted.learn - truth.learn) < 0.1


def test_irt_orders_items_by_difficulty() -> None:
    data = simulate(learners=200, skills=2, items_per_skill=5, answers=20)
    fitted = IRT(parameters=1).fit(data)
    by_rate: dict[str, list[bool]] = {}
    for response in data:
        by_rate.setdefault(response.item_id, []).append(response.correct)
    items = sorted(by_rate)
    rates = [np.mean(by_rate[i]) for i in items]
    difficulty = [fitted.difficulty[i] for i in items]
    assert np.corrcoef(rates, difficulty)[0, 1] < -0.8


def test_every_model_predicts_held_out_learners_better_than_chance() -> None:
    train, test = split_learners(simulate(), 0.3)
    for name in MODELS:
        result = evaluate(name, train, test)
        assert result["n"] == len(test) and result["fit_seconds"] >= 0
        assert result["auc"] > 0.6, result
        assert 0 < result["rmse"] < 0.5, result


def test_logistic_predictions_use_only_earlier_answers() -> None:
    train, test = split_learners(simulate(), 0.3)
    model = LogisticKT().fit(train)
    first = model.predict_sequence(test)
    flipped = Responses()
    last = len(test) - 1
    for n, response in enumerate(test):
        changed = not response.correct if n == last else response.correct
        flipped.append(Response(response.user_id, response.item_id, response.skill_ids, changed))
    # Changing the last answer changes no prediction, not even its own.
    assert np.array_equal(first, model.predict_sequence(flipped))
    assert roc_auc_score(test.labels(), first) > 0.6


def test_a_fitted_model_round_trips_through_its_parameters() -> None:
    data = simulate(learners=40)
    model = Model().fit(data)
    restored = Model.from_dict(model.to_dict())
    assert np.allclose(model.predict_sequence(data), restored.predict_sequence(data))
    state = model.replay(r for r in data if r.user_id == "u0")
    assert model.mastery(state) == restored.mastery(state)


def test_a_model_fitted_on_one_class_predicts_the_base_rate() -> None:
    data = Responses.of(Response(f"u{n}", "i", ("s",), True) for n in range(5))
    model = LogisticKT().fit(data)
    assert np.all(model.predict_sequence(data) > 0.9)
