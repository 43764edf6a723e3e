"""Finding concepts by name as a person types them: Chinese or English labels and other
names, codes, full pinyin and pinyin initials ("sjbz" → 数据标注), ranked, and the closest
names when nothing matches.

The keys are held in an in-process index built from the database. Each process builds its
own copy and rebuilds it when the vocabulary's stamp (counts, last change) moves, so the
database stays the only shared state. Per kind, every key is one line of a newline-joined
string, so one C-level regex scan finds the lines containing the query; bisecting the line
starts gives the key it fell in. That keeps a query over ~35,000 concepts in milliseconds.
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Count, Max, Q
from django.utils import translation
from pypinyin import Style, lazy_pinyin

from nomadcloud.taxonomy.models import Alias, Concept
from nomadcloud.taxonomy.text import has_cjk, normalize

# The most results one query ranks; a type-ahead needs the first few, a page the first 50s.
MAX_RESULTS = 1000
# Scanning stops after this many substring hits per kind ("a" is in most English labels).
MAX_HITS = 20000
SUGGESTIONS = 5


class Match(IntEnum):
    """Why a concept matched, best first; the API names them in lower case."""

    EXACT = 0
    PREFIX = 1
    CONTAINS = 2
    PINYIN = 3
    SIMILAR = 4
    SEMANTIC = 5  # close in meaning (taxonomy/semantic.py)


class Via(IntEnum):
    """Which name matched: a preferred label (or the code) ranks above another name."""

    LABEL = 0
    CODE = 1
    ALIAS = 2
    PINYIN = 3


@dataclass(frozen=True)
class Hit:
    code: str
    kind: str
    label_zh: str
    label_en: str
    matched: str  # the name as written (for pinyin, the Chinese label it spells)
    match: Match
    via: Via

    @property
    def label(self) -> str:
        lang = (translation.get_language() or "zh-hans").lower()
        first, second = (
            (self.label_en, self.label_zh)
            if lang.startswith("en")
            else (self.label_zh, self.label_en)
        )
        return first or second


@dataclass
class _Keys:
    """One kind's keys: ``text`` is "\\n" + the keys joined by "\\n" + "\\n"."""

    text: str
    starts: list[int]
    concept: list[int]  # index into _Index.concepts, per key
    via: list[Via]
    written: list[str]  # the name as written, per key
    ordered: list[str]  # the keys sorted, for prefix lookups by bisection
    ordered_key: list[int]  # the key number of each sorted key


@dataclass
class _Index:
    stamp: tuple[object, ...]
    concepts: list[tuple[str, str, str, str]]  # code, kind, label_zh, label_en
    words: dict[str, _Keys]  # labels, other names and codes, per kind
    pinyin: dict[str, _Keys]  # full pinyin and initials of Chinese names, per kind
    by_code: dict[str, int]


def _pack(rows: list[tuple[str, int, Via, str]]) -> _Keys:
    starts, concept, via, written, parts = [], [], [], [], []
    offset = 1
    for key, index, how, name in rows:
        if not key or "\n" in key:
            continue
        starts.append(offset)
        concept.append(index)
        via.append(how)
        written.append(name)
        parts.append(key)
        offset += len(key) + 1
    order = sorted(range(len(parts)), key=parts.__getitem__)
    return _Keys(
        "\n" + "\n".join(parts) + "\n",
        starts,
        concept,
        via,
        written,
        ordered=[parts[i] for i in order],
        ordered_key=order,
    )


def pinyin_keys(label: str) -> tuple[str, str]:
    """A Chinese name's full pinyin without tones or spaces, and its initials."""
    syllables = [s for s in lazy_pinyin(normalize(label), style=Style.NORMAL) if s.strip()]
    flat = [s.replace(" ", "") for s in syllables]
    return "".join(flat), "".join(s[0] for s in flat if s)


def _stamp() -> tuple[object, ...]:
    # Active count too: a bulk update() of is_active leaves updated_at as it was.
    concepts = Concept.objects.aggregate(
        n=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        last=Max("updated_at"),
        top=Max("id"),
    )
    aliases = Alias.objects.aggregate(n=Count("id"), top=Max("id"))
    return (*concepts.values(), aliases["n"], aliases["top"])


