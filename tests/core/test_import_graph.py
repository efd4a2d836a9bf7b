"""No import cycle between modules of ketamine_clinic, counting imports placed inside functions.

An import inside a function hides a cycle from Python's start-up but not from the design: the graph
here has an edge for every project import, at any depth of the module, and must have no cycle.
"""

import ast
from pathlib import Path

import ketamine_clinic

ROOT = Path(ketamine_clinic.__file__).parent
PACKAGE = "ketamine_clinic"



def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


def _targets(module: str, is_package: bool, node: ast.AST, modules: dict) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix for a in node.names]
    out = []
    for name in names:
        if not name.startswith(PACKAGE):
            continue
        while name not in modules and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in modules and name != module:
            out.append(name)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):  # every import, also inside functions
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(_targets(module, path.name == "__init__.py", node, modules))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert len(graph) > 200
    # escalation queues its task and the task runs the escalation: one module, no back edge
    assert "ketamine_clinic.assessments.tasks" not in graph["ketamine_clinic.assessments.services.escalation"]
    # an import inside a function counts (AppConfig.ready registers the app's clinic settings)
    assert "ketamine_clinic.clinic_settings" in graph["ketamine_clinic.plans.apps"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    found = cycles(import_graph())
    assert found == [], "import cycles (move code so each import can sit at the top of its module)"


# Where an import may sit inside a function: AppConfig.ready (models are loaded only then) and the
# command line (it sets Django up before it may import models).
FUNCTION_IMPORTS_ALLOWED = ("apps.py", "cli.py")


def test_project_imports_sit_at_the_top_of_their_module():
    inside = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "migrations" in rel or rel.endswith(FUNCTION_IMPORTS_ALLOWED):
            continue
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(PACKAGE)):
                        inside.append(f"{rel}:{node.lineno}")
                    elif isinstance(node, ast.Import) and any(a.name.startswith(PACKAGE) for a in node.names):
                        inside.append(f"{rel}:{node.lineno}")
    assert inside == []
