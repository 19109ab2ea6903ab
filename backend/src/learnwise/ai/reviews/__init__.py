"""Spaced-repetition reviews of items and skills (FSRS), one card per learner and item or skill."""
