"""Offline generation with real NLP: keyphrases (YAKE), TextRank sentence ranking (PageRank
over the sentences' embedding similarity graph, networkx), cloze questions whose answer is a
keyphrase found in the source sentence, distractors from the keyphrases closest to the answer
by embedding, a glossary and flashcards from the sentences that define key terms.

Everything here is CPU work on plain data: callers run it in a worker thread.
"""

import hashlib
import random
import re
from dataclasses import dataclass

import networkx as nx
import numpy as np
import yake

from learnwise.ai.embeddings.encoder import embed_texts_sync
from learnwise.ai.generation.schemas import (
    Flashcard,
    GeneratedMaterial,
    GeneratedQuestion,
    GlossaryEntry,
)
from learnwise.config import AISettings

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
_WORD = re.compile(r"\w+(?:[-']\w+)*")
_DEFINING_VERB = r"(?:is|are|means|refers to|denotes)\b"
MIN_SENTENCE_WORDS = 5
MAX_SENTENCE_CHARS = 400
DISTRACTORS = 3
BLANK = "_____"


@dataclass(frozen=True, slots=True)
class Analysis:
    sentences: list[str]
    # TextRank score per sentence, aligned with ``sentences``.
    ranks: list[float]
    # Best first.
    keyphrases: list[str]


def split_sentences(text: str) -> list[str]:
    """Sentences of prose, in order; fragments too short to ask about are left out."""
    sentences = []
    for piece in _SENTENCE_END.split(text):
        sentence = " ".join(piece.split())
        if (
            len(_WORD.findall(sentence)) >= MIN_SENTENCE_WORDS
            and len(sentence) <= MAX_SENTENCE_CHARS
        ):
            sentences.append(sentence)
    return sentences


def extract_keyphrases(text: str, *, language: str, top: int) -> list[str]:
    """YAKE keyphrases of up to three words, best first, without near-duplicates."""
    extractor = yake.KeywordExtractor(lan=language, n=3, top=top, dedup_lim=0.7)
    phrases: list[str] = []
    seen: set[str] = set()
    for phrase, _score in sorted(extractor.extract_keywords(text), key=lambda pair: pair[1]):
        key = phrase.casefold()
        # A phrase joining two ideas ("ATP and NADPH") makes a poor term and a giveaway answer.
        joined = any(word in (" and ", " or ") for word in (f" {w} " for w in key.split()))
        if key not in seen and len(key) >= 3 and not key.isdigit() and not joined:
            seen.add(key)
            phrases.append(phrase)
    return phrases


