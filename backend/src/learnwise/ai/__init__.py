"""The AI service: learner model, recommendations, learning paths, analysis and generation."""
