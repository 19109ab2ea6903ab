"""Sentence embeddings, offline: wordllama's ``l2_supercat`` model, whose weights and tokenizer
ship inside the package (16 MB, no torch).

wordllama's loader looks for the tokenizer in a folder where the package does not put it and
then tries to download it. Given a ``cache_dir`` whose ``tokenizers/`` and ``weights/`` hold
links to the package's own files, and ``disable_download=True``, it loads them and never reaches
the network. Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

import asyncio
import threading
from pathlib import Path

import numpy as np
import wordllama
from wordllama import WordLlama
from wordllama.inference import WordLlamaInference

from learnwise.config import AISettings

MODEL_CONFIG = "l2_supercat"
SHIPPED_DIM = 256
MODEL_NAME = f"wordllama-{MODEL_CONFIG}"

_PACKAGE_DIR = Path(wordllama.__file__).resolve().parent
_SHIPPED_FILES = {
    "tokenizers": f"{MODEL_CONFIG}_tokenizer_config.json",
    "weights": f"{MODEL_CONFIG}_{SHIPPED_DIM}.safetensors",
}

_models: dict[tuple[Path, int], WordLlamaInference] = {}
_load_lock = threading.Lock()


class EmbeddingModelMissing(RuntimeError):
    """The installed wordllama does not ship the files this module links to."""


def _link_shipped_files(cache_dir: Path) -> None:
    for folder, name in _SHIPPED_FILES.items():
        source = _PACKAGE_DIR / folder / name
        if not source.is_file():
            raise EmbeddingModelMissing(f"wordllama does not ship {source}")
        target = cache_dir / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() and target.resolve() == source:
            continue
        # A stale link (wordllama reinstalled elsewhere) is replaced.
        target.unlink(missing_ok=True)
        target.symlink_to(source)


def load_model(settings: AISettings) -> WordLlamaInference:
    """The model, loaded once per process (blocking: call it from a thread)."""
    cache_dir = settings.embedding_cache_dir.resolve()
    key = (cache_dir, settings.embedding_dim)
    with _load_lock:
        if key not in _models:
            _link_shipped_files(cache_dir)
            _models[key] = WordLlama.load(
                config=MODEL_CONFIG,
                cache_dir=cache_dir,
                dim=SHIPPED_DIM,
                trunc_dim=settings.embedding_dim if settings.embedding_dim < SHIPPED_DIM else None,
                disable_download=True,
            )
        return _models[key]


def embed_texts_sync(settings: AISettings, texts: list[str]) -> np.ndarray:
    """One unit-length float32 row per text; a zero row for a blank text, which says nothing
    (the model would still embed its whitespace token)."""
    result = np.zeros((len(texts), settings.embedding_dim), dtype=np.float32)
    said = [i for i, text in enumerate(texts) if text.strip()]
    if not said:
        return result
    vectors = np.asarray(load_model(settings).embed([texts[i] for i in said]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result[said] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return result


async def embed_texts(settings: AISettings, texts: list[str]) -> np.ndarray:
    """``embed_texts_sync`` in a worker thread: tokenising and pooling are CPU work."""
    return await asyncio.to_thread(embed_texts_sync, settings, texts)
