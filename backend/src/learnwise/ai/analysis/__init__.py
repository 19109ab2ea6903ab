"""Analysis of a learner (mastery, pace, risk) and of a course (items, drop-off, skills)."""
