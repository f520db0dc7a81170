"""Credit policy, recommended limits, limit requests and decisions, reviews."""