def _build(stamp: tuple[object, ...]) -> _Index:
    concepts: list[tuple[str, str, str, str]] = []
    position: dict[int, int] = {}
    words: dict[str, list[tuple[str, int, Via, str]]] = {}
    pinyin: dict[str, list[tuple[str, int, Via, str]]] = {}
    rows = Concept.objects.filter(is_active=True).order_by("id")
    for pk, code, kind, zh, en in rows.values_list("id", "code", "kind", "label_zh", "label_en"):
        index = position[pk] = len(concepts)
        concepts.append((code, kind, zh, en))
        keys = words.setdefault(kind, [])
        for label in (zh, en):
            if label:
                keys.append((normalize(label), index, Via.LABEL, label))
        keys.append((code.casefold(), index, Via.CODE, code))
        if zh and has_cjk(zh):
            full, initials = pinyin_keys(zh)
            spelled = pinyin.setdefault(kind, [])
            spelled += [(full, index, Via.LABEL, zh), (initials, index, Via.LABEL, zh)]
    aliases = Alias.objects.filter(concept__is_active=True).order_by("id")
    for concept_id, label, key in aliases.values_list("concept_id", "label", "normalized"):
        index = position[concept_id]
        kind = concepts[index][1]
        words[kind].append((key, index, Via.ALIAS, label))
        if has_cjk(label):
            full, initials = pinyin_keys(label)
            spelled = pinyin.setdefault(kind, [])
            spelled += [(full, index, Via.ALIAS, label), (initials, index, Via.ALIAS, label)]
    return _Index(
        stamp=stamp,
        concepts=concepts,
        words={kind: _pack(keys) for kind, keys in words.items()},
        pinyin={kind: _pack(keys) for kind, keys in pinyin.items()},
        by_code={code: i for i, (code, *_rest) in enumerate(concepts)},
    )


_lock = threading.Lock()
_current: _Index | None = None


# The stamp is read at most this often per process: a vocabulary change shows within it.
STAMP_SECONDS = 2.0
_checked = 0.0


def index() -> _Index:
    """The index for the vocabulary as it is now, rebuilt when the stamp has moved."""
    global _current, _checked
    found = _current
    now = time.monotonic()
    if found is not None and now - _checked < STAMP_SECONDS:
        return found
    stamp = _stamp()
    _checked = now
    if found is not None and found.stamp == stamp:
        return found
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = _build(stamp)
        return _current


def _scan(
    keys: _Keys,
    pattern: str,
    best: dict[int, tuple[Match, Via, int]],
    *,
    pinyin: bool = False,
    anchored: bool = False,
    enough: int = MAX_RESULTS,
) -> None:
    """Record, per concept, its best (match, via, key) among the keys containing
    ``pattern`` (starting with it when ``anchored``, always for pinyin). Stops once
    ``enough`` concepts are recorded: within one tier, later keys may then be missed."""
    start_only = anchored or pinyin
    needle = re.compile(re.escape(("\n" if start_only else "") + pattern))
    for hits, found in enumerate(needle.finditer(keys.text)):
        if hits >= MAX_HITS or len(best) >= enough:
            break
        at = found.start() + (1 if start_only else 0)
        key = bisect.bisect_right(keys.starts, at) - 1
        start = keys.starts[key]
        end = keys.text.index("\n", start)
        if pinyin:
            match = Match.PINYIN
        elif at == start:
            match = Match.EXACT if end - start == len(pattern) else Match.PREFIX
        else:
            match = Match.CONTAINS
        via = Via.PINYIN if pinyin else keys.via[key]
        rank = (match, via, key)
        concept = keys.concept[key]
        if concept not in best or rank[:2] < best[concept][:2]:
            best[concept] = rank


def _starting(
    keys: _Keys,
    pattern: str,
    best: dict[int, tuple[Match, Via, int]],
    *,
    pinyin: bool,
    enough: int,
) -> None:
    """Like _scan for the keys starting with ``pattern``, found by bisection."""
    at = bisect.bisect_left(keys.ordered, pattern)
    while at < len(keys.ordered) and len(best) < enough:
        text = keys.ordered[at]
        if not text.startswith(pattern):
            break
        key = keys.ordered_key[at]
        at += 1
        if pinyin:
            match, via = Match.PINYIN, Via.PINYIN
        else:
            match = Match.EXACT if text == pattern else Match.PREFIX
            via = keys.via[key]
        concept = keys.concept[key]
        if concept not in best or (match, via) < best[concept][:2]:
            best[concept] = (match, via, key)


