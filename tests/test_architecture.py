"""The house's floors, checked from the source: imports only ever point down.

Every module of `src/kcity` (migrations aside) stands on one floor:

    0 core             money, PDF rendering, errors, shared view helpers; imports no app
    1 engine           the selection engine: pure Python, imports only itself and core
    2 jobs             the queue and the worker
    3 models           each app's models.py
    4 permissions      kcity.permissions: who may see and do what (reads the models)
    5 domain           each app's services, selectors, lifecycles, rules, forms, e-mails, tasks
    6 web              each app's views, urls, admin, template tags and management commands
    7 site             the top floor: demo loader, root URLs, settings, the `kcity` command

A module may import from a lower floor. On the same floor (models, domain, web) it may import
from its own app or from an app lower in APP_ORDER. Imports of kcity modules sit at the top of
the file (never inside a function to dodge a loop), and no two modules import each other,
however long the ring.
"""

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "kcity"

APP_ORDER = ("accounts", "programs", "portfolio", "applications", "evaluation", "projects",
             "selection", "opendata")
FLOORS = ("core", "engine", "jobs", "models", "permissions", "domain", "web", "site")
WEB_MODULES = {"views", "urls", "admin", "templatetags", "management"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts
    }


def floor(module: str) -> tuple[int, int]:
    """(floor, app rank) of a kcity module."""
    parts = module.split(".")[1:]
    if not parts:
        return FLOORS.index("site"), 0
    top = parts[0]
    if top == "core":
        return FLOORS.index("core"), 0
    if top == "jobs":
        return FLOORS.index("jobs"), 0
    if top == "permissions":
        return FLOORS.index("permissions"), 0
    if top in APP_ORDER:
        rank = APP_ORDER.index(top)
        rest = parts[1:]
        if top == "selection" and rest[:1] == ["engine"]:
            return FLOORS.index("engine"), 0
        if rest[:1] == ["models"] or (rest and rest[0].endswith("_models")):
            return FLOORS.index("models"), rank
        if rest and (rest[0] in WEB_MODULES or rest[0].endswith(("_views", "_urls"))):
            return FLOORS.index("web"), rank
        return FLOORS.index("domain"), rank
    return FLOORS.index("site"), 0


def resolve(module: str, path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    known = modules()
    # `from kcity.x import y` names module kcity.x.y when that is a module.
    return sorted({f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                   for a in node.names})


def kcity_imports():
    """(importer, imported, line, at top level) for every import of a kcity module."""
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = set()
        for stmt in tree.body:
            top_level.add(stmt)
            if isinstance(stmt, ast.If):  # `if TYPE_CHECKING:` blocks count as top level
                top_level.update(stmt.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in resolve(module, path, node):
                    if name == "kcity" or name.startswith("kcity."):
                        yield module, name, node.lineno, node in top_level


def test_no_import_points_up():
    wrong = []
    for importer, imported, line, _ in kcity_imports():
        if importer == imported or imported.startswith(importer + "."):
            continue
        (f_from, rank_from), (f_to, rank_to) = floor(importer), floor(imported)
        same_app = importer.split(".")[:2] == imported.split(".")[:2]
        if f_to > f_from or (f_to == f_from and not same_app and rank_to > rank_from):
            wrong.append(f"{importer}:{line} ({FLOORS[f_from]}) -> {imported} ({FLOORS[f_to]})")
    assert not wrong, "imports that point up a floor:\n" + "\n".join(wrong)


def test_core_imports_no_app():
    wrong = [
        f"{a}:{line} -> {b}" for a, b, line, _ in kcity_imports()
        if a.startswith("kcity.core") and not b.startswith("kcity.core")
    ]
    assert not wrong, "\n".join(wrong)


def test_engine_imports_no_django_and_nothing_else_of_kcity():
    wrong = []
    for module, path in modules().items():
        if not module.startswith("kcity.selection.engine"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in resolve(module, path, node):
                    if name.split(".")[0] == "django" or (
                        name.startswith("kcity") and not name.startswith("kcity.selection.engine")
                    ):
                        wrong.append(f"{module}:{node.lineno} -> {name}")
    assert not wrong, "\n".join(wrong)


def test_no_kcity_import_hides_in_a_function():
    hidden = [f"{a}:{line} -> {b}" for a, b, line, top in kcity_imports() if not top]
    assert not hidden, "imports inside functions:\n" + "\n".join(hidden)


def test_no_import_ring():
    graph: dict[str, set[str]] = {}
    known = modules()
    for importer, imported, _, _ in kcity_imports():
        while imported not in known and "." in imported:
            imported = imported.rsplit(".", 1)[0]
        if imported != importer and not importer.startswith(imported + "."):
            graph.setdefault(importer, set()).add(imported)
    # Tarjan's strongly connected components: any component of two or more is a ring.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    rings: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            ring = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                ring.append(member)
                if member == node:
                    break
            if len(ring) > 1:
                rings.append(sorted(ring))

    for node in list(graph):
        if node not in index:
            visit(node)
    assert not rings, "modules that import each other:\n" + "\n".join(map(str, rings))


def test_the_floor_table_knows_every_module():
    """Sanity: the checks above walk real files and see real imports."""
    found = list(kcity_imports())
    assert len(modules()) > 50
    assert any(b == "kcity.core.money" for _, b, _, _ in found)
    assert floor("kcity.core.money") < floor("kcity.applications.models")
    assert floor("kcity.applications.models") < floor("kcity.permissions")
    assert floor("kcity.permissions") < floor("kcity.applications.services")
    assert floor("kcity.applications.services") < floor("kcity.applications.views")
