"""The matching engine: pure Python and numpy, no Django, so that the product, its tests and
the benchmarks run the same code. ``nomadcloud.matching`` feeds it from the database."""
