"""The generation graph (wiring only):

analyse -> (LLM configured?) ask_llm -> (valid?) finish
                                     -> (attempts left?) ask_llm
                                     -> extract -> finish
        -> extract -> finish
"""

from langgraph.graph import END, START, StateGraph

from learnwise.ai.generation import nodes
from learnwise.ai.generation.state import GenerationContext, GenerationInput, GenerationState


def build() -> StateGraph:
    builder = StateGraph(
        GenerationState, context_schema=GenerationContext, input_schema=GenerationInput
    )
    builder.add_node("analyse", nodes.analyse)
    builder.add_node("ask_llm", nodes.ask_llm)
    builder.add_node("extract", nodes.extract)
    builder.add_node("finish", nodes.finish)
    builder.add_edge(START, "analyse")
    builder.add_conditional_edges("analyse", nodes.choose_engine)
    builder.add_conditional_edges("ask_llm", nodes.after_llm)
    builder.add_edge("extract", "finish")
    builder.add_edge("finish", END)
    return builder
