"""Fill the zh_Hans catalogue from translation files (JSON: msgid → translation; plurals as
"singular||plural" → [translation]; a context as "context\\x04msgid"). Only empty or fuzzy
entries are filled; existing translations are kept. Usage:

    python scripts/apply_translations.py .translations/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parents[1] / "nomadcloud/locale/zh_Hans/LC_MESSAGES/django.po"


def main(paths: list[str]) -> int:
    translations: dict[str, object] = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    filled = missing = 0
    for message in catalogue:
        if not message.id:
            continue
        plural = isinstance(message.id, tuple | list)
        key = "||".join(message.id) if plural else message.id
        if message.context:
            key = f"{message.context}\x04{key}"
        done = all(message.string) if plural else bool(message.string)
        if done and not message.fuzzy:
            continue
        value = translations.get(key)
        if value is None:
            missing += 1
            continue
        message.string = tuple(value) if plural else value  # type: ignore[assignment]
        message.flags.discard("fuzzy")
        filled += 1
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False)
    print(f"filled {filled}, still untranslated {missing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