def search(q: str, kinds: tuple[str, ...] = (), need: int = MAX_RESULTS) -> list[Hit]:
    """The concepts (of these kinds, or any) whose names match ``q``, best first: equal,
    starting with, containing, then spelled in pinyin; a preferred label or the code above
    another name; then shorter names, then the vocabulary's order.

    ``need`` is how many the caller will read: a later tier is scanned only while the
    earlier ones found fewer (every concept of an earlier tier ranks above it), which keeps
    short queries ("a", "s") fast. At most MAX_RESULTS."""
    key = normalize(q)
    if not key:
        return []
    found = index()
    need = min(need, MAX_RESULTS)
    enough = max(need, 60)
    chosen = [k for k in (kinds or tuple(found.words) + tuple(found.pinyin)) if k]
    spelled = key.replace(" ", "").replace("'", "")
    # (keys, pattern, pinyin, anchored): starting with, containing, then pinyin.
    tiers: list[tuple[dict[str, _Keys], str, bool, bool]] = [
        (found.words, key, False, True),
        (found.words, key, False, False),
    ]
    if spelled.isascii() and spelled.isalpha():
        tiers.append((found.pinyin, spelled, True, True))
    kinds_chosen = list(dict.fromkeys(chosen))
    best_of: dict[str, dict[int, tuple[Match, Via, int]]] = {k: {} for k in kinds_chosen}
    for table, pattern, pinyin, anchored in tiers:
        if sum(len(b) for b in best_of.values()) >= need:
            break
        for kind in kinds_chosen:
            if kind in table:
                keys = table[kind]
                if anchored:
                    _starting(keys, pattern, best_of[kind], pinyin=pinyin, enough=enough)
                else:
                    _scan(keys, pattern, best_of[kind], enough=enough)
    ranked: list[tuple[tuple[int, int, int, int], Hit]] = []
    for kind in kinds_chosen:
        best = best_of[kind]
        keys_of = found.words.get(kind)
        pinyin_of = found.pinyin.get(kind)
        for concept, (match, via, k) in best.items():
            source = pinyin_of if via is Via.PINYIN else keys_of
            assert source is not None
            written = source.written[k]
            code, ckind, zh, en = found.concepts[concept]
            hit = Hit(code, ckind, zh, en, written, match, via)
            ranked.append(((match, via, len(written), concept), hit))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _rank, hit in ranked[:MAX_RESULTS]]


def _grams(text: str) -> set[str]:
    size = 2 if has_cjk(text) else 3
    if len(text) <= size:
        return {text}
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def suggest(q: str, kinds: tuple[str, ...] = (), limit: int = SUGGESTIONS) -> list[Hit]:
    """The concepts whose names are closest to ``q`` (shared character n-grams, then edit
    similarity), for a name that matched nothing."""
    key = normalize(q)
    if not key:
        return []
    found = index()
    votes: Counter[tuple[str, int]] = Counter()
    chosen = [k for k in (kinds or tuple(found.words)) if k in found.words]
    for kind in chosen:
        keys = found.words[kind]
        for gram in _grams(key):
            for n, seen in enumerate(re.finditer(re.escape(gram), keys.text)):
                if n >= MAX_HITS:
                    break
                votes[kind, bisect.bisect_right(keys.starts, seen.start()) - 1] += 1
    scored: dict[int, tuple[float, Hit]] = {}
    for (kind, k), _votes in votes.most_common(200):
        keys = found.words[kind]
        start = keys.starts[k]
        text = keys.text[start : keys.text.index("\n", start)]
        similarity = difflib.SequenceMatcher(None, key, text).ratio()
        concept = keys.concept[k]
        if similarity < 0.4 or (concept in scored and scored[concept][0] >= similarity):
            continue
        code, ckind, zh, en = found.concepts[concept]
        hit = Hit(code, ckind, zh, en, keys.written[k], Match.SIMILAR, keys.via[k])
        scored[concept] = (similarity, hit)
    best = sorted(scored.values(), key=lambda pair: -pair[0])
    return [hit for _similarity, hit in best[:limit]]


def label_of(code: str) -> str:
    """The concept's label in the reader's language, or "" for an unknown code."""
    found = index()
    at = found.by_code.get(code)
    if at is None:
        return ""
    _code, kind, zh, en = found.concepts[at]
    return Hit(code, kind, zh, en, "", Match.EXACT, Via.CODE).label


def resolve(name: str, kinds: tuple[str, ...] = ()) -> str | None:
    """The code of the concept named exactly ``name`` (a code, a label or another name in
    either language), or None. A preferred label wins over another concept's alias."""
    written = name.strip()
    if not written:
        return None
    found = index()
    at = found.by_code.get(written)
    if at is not None and (not kinds or found.concepts[at][1] in kinds):
        return written
    hits = search(written, kinds, need=1)
    if hits and hits[0].match is Match.EXACT:
        return hits[0].code
    # A code added since the stamp was last read is still a code.
    fresh = Concept.objects.filter(code=written, is_active=True)
    if kinds:
        fresh = fresh.filter(kind__in=kinds)
    return written if fresh.exists() else None


def forget() -> None:
    """Drop this process's index; the next search rebuilds it (tests whose rolled-back rows
    may leave the stamp as it was)."""
    global _current, _checked
    with _lock:
        _current = None
        _checked = 0.0


CONCEPT_CODE = re.compile(r"(?:nc|esco|onet)\.[\w.-]+")


def readable_code(value: str) -> str | None:
    """A concept code as its label (core.display renderer for the audit log): one query, and
    only for values shaped like a code."""
    if not CONCEPT_CODE.fullmatch(value):
        return None
    row = Concept.objects.filter(code=value).values_list("label_zh", "label_en").first()
    if row is None:
        return None
    zh, en = row
    chinese = (translation.get_language() or "").lower().startswith("zh")
    return (zh or en) if chinese else (en or zh)
