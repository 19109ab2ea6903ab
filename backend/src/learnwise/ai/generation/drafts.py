"""Generated material as draft content items for the instructor to review: a quiz (multiple
choice where there are distractors, short answer otherwise) and a study guide lesson (summary,
objectives, glossary, flashcards). Version 1 of new items, never published here."""

from learnwise.ai.generation import nlp
from learnwise.ai.generation.schemas import GeneratedMaterial, GeneratedQuestion
from learnwise.content.item_schemas import ContentMetadata, ItemCreate

MAX_OBJECTIVES = 20
MAX_OBJECTIVE_CHARS = 500
OPTION_IDS = "abcdefghij"


def _question(number: int, question: GeneratedQuestion) -> dict:
    base = {"id": f"q{number}", "prompt": question.prompt, "explanation": question.explanation}
    if len(question.distractors) >= 2:
        options = nlp.shuffled_options(question)
        ids = OPTION_IDS[: len(options)]
        return base | {
            "type": "single_choice",
            "options": [{"id": i, "text": text} for i, text in zip(ids, options, strict=True)],
            "correct": ids[options.index(question.answer)],
        }
    return base | {"type": "short_answer", "accepted_answers": [question.answer]}


def _metadata(material: GeneratedMaterial) -> ContentMetadata:
    return ContentMetadata(
        learning_objectives=[
            line[:MAX_OBJECTIVE_CHARS] for line in material.learning_objectives[:MAX_OBJECTIVES]
        ]
    )


def quiz_item(material: GeneratedMaterial, *, title: str, note: str) -> ItemCreate | None:
    if not material.questions:
        return None
    return ItemCreate(
        title=f"Quiz: {title}"[:255],
        content={
            "type": "quiz",
            "instructions": f"Questions generated from “{title}”.",
            "questions": [_question(n, q) for n, q in enumerate(material.questions, 1)],
        },
        metadata=_metadata(material),
        is_required=False,
        change_note=note,
    )


def _study_guide_markdown(material: GeneratedMaterial) -> str:
    sections: list[str] = []
    if material.summary:
        sections.append(f"## Summary\n\n{material.summary}")
    if material.learning_objectives:
        lines = "\n".join(f"- {line}" for line in material.learning_objectives)
        sections.append(f"## Learning objectives\n\n{lines}")
    if material.glossary:
        lines = "\n".join(f"- **{e.term}**: {e.definition}" for e in material.glossary)
        sections.append(f"## Glossary\n\n{lines}")
    if material.flashcards:
        lines = "\n".join(f"- **{c.front}** {c.back}" for c in material.flashcards)
        sections.append(f"## Flashcards\n\n{lines}")
    return "\n\n".join(sections)


def study_guide_item(material: GeneratedMaterial, *, title: str, note: str) -> ItemCreate | None:
    body = _study_guide_markdown(material)
    if not body:
        return None
    return ItemCreate(
        title=f"Study guide: {title}"[:255],
        content={"type": "lesson", "body": body},
        metadata=_metadata(material),
        is_required=False,
        change_note=note,
    )
