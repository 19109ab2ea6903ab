"""The learning-path graph: goal -> candidates -> learner's state -> plan -> schedule -> saved.

Wiring only; the nodes are in nodes.py. Compiled with the configured checkpointer, every step's
state is saved under the path's id (the thread id), so a run cut short can be resumed.
"""

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from learnwise.ai.paths import nodes
from learnwise.ai.paths.state import PathInput, PathState


def build(checkpointer: BaseCheckpointSaver | None) -> CompiledStateGraph:
    graph = StateGraph(PathState, input_schema=PathInput)
    graph.add_node("resolve_goal", nodes.resolve_goal)
    graph.add_node("candidates", nodes.candidates)
    graph.add_node("learner_state", nodes.learner_state)
    graph.add_node("plan", nodes.plan)
    graph.add_node("schedule", nodes.schedule)
    graph.add_node("save", nodes.save)
    graph.add_edge(START, "resolve_goal")
    graph.add_edge("resolve_goal", "candidates")
    graph.add_edge("candidates", "learner_state")
    graph.add_edge("learner_state", "plan")
    graph.add_edge("plan", "schedule")
    graph.add_edge("schedule", "save")
    graph.add_edge("save", END)
    return graph.compile(checkpointer=checkpointer, name="learning_path")
