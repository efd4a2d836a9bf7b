"""Audit actions come from one enumeration (``audit.actions.Action``), never free strings.

The source check walks every module under ``src``: each ``record(...)`` call, and each helper that
passes one of its parameters on as the action (``_audit``, ``get_patient_for(audit_action=…)``…),
must be given an ``Action`` member (or ``None`` where "no event" is allowed). A string literal, an
f-string or a concatenation fails the test with its file and line.
"""

import ast
from pathlib import Path

import pytest

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.audit.services import Context, record

SRC = Path(__file__).resolve().parents[2] / "src" / "ketamine_clinic"


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _is_action_attr(node) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Action"
            and node.attr in Action.__members__)


def _enumerated(node, allow_none: bool = False) -> bool:
    """An Action member, an Action lookup (``Action.plan_status(s)``) or a choice between them."""
    if _is_action_attr(node):
        return True
    if allow_none and isinstance(node, ast.Constant) and node.value is None:
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        return node.func.value.id == "Action"
    if isinstance(node, ast.IfExp):
        return _enumerated(node.body, allow_none) and _enumerated(node.orelse, allow_none)
    return False


def _action_arg(call: ast.Call, position: int, keyword: str):
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _enclosing_function(node, parents):
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
    return None


def _params(fn) -> list[tuple[str, ast.expr | None, int | None]]:
    """(name, default, position) of each parameter."""
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = [(p.arg, d, i) for i, (p, d) in enumerate(zip(positional, defaults))]
    out += [(p.arg, d, None) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    return out


def test_every_audit_action_comes_from_the_enumeration():
    problems = []
    wrappers: dict[str, tuple[str, int | None]] = {"record": ("action", 1)}
    trees = list(_modules())
    # 1. record(...) itself, and find the helpers that pass a parameter on as the action.
    for path, tree in trees:
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _call_name(node) == "record"):
                continue
            arg = _action_arg(node, 1, "action")
            if arg is None or _enumerated(arg):
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            fn = _enclosing_function(node, parents)
            if not isinstance(arg, ast.Name) or fn is None:
                problems.append(f"{where}: record() is given {ast.unparse(arg)!r}, not an Action")
                continue
            params = {name: (default, pos) for name, default, pos in _params(fn)}
            if arg.id in params:
                default, pos = params[arg.id]
                wrappers[fn.name] = (arg.id, pos)
                if default is not None and not _enumerated(default, allow_none=True):
                    problems.append(f"{where}: {fn.name}({arg.id}=…) defaults to a free string")
                continue
            assigned = [n.value for n in ast.walk(fn) if isinstance(n, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == arg.id for t in n.targets)]
            if not assigned or not all(_enumerated(v) for v in assigned):
                problems.append(f"{where}: {arg.id} is not always set to an Action")
    # 2. Every call of such a helper passes an Action (or None: no event) for that parameter; a helper
    #    that hands on its own parameter is a helper too (until no new one is found).
    checked = set()
    while True:
        found = False
        for path, tree in trees:
            parents = _parents(tree)
            for node in ast.walk(tree):
                name = isinstance(node, ast.Call) and _call_name(node)
                if name not in wrappers or name == "record" or (path, node.lineno, node.col_offset) in checked:
                    continue
                keyword, position = wrappers[name]
                arg = _action_arg(node, position if position is not None else 10_000, keyword)
                if arg is None or _enumerated(arg, allow_none=True):
                    checked.add((path, node.lineno, node.col_offset))
                    continue
                fn = _enclosing_function(node, parents)
                params = {n: (d, pos) for n, d, pos in _params(fn)} if fn else {}
                if isinstance(arg, ast.Name) and arg.id in params:
                    if fn.name not in wrappers:
                        default, pos = params[arg.id]
                        wrappers[fn.name] = (arg.id, pos)
                        found = True
                        if default is not None and not _enumerated(default, allow_none=True):
                            problems.append(f"{path.relative_to(SRC)}:{fn.lineno}: {fn.name}({arg.id}=…) "
                                            "defaults to a free string")
                else:
                    problems.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}() is given "
                                    f"{ast.unparse(arg)!r} as {keyword}, not an Action")
                checked.add((path, node.lineno, node.col_offset))
        if not found:
            break
    assert {"_audit", "get_patient_for", "get_screening_patient"} <= set(wrappers)  # the check is not vacuous
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_free_string():
    tree = ast.parse('record(ctx, "patient.view", obj=p)\nrecord(ctx, f"plan.{s}")\nrecord(ctx, Action.PATIENT_VIEW)')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) == "record"]
    assert [_enumerated(_action_arg(c, 1, "action")) for c in calls] == [False, False, True]


def test_stored_values_are_the_strings_the_trail_always_held():
    assert Action.PATIENT_VIEW == "patient.view" and Action.chart_record("allergy", "create") == "patient.allergy.create"
    assert Action.plan_status("paused") == "plan.paused"
    assert all(a.value.count(".") >= 1 and a.value == a.value.lower() for a in Action)
    with pytest.raises(ValueError):
        Action.chart_record("unknown", "create")


@pytest.mark.django_db
def test_record_refuses_an_action_outside_the_enumeration(clinic_admin):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError):
        record(Context(user=clinic_admin), "patient.veiw")  # a typo never becomes a new kind of event
    assert AuditEvent.objects.count() == before
    event = record(Context(user=clinic_admin), Action.AUDIT_EXPORT, organization=clinic_admin.organization)
    event.refresh_from_db()
    assert event.action == "audit.export"