def text_rank(vectors: np.ndarray) -> list[float]:
    """PageRank over the graph whose edge weights are the sentences' positive cosine
    similarities (TextRank, with embeddings in place of word overlap)."""
    count = len(vectors)
    if count == 0:
        return []
    if count == 1:
        return [1.0]
    similarity = np.clip(vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(similarity, 0.0)
    if not similarity.any():
        return [1.0 / count] * count
    scores = nx.pagerank(nx.from_numpy_array(similarity), weight="weight")
    return [float(scores[i]) for i in range(count)]


def analyse(text: str, *, settings: AISettings, language: str) -> Analysis:
    sentences = split_sentences(text)
    vectors = embed_texts_sync(settings, sentences)
    return Analysis(
        sentences=sentences,
        ranks=text_rank(vectors),
        keyphrases=extract_keyphrases(text, language=language, top=40),
    )


def _find(phrase: str, sentence: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", sentence, flags=re.IGNORECASE)


def _ranked_order(analysis: Analysis) -> list[int]:
    return sorted(range(len(analysis.sentences)), key=lambda i: -analysis.ranks[i])


def summarise(analysis: Analysis, *, sentences: int | None = None) -> str:
    """The best-ranked sentences (about a fifth of them, 2 to 7), in their original order."""
    count = sentences or min(7, max(2, round(len(analysis.sentences) / 5)))
    chosen = sorted(_ranked_order(analysis)[:count])
    return " ".join(analysis.sentences[i] for i in chosen)


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def _distractors(
    answer: str, sentence: str, candidates: list[str], vectors: dict[str, np.ndarray]
) -> list[str]:
    """The keyphrases most similar to the answer that are not the answer, do not overlap it
    and do not appear in the question's sentence (which would give them away or make them
    right too)."""
    answer_key = answer.casefold()
    scored = []
    for phrase in candidates:
        key = phrase.casefold()
        if key in answer_key or answer_key in key or _find(phrase, sentence):
            continue
        # Options of about the answer's length do not stand out.
        length_gap = abs(len(phrase.split()) - len(answer.split()))
        scored.append((float(vectors[key] @ vectors[answer_key]) - 0.15 * length_gap, phrase))
    chosen: list[str] = []
    for _score, phrase in sorted(scored, key=lambda pair: -pair[0]):
        if all(
            phrase.casefold() not in c.casefold() and c.casefold() not in phrase.casefold()
            for c in chosen
        ):
            chosen.append(phrase)
        if len(chosen) == DISTRACTORS:
            break
    return chosen


def cloze_questions(
    analysis: Analysis, *, settings: AISettings, count: int
) -> list[GeneratedQuestion]:
    """Fill-in-the-blank questions from the best-ranked sentences: the answer is the best
    keyphrase in the sentence, exactly as written there; distractors are the keyphrases
    closest to it."""
    phrases = analysis.keyphrases
    if not phrases:
        return []
    matrix = embed_texts_sync(settings, phrases)
    vectors = {phrase.casefold(): matrix[i] for i, phrase in enumerate(phrases)}
    questions: list[GeneratedQuestion] = []
    used_answers: set[str] = set()
    for index in _ranked_order(analysis):
        sentence = analysis.sentences[index]
        for phrase in phrases:
            found = _find(phrase, sentence)
            # Blanking the whole sentence, or its first word, would leave nothing to go on.
            if found is None or phrase.casefold() in used_answers or found.start() == 0:
                continue
            answer = found.group(0)
            prompt = sentence[: found.start()] + BLANK + sentence[found.end() :]
            distractors = _distractors(answer, sentence, phrases, vectors)
            questions.append(
                GeneratedQuestion(
                    prompt=f"Fill in the blank: {prompt}",
                    answer=answer,
                    distractors=distractors,
                    explanation=sentence,
                )
            )
            used_answers.add(phrase.casefold())
            break
        if len(questions) == count:
            break
    return questions


def _defining_sentence(term: str, analysis: Analysis) -> str | None:
    """A sentence that opens by saying what the term is ("Stomata are small pores ...") or
    what happens in it ("In anaphase, ...")."""
    name = re.escape(term)
    patterns = (
        rf"^(?:(?:a|an|the)\s+)?{name}(?:\s+\w+)?\s+{_DEFINING_VERB}",
        rf"^(?:in|during)\s+(?:the\s+)?{name}\s*,",
    )
    for i in _ranked_order(analysis):
        if any(re.search(p, analysis.sentences[i], flags=re.IGNORECASE) for p in patterns):
            return analysis.sentences[i]
    return None


def glossary(analysis: Analysis, *, size: int) -> list[GlossaryEntry]:
    """The keyphrases the text defines, best first; a word already part of a chosen term
    ("Calvin" after "Calvin cycle") adds nothing."""
    entries: list[GlossaryEntry] = []
    for term in analysis.keyphrases:
        if any(_find(term, entry.term) or _find(entry.term, term) for entry in entries):
            continue
        definition = _defining_sentence(term, analysis)
        if definition is not None:
            entries.append(GlossaryEntry(term=term, definition=definition))
        if len(entries) == size:
            break
    return entries


def objectives(analysis: Analysis, entries: list[GlossaryEntry], *, size: int) -> list[str]:
    """Observable objectives: define the key terms the text defines, explain its key ideas
    (its best keyphrases of several words)."""
    found = [f"Define {entry.term}." for entry in entries[: max(1, size // 2)]]
    for phrase in analysis.keyphrases:
        if len(found) >= size:
            break
        line = f"Explain {phrase}."
        if len(phrase.split()) > 1 and line not in found and f"Define {phrase}." not in found:
            found.append(line)
    return found[:size]


def flashcards(entries: list[GlossaryEntry]) -> list[Flashcard]:
    return [Flashcard(front=f"What is {e.term}?", back=e.definition) for e in entries]


def shuffled_options(question: GeneratedQuestion) -> list[str]:
    """The answer among its distractors, in an order fixed by the question (stable drafts)."""
    options = [question.answer, *question.distractors]
    random.Random(_seed(question.prompt, question.answer)).shuffle(options)  # noqa: S311  (layout, not secrecy)
    return options


def generate(analysis: Analysis, *, settings: AISettings, question_count: int) -> GeneratedMaterial:
    entries = glossary(analysis, size=12)
    return GeneratedMaterial(
        summary=summarise(analysis),
        learning_objectives=objectives(analysis, entries, size=5),
        questions=cloze_questions(analysis, settings=settings, count=question_count),
        flashcards=flashcards(entries),
        glossary=entries,
    )
