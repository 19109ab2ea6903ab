from ai.learner_model.conftest import cheap_passwords, skill_world  # noqa: F401  (fixtures)
