"""Learning paths: a goal planned into dated steps that respect prerequisites (a LangGraph)."""
