"""AI generation and embeddings bench: offline generation on the demo lessons, embedding
throughput, and the in-process similarity search at 10,000 items against reloading the
vectors for every query (what the search would cost without its per-process matrix).

    uv run --project backend python bench/ai_generation/bench.py [--items 10000] [--queries 200]

Prints one JSON object. Nothing touches the network or a database.
"""

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from learnwise.ai.embeddings.encoder import embed_texts_sync, load_model
from learnwise.ai.generation import nlp
from learnwise.ai.text import markdown_to_text
from learnwise.config import AISettings

DEMO = Path(__file__).resolve().parents[2] / "backend/src/learnwise/demo/data"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def bench_generation(settings: AISettings) -> dict:
    lessons = sorted(DEMO.glob("*/lessons/0*.md"))
    analyse_times, generate_times, chars = [], [], 0
    questions = with_three_distractors = answers_in_source = 0
    for path in lessons:
        text = markdown_to_text(path.read_text())
        chars += len(text)
        started = time.perf_counter()
        analysis = nlp.analyse(text, settings=settings, language="en")
        analysed = time.perf_counter()
        material = nlp.generate(analysis, settings=settings, question_count=5)
        analyse_times.append(analysed - started)
        generate_times.append(time.perf_counter() - analysed)
        for question in material.questions:
            questions += 1
            with_three_distractors += len(question.distractors) == nlp.DISTRACTORS
            answers_in_source += question.answer in text
    total = [a + g for a, g in zip(analyse_times, generate_times, strict=True)]
    return {
        "lessons": len(lessons),
        "mean_chars": round(chars / len(lessons)),
        "analyse": percentiles(analyse_times),
        "generate_after_analysis": percentiles(generate_times),
        "whole": percentiles(total),
        "questions": questions,
        "questions_with_3_distractors": with_three_distractors,
        "answers_found_in_source": answers_in_source,
    }


def bench_embedding(settings: AISettings) -> dict:
    sentences = []
    for path in sorted(DEMO.glob("*/lessons/*.md")):
        sentences.extend(nlp.split_sentences(markdown_to_text(path.read_text())))
    started = time.perf_counter()
    embed_texts_sync(settings, sentences)
    elapsed = time.perf_counter() - started
    return {"sentences": len(sentences), "per_second": round(len(sentences) / elapsed)}


def bench_search(items: int, queries: int, dim: int) -> dict:
    """Top 10 by cosine over ``items`` unit vectors: the cached matrix (one product per query)
    against rebuilding it from the stored bytes for every query (the baseline)."""
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(items, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stored = [row.astype("<f4").tobytes() for row in vectors]
    probes = vectors[rng.integers(0, items, size=queries)]

    def top10(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
        scores = matrix @ query
        best = np.argpartition(-scores, 10)[:10]
        return best[np.argsort(-scores[best])]

    cached, rebuilt = [], []
    for query in probes:
        started = time.perf_counter()
        top10(vectors, query)
        cached.append(time.perf_counter() - started)
        started = time.perf_counter()
        matrix = np.frombuffer(b"".join(stored), dtype="<f4").reshape(items, dim)
        top10(matrix, query)
        rebuilt.append(time.perf_counter() - started)
    cached_p = percentiles(cached)
    rebuilt_p = percentiles(rebuilt)
    return {
        "items": items,
        "dim": dim,
        "queries": queries,
        "cached_matrix": cached_p,
        "rebuild_per_query_baseline": rebuilt_p,
        "p50_speedup": round(rebuilt_p["p50_ms"] / cached_p["p50_ms"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        settings = AISettings(embedding_cache_dir=Path(cache))
        started = time.perf_counter()
        load_model(settings)
        load_seconds = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "model_load_seconds": round(load_seconds, 2),
                    "embedding": bench_embedding(settings),
                    "generation": bench_generation(settings),
                    "search": bench_search(args.items, args.queries, settings.embedding_dim),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
