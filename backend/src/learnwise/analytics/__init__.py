"""The Analytics service: activity tracking, learning analytics, reports and service metrics."""
