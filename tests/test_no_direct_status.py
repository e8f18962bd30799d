"""Nothing but a lifecycle module assigns a status or a state (the architecture rule: every
object with a lifecycle has one MOVES table and one transition()).

An AST walk over src/kcity (migrations excepted) finds, outside the `lifecycle.py` modules:
assignments to an attribute `.status` or `.state` (also in tuples, augmented, `setattr`),
`.update(status=...)`/`.update(state=...)`, `save(update_fields=[..."state"...])`, and
`create`/`get_or_create`/`update_or_create` given a status or state (a row is created in the
model's default, initial state; `defaults={"status": ...}` counts too). Each exception is
listed below with its reason; a listed exception that no longer occurs fails too.
"""

import ast
from pathlib import Path

import kcity

ROOT = Path(kcity.__file__).resolve().parent
NAMES = {"status", "state"}
CREATES = {"create", "get_or_create", "update_or_create"}

# (path under src/kcity, the offending expression as ast.unparse gives it): why it is allowed.
JOB_ROW = ("the django-tasks job row (a library model, not a kcity lifecycle): the worker "
           "hands a dead worker's running job back to the queue as the library's worker would")
ALLOWED = {
    ("jobs/worker.py", "job.status"): JOB_ROW,
    ("jobs/worker.py", "job.save(update_fields=['status'])"): JOB_ROW,
}


def _key_of_call(call: ast.Call, keywords) -> str:
    """The call reduced to its function and the offending keywords (stable across edits)."""
    shown = ast.Call(func=call.func, args=[], keywords=keywords)
    return ast.unparse(shown)


def _has_name(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in NAMES


def _targets(node):
    if isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def offences(tree) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for t in _targets(target):
                if isinstance(t, ast.Attribute) and t.attr in NAMES:
                    found.append((node.lineno, ast.unparse(t)))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "setattr" and len(node.args) >= 2 and _has_name(node.args[1]):
            found.append((node.lineno, ast.unparse(node)))
        bad = []
        for kw in node.keywords:
            if kw.arg in NAMES and name in CREATES | {"update"}:
                bad.append(kw)
            elif kw.arg == "defaults" and name in CREATES and isinstance(kw.value, ast.Dict) \
                    and any(_has_name(k) for k in kw.value.keys):
                items = [(k, v) for k, v in zip(kw.value.keys, kw.value.values, strict=True)
                         if _has_name(k)]
                bad.append(ast.keyword(arg="defaults", value=ast.Dict(
                    keys=[k for k, _v in items], values=[v for _k, v in items])))
            elif kw.arg == "update_fields" and isinstance(kw.value, ast.List | ast.Tuple) \
                    and any(_has_name(e) for e in kw.value.elts):
                bad.append(ast.keyword(arg="update_fields", value=ast.List(
                    elts=[e for e in kw.value.elts if _has_name(e)])))
        if bad:
            found.append((node.lineno, _key_of_call(node, bad)))
    return found


def test_no_status_or_state_is_assigned_outside_the_lifecycle_modules():
    unexpected, seen = [], set()
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in f"/{rel}" or path.name.endswith("lifecycle.py"):
            continue
        for line, what in offences(ast.parse(path.read_text(), filename=rel)):
            if (rel, what) in ALLOWED:
                seen.add((rel, what))
            else:
                unexpected.append(f"src/kcity/{rel}:{line}: {what}")
    assert not unexpected, (
        "A status or state is written outside a lifecycle module (use its transition()):\n"
        + "\n".join(unexpected))
    stale = sorted(set(ALLOWED) - seen)
    assert not stale, f"Allowed exceptions that no longer occur (drop them): {stale}"


def test_the_walk_finds_each_kind_of_write():
    source = """
proposal.state = 'x'
panel.status, panel.closed_at = 'closed', now
cycle.status += ''
setattr(scenario, 'state', 'approved')
Cycle.objects.filter(pk=1).update(status='open')
cycle.save(update_fields=['status', 'notes'])
Panel.objects.create(track=t, status='closed')
Panel.objects.get_or_create(track=t, defaults={'status': 'closed', 'size': 3})
Proposal.objects.filter(state='draft').count()
status = 'fine'
row.statuses = 'fine'
"""
    found = [what for _line, what in offences(ast.parse(source))]
    assert found == [
        "proposal.state", "panel.status", "cycle.status",
        "setattr(scenario, 'state', 'approved')",
        "Cycle.objects.filter(pk=1).update(status='open')",
        "cycle.save(update_fields=['status'])",
        "Panel.objects.create(status='closed')",
        "Panel.objects.get_or_create(defaults={'status': 'closed'})",
    ]
