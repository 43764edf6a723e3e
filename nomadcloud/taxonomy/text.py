"""Text normalisation shared by the vocabulary, the importers and the tagger (no Django)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A space next to a CJK character carries no meaning: "Python 开发" == "Python开发".
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")


def normalize(label: str) -> str:
    """The form labels are compared in: NFKC, case-folded, single spaces, none beside CJK."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BY_CJK.sub("", text)


def has_cjk(text: str) -> bool:
    return re.search(f"[{_CJK}]", text) is not None


CJK_RANGES = _CJK
