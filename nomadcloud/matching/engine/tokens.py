"""Words for text relevance, in Chinese and English.

English: lower-cased words, light Snowball stemming ("managing" = "manage"), a short stop
list. Tech terms written with symbols stay whole (c++, c#, .net, node.js, asp.net). Chinese:
jieba in search mode (whole words and their shorter parts, so 数据标注 also finds 标注).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    r"|(?P<word>\.?[a-z0-9]+(?:[+#]+|(?:\.[a-z0-9]+)+)?)"
)
ENGLISH_STOP = """a an and are as at be by for from has have in is it its of on or our that the
their this to was we will with you your us who what which can may any all such other"""
CHINESE_STOP = "的 和 与 及 或 等 在 了 是 有 对 为 将 并 我们 你 您 其 中 以及 进行 负责 相关"
STOP = frozenset(ENGLISH_STOP.split()) | frozenset(CHINESE_STOP.split())
MAX_CHARS = 20_000  # longer texts are cut: the first 20,000 characters say enough

_stemmer = snowballstemmer.stemmer("english")
_jieba_lock = threading.Lock()
_jieba = None


def tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    tokens: list[str] = []
    for found in _PIECE.finditer(text):
        if found.group("cjk"):
            tokens.extend(t for t in _segment(found.group("cjk")) if t not in STOP)
        else:
            word = found.group("word")
            if word not in STOP:
                tokens.append(_stem(word))
    return tokens


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if not word.isalpha() or len(word) <= 3:
        return word
    return str(_stemmer.stemWord(word))


@lru_cache(maxsize=100_000)
def _segment(run: str) -> tuple[str, ...]:
    return tuple(t for t in _segmenter().cut_for_search(run, HMM=False) if t.strip())


def _segmenter() -> Any:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _jieba = tokenizer
    return _jieba


def add_words(words: list[str]) -> None:
    """Teach the Chinese segmenter words it must keep whole (the taxonomy's labels)."""
    segmenter = _segmenter()
    for word in words:
        if re.search(f"[{_CJK}]", word):
            segmenter.add_word(word, freq=1_000_000)
    _segment.cache_clear()
