"""Skill and tool tags from free text in Chinese and English (the job profile, 岗位画像).

The dictionary is every label and alias of the concepts worth tagging: the vocabulary's, and
imported technologies O*NET marks as hot or in demand (the long tail of imported concepts
would tag ordinary words). The text is cut into tokens: dictionary terms written with symbols
(C++, C#, .NET, Node.js, CI/CD) are protected first, Chinese runs are segmented with jieba
(which knows every Chinese label, so labels stay whole), and ASCII words are kept as they are.
The longest run of tokens that is a label wins, and a tag remembers the words it came from.

Short Latin labels (R, Go, UI) only match when written with the same letter case, so that
"go" or "r" in running text tag nothing.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from nomadcloud.taxonomy.models import Alias, Concept
from nomadcloud.taxonomy.text import CJK_RANGES, has_cjk, normalize

LABEL_WEIGHT = 1.0
ALIAS_WEIGHT = 0.8
CASE_SENSITIVE_UP_TO = 3  # characters
MAX_TEXT = 50_000  # characters read from one text
TAGGABLE = Q(source=Concept.Source.NOMADCLOUD) | Q(hot_technology=True) | Q(in_demand=True)

# Words that name a skill but mostly do another job in a demand: 招聘 ("hiring") opens most
# job posts, 策划 means "plan" (and "planner") far more often than "game design". They tag a
# skill only where the text uses them as one (used_as_skill).
FUNCTION_WORDS = frozenset({"招聘", "招募", "策划", "hiring", "recruiting", "recruitment"})
FUNCTION_PATTERN = re.compile(
    "|".join(["诚聘", "急聘", "急招", *sorted(FUNCTION_WORDS)]), re.IGNORECASE
)
_SKILL_BEFORE = re.compile(
    r"(负责|擅长|熟悉|熟练|精通|具备|从事|做过|懂|有|experience in|experienced in|skilled in)"
    r"[^，。；,.;\n]{0,4}$",
    re.IGNORECASE,
)
_SKILL_AFTER = re.compile(
    r"^\s*(经验|能力|工作|专员|流程|技能|面试|渠道|经理|主管|岗位经验|"
    r"experience|skills?|process|specialist|manager)",
    re.IGNORECASE,
)


def used_as_skill(text: str, start: int, end: int) -> bool:
    """Whether the function word at text[start:end] is used as a skill: after 负责, 擅长,
    熟悉 … ("负责招聘") or before 经验, 能力, 专员 … ("招聘经验"); not "招聘主播" or
    "策划一场活动"."""
    return bool(
        _SKILL_BEFORE.search(text[max(0, start - 16) : start])
        or _SKILL_AFTER.search(text[end : end + 12])
    )


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][a-z]+)?")
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
_BREAK = re.compile(r"[,.;:!?()\[\]{}<>\"“”‘’、，。；：！？（）【】《》\n\r\t|/\\·•]")
_PIECE = re.compile(f"{_ASCII_WORD.pattern}|{_CJK_RUN.pattern}|{_BREAK.pattern}")


@dataclass(frozen=True)
class Tag:
    concept_id: int
    code: str
    label_zh: str
    label_en: str
    kind: str
    matched: tuple[str, ...]  # the words of the text it came from, as written there
    score: float


@dataclass(frozen=True)
class _Entry:
    concept_id: int
    weight: float
    exact: str  # the label as written, for short case-sensitive labels; else ""


@dataclass
class _Dictionary:
    version: tuple[object, ...]
    phrases: dict[str, list[_Entry]] = field(default_factory=dict)
    concepts: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    protected: re.Pattern[str] | None = None
    longest: int = 1  # tokens in the longest phrase


@dataclass
class _Token:
    text: str  # as written
    key: str  # normalized
    cjk: bool
    start: int
    follows_break: bool


_lock = threading.Lock()
_cache: _Dictionary | None = None
_segmenter = None
_segmenter_words: set[str] = set()


def extract_tags(text: str, *, kinds: Collection[str] | None = None) -> list[Tag]:
    """Tags for ``text``, best first; only concepts of ``kinds`` when given."""
    text = text[:MAX_TEXT]
    dictionary = _dictionary()
    found: dict[int, list[tuple[int, str, float]]] = {}
    for start, written, entries in _matches(text, dictionary):
        for entry in entries:
            found.setdefault(entry.concept_id, []).append((start, written, entry.weight))
    tags = []
    for concept_id, hits in found.items():
        code, label_zh, label_en, kind = dictionary.concepts[concept_id]
        if kinds is not None and kind not in kinds:
            continue
        matched = tuple(dict.fromkeys(written for _start, written, _weight in hits))
        weight = max(w for _start, _written, w in hits)
        # One mention is a good sign, each repeat a better one: 0.75, 0.875, 0.9375 … × weight.
        score = weight * (1 - 0.5 ** (len(hits) + 1))
        tags.append(
            (
                -score,
                hits[0][0],
                Tag(concept_id, code, label_zh, label_en, kind, matched, round(score, 3)),
            )
        )
    return [tag for _score, _start, tag in sorted(tags, key=lambda t: (t[0], t[1]))]


def _matches(text: str, dictionary: _Dictionary) -> Iterator[tuple[int, str, list[_Entry]]]:
    """(position, words as written, entries) for each longest label found in the text."""
    tokens = list(_tokens(text, dictionary))
    i = 0
    while i < len(tokens):
        for size in range(min(dictionary.longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            if any(t.follows_break for t in window[1:]):
                continue
            written = text[window[0].start : window[-1].start + len(window[-1].text)]
            phrase = _phrase(window)
            entries = _lookup(phrase, written, dictionary)
            if entries and phrase in FUNCTION_WORDS:
                end = window[-1].start + len(window[-1].text)
                if not used_as_skill(text, window[0].start, end):
                    entries = []
            if entries:
                yield window[0].start, written, entries
                i += size
                break
        else:
            i += 1


def _lookup(key: str, written: str, dictionary: _Dictionary) -> list[_Entry]:
    entries = dictionary.phrases.get(key)
    if not entries and len(key) > 3 and key.endswith("s") and key.isascii():
        entries = dictionary.phrases.get(key[:-1])  # plural: "databases", "APIs"
    return [e for e in entries or () if not e.exact or e.exact == written]


def _phrase(tokens: list[_Token]) -> str:
    text = ""
    for token in tokens:
        if text and not token.cjk and not has_cjk(text[-1]):
            text += " "
        text += token.key
    return text


def _tokens(text: str, dictionary: _Dictionary) -> Iterator[_Token]:
    position = 0
    pending_break = True
    protected = dictionary.protected
    for found in protected.finditer(text) if protected else ():
        yield from _plain_tokens(text, position, found.start(), pending_break)
        pending_break = False
        yield _Token(found.group(), normalize(found.group()), False, found.start(), False)
        position = found.end()
    yield from _plain_tokens(text, position, len(text), pending_break)


def _plain_tokens(text: str, start: int, end: int, after_break: bool) -> Iterator[_Token]:
    follows_break = after_break
    for found in _PIECE.finditer(text, start, end):
        word = found.group()
        if _BREAK.fullmatch(word):
            follows_break = True
            continue
        if _CJK_RUN.fullmatch(word):
            offset = found.start()
            for piece in _segment(word):
                yield _Token(piece, normalize(piece), True, offset, follows_break)
                follows_break = False
                offset += len(piece)
        else:
            yield _Token(word, normalize(word), False, found.start(), follows_break)
            follows_break = False


def _segment(run: str) -> list[str]:
    return list(_segmenter_for(set()).cut(run, HMM=False))


def _segmenter_for(words: set[str]):  # type: ignore[no-untyped-def]
    """One jieba tokenizer per process; labels are added to it as the dictionary grows."""
    global _segmenter
    if _segmenter is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        segmenter = jieba.Tokenizer()
        segmenter.initialize()
        _segmenter = segmenter
    for word in words - _segmenter_words:
        _segmenter.add_word(word, freq=1_000_000)
        _segmenter_words.add(word)
    return _segmenter


def _version() -> tuple[object, ...]:
    concepts = Concept.objects.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    aliases = Alias.objects.aggregate(n=Count("id"), last=Max("id"))
    return (*concepts.values(), *aliases.values())


def _dictionary() -> _Dictionary:
    global _cache
    version = _version()
    with _lock:
        if _cache is None or _cache.version != version:
            _cache = _build(version)
        return _cache


def _build(version: tuple[object, ...]) -> _Dictionary:
    dictionary = _Dictionary(version)
    concepts = Concept.objects.filter(TAGGABLE, is_active=True).exclude(kind="occupation")
    rows = concepts.values_list("id", "code", "label_zh", "label_en", "kind")
    labels: list[tuple[int, str, float]] = []
    for concept_id, code, label_zh, label_en, kind in rows:
        dictionary.concepts[concept_id] = (code, label_zh, label_en, kind)
        labels += [(concept_id, label, LABEL_WEIGHT) for label in (label_zh, label_en) if label]
    aliases = Alias.objects.filter(concept__in=concepts).values_list("concept_id", "label")
    labels += [(concept_id, label, ALIAS_WEIGHT) for concept_id, label in aliases]

    symbolic: set[str] = set()
    chinese: set[str] = set()
    for concept_id, label, weight in labels:
        key = normalize(label)
        if not key:
            continue
        short = len(label) <= CASE_SENSITIVE_UP_TO and label.isascii() and label != label.lower()
        entry = _Entry(concept_id, weight, label if short else "")
        entries = dictionary.phrases.setdefault(key, [])
        if all(e.concept_id != concept_id for e in entries):
            entries.append(entry)
        if label.isascii() and re.search(r"[^A-Za-z0-9 '’]", label):
            symbolic.add(label.strip())
        for run in _CJK_RUN.findall(label):
            chinese.add(run)
        dictionary.longest = max(dictionary.longest, _token_count(label))
    _segmenter_for(chinese)
    if symbolic:
        # Longest first, and not inside a longer word: "C++" but not the "C" of "CSS".
        alternatives = "|".join(re.escape(s) for s in sorted(symbolic, key=len, reverse=True))
        dictionary.protected = re.compile(
            rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9+#])", re.IGNORECASE
        )
    return dictionary


def _token_count(label: str) -> int:
    """Tokens a label spans in text: its words, and one per Chinese run (jieba keeps a
    label's Chinese whole, since it knows it as a word)."""
    return len(_ASCII_WORD.findall(label)) + len(_CJK_RUN.findall(label))


# A clause whose meaning is this close to a skill or tool proposes it (packaged model; seen on
# the shipped vocabulary: 0.65 keeps "负责给自动驾驶图片打标签" → image annotation and drops
# most unrelated neighbours). The enterprise confirms or removes each proposal.
PROPOSAL_SIMILARITY = 0.65
PROPOSALS_PER_CLAUSE = 2
MAX_CLAUSES = 40
_CLAUSE = re.compile(r"[。；;！？!?\n]+|[，,、]")


def propose(text: str, *, kinds: Collection[str] | None = None, limit: int = 15) -> list[Tag]:
    """The job profile a text suggests: the tags its words name (extract_tags), then skills
    and tools close in meaning to one of its clauses, in any language (图片打标签 → image
    annotation; a purely Chinese demand → English-only ESCO skills), at most ``limit``, each
    with the similarity as its confidence and the clause as the words it came from. Without
    an embedding model, the tags alone."""
    from nomadcloud.taxonomy import semantic  # the vectors need the lookup index

    tags = extract_tags(text, kinds=kinds)
    seen = {tag.concept_id for tag in tags}
    wanted = tuple(kinds) if kinds is not None else ("skill", "tool")
    clauses = [c.strip() for c in _CLAUSE.split(text[:MAX_TEXT]) if c.strip()][:MAX_CLAUSES]
    best: dict[str, tuple[float, str, semantic.Neighbour]] = {}
    for clause in clauses:
        # Function words carry no skill ("招聘主播" is about hosting, not recruitment).
        meaning = FUNCTION_PATTERN.sub(" ", clause).strip()
        if len(meaning) < 2:
            continue
        near = semantic.neighbours(
            meaning, wanted, limit=PROPOSALS_PER_CLAUSE, min_similarity=PROPOSAL_SIMILARITY
        )
        for neighbour in near:
            code = neighbour.hit.code
            if code not in best or neighbour.similarity > best[code][0]:
                best[code] = (neighbour.similarity, clause, neighbour)
    if not best:
        return tags
    ids = dict(Concept.objects.filter(code__in=best).values_list("code", "id"))
    proposed = 0
    for code, (similarity, clause, neighbour) in sorted(best.items(), key=lambda b: -b[1][0]):
        concept_id = ids.get(code)
        if concept_id is None or concept_id in seen or proposed >= limit:
            continue
        seen.add(concept_id)
        proposed += 1
        hit = neighbour.hit
        tags.append(
            Tag(concept_id, code, hit.label_zh, hit.label_en, hit.kind, (clause,), similarity)
        )
    return tags
