"""The knowledge-tracing learner model: per learner and skill, P(mastery) and P(next right)."""
