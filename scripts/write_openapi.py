"""Write the committed OpenAPI document (docs/api/openapi.json) from the code.

Run after changing the API on purpose; tests/test_openapi.py fails while they differ."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")
os.environ.setdefault("NOMADCLOUD_DEBUG", "1")


def main() -> None:
    import django

    django.setup()
    from nomadcloud.api import api

    target = ROOT / "docs" / "api" / "openapi.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
