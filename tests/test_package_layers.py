"""The package's floors, declared once, and the rule that imports only point down.

`fairgift/` is built in floors; a module may import from its own floor and from the floors below,
never from a floor above, and no import circle may exist (between modules, whatever their floor).
Read with the standard library's `ast` alone, so the check needs no chain, and an import hidden in a
function or behind `importlib.import_module("fairgift...")` counts like any other.
"""

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fairgift"

# Bottom to top. A module belongs to the first floor whose prefix names it (a package's prefix
# covers every module inside it). docs/structure.md explains the floors.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    (
        "models (pure: no chain, no I/O)",
        (
            "fairgift",  # the package's own __init__
            "fairgift.errors",
            "fairgift.amounts",
            "fairgift.fees",
            "fairgift.curve",
            "fairgift.gifts",
            "fairgift.platforms",
            "fairgift.sandwich",
            "fairgift.display",
            "fairgift.eip712",
            "fairgift.abi",
            "fairgift.networks",
        ),
    ),
    (
        "chain access and data",
        (
            "fairgift.chain",
            "fairgift.signing",
            "fairgift.batch",
            "fairgift.deployments",
            "fairgift.creators",
            "fairgift.events",
            "fairgift.db",
            "fairgift.db_schema",
            "fairgift.circle_usdc",
            "fairgift.usdc_check",
            "fairgift.chain_profile",
            "fairgift.token_gate",
            "fairgift.node_transport",
        ),
    ),
    ("what happened", ("fairgift.ledger", "fairgift.history", "fairgift.report")),
    (
        "operations",
        (
            "fairgift.api",
            "fairgift.deploy",
            "fairgift.demo",
            "fairgift.scripting",
            "fairgift.rehearsal",
            "fairgift.rehearsal_serve",
            "fairgift.browser",
            "fairgift.safe",
        ),
    ),
    ("services", ("fairgift.index", "fairgift.relayer", "fairgift.logs")),
    ("web", ("fairgift.web",)),
    (
        "the serve process (web + relayer + index)",
        ("fairgift.serve", "fairgift.service", "fairgift.serve_commands"),
    ),
    ("bench", ("fairgift.bench",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor_of(module: str) -> int | None:
    best = None
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if module == prefix or (prefix != "fairgift" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return None if best is None else best[0]


def imports_of(path: Path, module: str) -> set[str]:
    """Every fairgift module this file imports, wherever the import stands (top level, function,
    `importlib.import_module` with a literal name)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return {name for name in found if name == "fairgift" or name.startswith("fairgift.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    edges = {}
    for module, path in modules.items():
        targets = set()
        for name in imports_of(path, module):
            # `from fairgift.x import y` names either module x.y or attribute y of x: keep the longest
            # existing module.
            while name not in modules and "." in name:
                name = name.rpartition(".")[0]
            if name in modules and name != module:
                targets.add(name)
        edges[module] = targets
    return edges


def test_every_module_has_a_floor():
    homeless = sorted(module for module in graph() if floor_of(module) is None)
    assert homeless == [], f"modules with no floor in FLOORS (add them where they belong): {homeless}"


def test_imports_only_point_down():
    upward = []
    for module, targets in sorted(graph().items()):
        for target in sorted(targets):
            here, there = floor_of(module), floor_of(target)
            if target == "fairgift" or here is None or there is None:
                continue
            if there > here:
                upward.append(f"{module} ({FLOORS[here][0]}) -> {target} ({FLOORS[there][0]})")
    assert upward == [], "imports pointing up a floor:\n" + "\n".join(upward)


def test_no_import_circle():
    edges = {module: {t for t in targets if t != "fairgift"} for module, targets in graph().items()}
    # a package's __init__ re-exporting its modules is not a circle with them
    edges = {m: {t for t in ts if not (m.startswith(t + ".") and t != "fairgift")} for m, ts in edges.items()}
    circles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_no_private_name_imported_from_another_module():
    """`from fairgift.x import _name` reaches into x's privacy; tests included."""
    offenders = []
    roots = [PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "scripts", PACKAGE.parent / "bots"]
    for root in roots:
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf8"), str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fairgift"):
                    for alias in node.names:
                        if alias.name.startswith("_"):
                            offenders.append(
                                f"{path.relative_to(PACKAGE.parent)}: {node.module}.{alias.name}"
                            )
    assert offenders == [], "\n".join(offenders)


def dynamic_imports(package: Path) -> list[str]:
    """Places that import a module by a computed name (importlib.import_module, __import__): an
    arrow the graph cannot see. importlib.metadata / importlib.resources are not imports of code."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"), str(path))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in ("import_module", "__import__"):
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def test_no_import_hidden_behind_importlib():
    assert dynamic_imports(PACKAGE) == []


def test_the_checker_sees_what_it_must(tmp_path, monkeypatch):
    """Not vacuous: an upward import, a circle and an importlib arrow in a scratch package are found."""
    scratch = tmp_path / "fairgift"
    (scratch / "index").mkdir(parents=True)
    (scratch / "__init__.py").write_text("")
    (scratch / "fees.py").write_text("import importlib\nimportlib.import_module('fairgift.index')\n")
    (scratch / "index" / "__init__.py").write_text("from fairgift import fees\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", scratch)
    edges = graph()
    assert edges["fairgift.fees"] == {"fairgift.index"}
    assert edges["fairgift.index"] - {"fairgift"} == {"fairgift.fees"}
    assert dynamic_imports(scratch) == ["fairgift/fees.py:2"]
    assert floor_of("fairgift.fees") < floor_of("fairgift.index")
