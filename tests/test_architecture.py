"""The shape of the code (docs/architecture.md): no import circles inside nomadcloud/, core
imports no app, and apps import only apps below them in the layers. Read from the source with
``ast``, so a late import inside a function counts as much as one at the top of a module;
imports under ``if TYPE_CHECKING:`` count for the layers but not for circles."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nomadcloud"

# Lowest first. An app may import the apps of lower layers; core, accounts and notifications
# are below every other app.
LAYERS: list[set[str]] = [
    {"core"},
    {"accounts"},
    {"notifications"},
    {"supervision"},  # plan tasks; reads indicators through core/indicators.py only
    {"dashboard"},  # reads indicators through core/indicators.py, imports no providing app
    {"payouts", "consent"},
    {"risk"},
    {"taxonomy"},
    {"talent", "demands", "teams"},
    {"matching", "training", "orders", "datatasks", "bounties"},
    {"proofs"},
    {"points"},
    {"conversations"},
    {"incentives"},
    {"vouchers"},  # uses payouts (money) and the accounts below
    {"competitions"},
    {"onecard"},
    {"communities"},
    {"crossborder"},  # cross-border export decisions; reads consent records
    {"datapools"},  # reads points payments (connector), gives consent records; needs a
    # crossborder whitelist entry for an agreement with a recipient abroad
    {"valuation"},  # values data pools (reads datapools), alerts departments
]
# Imports between apps of one layer that are part of the design.
SIDEWAYS = {
    ("orders", "training"),  # a conversion names the training enrolment it came from
    ("bounties", "orders"),  # a studio's registration is an orders.Conversion (kind business)
    ("bounties", "training"),  # expert score sheets use the rubric arithmetic (training/rubric.py)
}
# Circles that are known and being removed, each with its reason; empty when there are none.
KNOWN_CYCLES: set[frozenset[str]] = set()

RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
    }


MODULES = _sources()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    yield target
    yield from (f"{target}.{alias.name}" for alias in node.names)  # a submodule, if it is one


def imports_of(module: str, *, type_checking: bool) -> set[str]:
    """The nomadcloud modules ``module`` imports anywhere in its body."""
    path = MODULES[module]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node) and not type_checking:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_imported(node, module, path.name == "__init__.py"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in MODULES and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _app(module: str) -> str | None:
    """The app (a sub-package of nomadcloud) a module belongs to; None for project modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and ".".join(parts[:2]) in PACKAGES else None


def test_no_import_circles() -> None:
    graph = {module: imports_of(module, type_checking=False) for module in MODULES}
    circles = [c for c in _cycles(graph) if c not in KNOWN_CYCLES]
    assert not circles, "import circles: " + "; ".join(
        " ↔ ".join(sorted(c)) for c in sorted(circles, key=sorted)
    )


def test_every_app_has_a_layer() -> None:
    apps = {app for module in MODULES if (app := _app(module)) is not None}
    apps -= {"locale", "static", "templates", "testing"}
    assert apps <= set(RANK), f"add {sorted(apps - set(RANK))} to LAYERS here and in the docs"


def test_apps_import_only_apps_below_them() -> None:
    wrong: list[str] = []
    for module in MODULES:
        app = _app(module)
        if app not in RANK:
            continue
        for target in imports_of(module, type_checking=True):
            other = _app(target)
            if other is None or other == app or other not in RANK:
                continue
            below = RANK[other] < RANK[app] or (app, other) in SIDEWAYS
            if not below:
                wrong.append(f"{module} → {target}")
    assert not wrong, "imports up or across the layers: " + ", ".join(sorted(wrong))


def test_core_imports_no_app() -> None:
    wrong = [
        f"{module} → {target}"
        for module in MODULES
        if _app(module) == "core"
        for target in imports_of(module, type_checking=True)
        if _app(target) not in {None, "core"}
    ]
    assert not wrong, "core must not import apps: " + ", ".join(sorted(wrong))


def test_tests_and_the_product_import_no_benchmark_code() -> None:
    """Code a test needs lives under tests/ or nomadcloud/testing/ (issue 13): a benchmark
    may import the product and its testing helpers, never the other way round. Data files
    under benchmarks/ may be read by path."""
    root = PACKAGE.parent
    wrong = []
    for path in [*sorted((root / "tests").rglob("*.py")), *sorted(PACKAGE.rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            wrong += [
                f"{path.relative_to(root)} → {name}"
                for name in names
                if name == "benchmarks" or name.startswith("benchmarks.")
            ]
    assert not wrong, "imports of benchmark code: " + ", ".join(wrong)
