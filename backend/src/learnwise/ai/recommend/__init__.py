"""Recommendations: the best next items for a learner, each with a reason they understand."""
