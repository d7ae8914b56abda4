"""Synthetic padding for scale benchmarks: passages recombined from the article's real sentences, written as a real index version.

Embedding 100,000 passages with the model would take about 50 minutes on the benchmark machine, so padding
passages are made from the real article instead: each one concatenates 2-6 randomly chosen real sentences
(until 200-400 characters), and each of its search units gets a vector that is a normalised mixture of the
real vector of its own sentence, one or two other real sentence vectors and small Gaussian noise. The result
is written through `IndexStore.write_version`, so loading and searching it exercises the real code path.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.models import DocumentMeta, Passage
from index.store import IndexStore, LoadedIndex, Manifest, choose_index_type, new_version_id
from index.units import Unit, embedding_input, input_key, units_for

log = logging.getLogger(__name__)

PASSAGES_PER_DOC = 50
NOISE_SIGMA = 0.02  # per dimension: a noise vector of norm ~0.4 in 384 dimensions


@dataclass(frozen=True)
class PaddedIndex:
    """What was written: where, how many passages and units, and the index type chosen."""

    root: Path
    passages: int
    units: int
    index_type: str
    seconds: float


def _real_sentences(article: LoadedIndex) -> tuple[list[str], np.ndarray]:
    texts = [embedding_input(article.passages[u.passage], u) for u in article.units]
    vectors = np.asarray(article.embeddings(), dtype=np.float32)
    return texts, vectors


def write_padded_index(
    article: LoadedIndex, root: Path, total_passages: int, *, seed: int = 0, index_type: str | None = None
) -> PaddedIndex:
    """Write an index of the article plus synthetic passages up to `total_passages` under `root` and activate it."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sentences, sentence_vectors = _real_sentences(article)
    passages: list[Passage] = list(article.passages)
    texts: dict[str, str] = dict(article.texts)
    documents = {doc_id: dict(info) for doc_id, info in article.manifest.documents.items()}
    # For each synthetic passage, the (start, end, real sentence) pieces it was made of.
    pieces_of: dict[int, list[tuple[int, int, int]]] = {}

    doc_number = 0
    while len(passages) < total_passages:
        doc_id = f"synthetic-{doc_number:05d}"
        meta = DocumentMeta(
            doc_id=doc_id, title=f"Synthetic padding {doc_number}", language="zh-Hant", source_file=f"{doc_id}.txt", format="synthetic"
        )
        doc_parts: list[str] = []
        offset = 0
        count = min(PASSAGES_PER_DOC, total_passages - len(passages))
        for number in range(count):
            target = int(rng.integers(200, 401))
            text, pieces = "", []
            while True:
                real = int(rng.integers(len(sentences)))
                sentence = sentences[real]
                if text and len(text) + len(sentence) > target:
                    break
                sentence = sentence[: 400 - len(text)]
                pieces.append((len(text), len(text) + len(sentence), real))
                text += sentence
                if len(text) >= target:
                    break
            pid = "s-" + hashlib.blake2b(f"{doc_id}/{number}".encode(), digest_size=6).hexdigest()
            pieces_of[len(passages)] = pieces
            passages.append(Passage(pid, doc_id, text, "", None, None, number, offset, offset + len(text)))
            doc_parts.append(text)
            offset += len(text) + 2
        doc_text = "\n\n".join(doc_parts)
        texts[doc_id] = doc_text
        documents[doc_id] = {
            "hash": hashlib.sha256(doc_text.encode()).hexdigest(),
            "source_file": meta.source_file,
            "passages": count,
            "meta": meta.to_dict(),
        }
        doc_number += 1

    units: list[Unit] = units_for(passages)
    real_units = len(article.units)
    base = np.empty(len(units), dtype=np.int64)
    for i, unit in enumerate(units):
        if i < real_units:
            continue
        pieces = pieces_of[unit.passage]
        base[i] = next((real for s, e, real in pieces if e > unit.start), pieces[-1][2])
    n = len(units) - real_units
    # Which real sentences each padding unit mixes, and how much: drawn once, so that the second encoder's vectors
    # (when the article has them) are the same mixture of the same sentences.
    others = rng.integers(len(sentences), size=n)
    other_weights = rng.uniform(0.2, 0.6, (n, 1)).astype(np.float32)
    third = (rng.random((n, 1)) < 0.5).astype(np.float32) * rng.uniform(0.1, 0.4, (n, 1)).astype(np.float32)
    thirds = rng.integers(len(sentences), size=n)

    def padded(real_vectors: np.ndarray) -> np.ndarray:
        vectors = np.empty((len(units), real_vectors.shape[1]), dtype=np.float32)
        vectors[:real_units] = real_vectors
        if n:
            mix = real_vectors[base[real_units:]].copy()
            mix += other_weights * real_vectors[others]
            mix += third * real_vectors[thirds]
            mix += rng.normal(0.0, NOISE_SIGMA * np.sqrt(384 / real_vectors.shape[1]), mix.shape).astype(np.float32)
            mix /= np.linalg.norm(mix, axis=1, keepdims=True)
            vectors[real_units:] = mix
        return vectors

    vectors = padded(sentence_vectors)
    second = article.second_embeddings()
    second_vectors = padded(np.asarray(second, dtype=np.float32)) if second is not None else None
    keys = [input_key(embedding_input(passages[u.passage], u)) for u in units]

    chosen = index_type or choose_index_type(len(units))
    source = article.manifest
    manifest = Manifest(
        version=new_version_id(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=source.model,
        backend=source.backend,
        dimension=source.dimension,
        passage_count=len(passages),
        index_type=chosen,
        documents=documents,
        built_by=f"bench/synthetic seed={seed}",
        second_model=source.second_model if second_vectors is not None else "",
    )
    store = IndexStore(root)
    staging = store.new_staging_dir(manifest.version)
    final = store.write_version(staging, manifest, passages, units, keys, vectors, texts, second_vectors=second_vectors)
    store.activate(final)
    seconds = time.perf_counter() - started
    log.info("synthetic index: %d passages, %d units, %s, %.1fs", len(passages), len(units), chosen, seconds)
    return PaddedIndex(root, len(passages), len(units), chosen, seconds)
