"""The AI tests reuse the progress tests' course world: someone in every role and a published
course of two modules (the second requires the first)."""

from tests.progress.conftest import cheap_passwords, world  # noqa: F401  (fixtures)
