"""Every prompt of the generation graph, in one place."""

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

SYSTEM = """You are an experienced instructional designer. You write study material strictly \
from the source text you are given: never add facts the text does not state. Write in the \
language of the source text."""

TASK = """Source text (title: {title}):
<source>
{text}
</source>

Write from this source:
- summary: {summary_rule}
- learning_objectives: {objectives_rule}
- questions: {question_rule}
- flashcards: {flashcards_rule}
- glossary: {glossary_rule}

{format_instructions}"""

RULES = {
    "summary": "a faithful summary of 3 to 6 sentences.",
    "objectives": "3 to 6 observable objectives, each starting with a verb (Define, Explain, "
    "Compare, Apply, ...).",
    "quiz": "{count} multiple-choice questions; each has one right, short answer that the "
    "source states, three plausible but wrong distractors, and an explanation that cites the "
    "source.",
    "flashcards": "up to 12 cards, a question or term on the front, the answer on the back.",
    "glossary": "up to 12 key terms of the source, each with the definition the source gives.",
}
SKIPPED = "leave empty."

RETRY = """Your previous answer could not be used: {error}
Answer again with a JSON object that follows the schema exactly, and nothing else."""


def generation_messages(
    *,
    title: str,
    text: str,
    outputs: list[str],
    question_count: int,
    format_instructions: str,
    previous_error: str | None,
) -> list[BaseMessage]:
    def rule(output: str) -> str:
        return RULES[output].format(count=question_count) if output in outputs else SKIPPED

    messages: list[BaseMessage] = [
        SystemMessage(SYSTEM),
        HumanMessage(
            TASK.format(
                title=title,
                text=text,
                summary_rule=rule("summary"),
                objectives_rule=rule("objectives"),
                question_rule=rule("quiz"),
                flashcards_rule=rule("flashcards"),
                glossary_rule=rule("glossary"),
                format_instructions=format_instructions,
            )
        ),
    ]
    if previous_error:
        messages.append(HumanMessage(RETRY.format(error=previous_error)))
    return messages
