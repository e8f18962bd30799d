"""One signature convention for the services (issue 16): keyword arguments only, the acting
user as `by=`, never `actor`.

Every public function of every services module and lifecycle module is checked with
`inspect.signature`: no positional-or-keyword parameter (a bare `*` first; a lifecycle's
`transition(obj, to, /, *, by, ...)` takes the object and the target state positionally
only), an acting user named `by`, and no parameter named `actor` (or `evaluator`).
"""

import importlib
import inspect

import pytest

MODULES = [
    "kcity.accounts.services",
    "kcity.applications.services",
    "kcity.evaluation.services",
    "kcity.selection.services",
    "kcity.evaluation.consultations",
    "kcity.evaluation.presentations",
    "kcity.core.lifecycle",
    "kcity.applications.lifecycle",
    "kcity.evaluation.lifecycle",
    "kcity.programs.lifecycle",
    "kcity.selection.lifecycle",
    "kcity.projects.services",
    "kcity.projects.procurement",
    "kcity.projects.delivery",
    "kcity.projects.lifecycle",
    "kcity.projects.procurement_lifecycle",
    "kcity.projects.delivery_lifecycle",
    "kcity.opendata.report_services",
]

# Names that say "the user who acts"; the convention calls that user `by`.
ACTOR_NAMES = {"actor", "evaluator", "user", "acting_user", "staff"}

READ = "a pure read with no acting user (a selector in all but its module), kept positional"
PERMISSION_READ = (
    "a permission read for the buttons: `user` is whom the page shows moves to, nothing is "
    "done on their behalf; `transition` still decides, with `by=`"
)

# (module, function): why it may take positional arguments.
ALLOWED = {
    ("kcity.applications.services", "jurisdiction_key"): READ,
    ("kcity.evaluation.services", "pool_conflicts"): READ,
    ("kcity.evaluation.services", "counted_sheets"): READ,
    ("kcity.evaluation.services", "compute_results"): READ,
    ("kcity.selection.services", "withdrawn_selected"): READ,
    ("kcity.evaluation.consultations", "stage_of"): READ,
    ("kcity.evaluation.consultations", "is_consulted"): READ,
    ("kcity.evaluation.consultations", "unminuted"): READ,
    ("kcity.evaluation.presentations", "ends_at"): READ,
    ("kcity.applications.lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.applications.lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.evaluation.lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.evaluation.lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.projects.services", "deliverable_type_for"): READ,
    ("kcity.projects.services", "planned_dates"): READ,
    ("kcity.projects.delivery", "seoul_today"): READ,
    ("kcity.projects.lifecycle", "framework_signed"): READ,
    ("kcity.projects.procurement", "committee_conflicts"): READ,
    ("kcity.projects.lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.projects.lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.projects.procurement_lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.projects.procurement_lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.projects.delivery_lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.projects.delivery_lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.programs.lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.programs.lifecycle", "allowed_moves"): PERMISSION_READ,
    ("kcity.selection.lifecycle", "may_act"): PERMISSION_READ,
    ("kcity.selection.lifecycle", "allowed_moves"): PERMISSION_READ,
}


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != name:  # imported from elsewhere
                continue
            yield name, attr, value


FUNCTIONS = sorted((m, f) for m, f, _ in _public_functions())


def test_the_modules_have_services_to_check():
    assert ("kcity.applications.services", "submit_proposal") in FUNCTIONS
    assert ("kcity.applications.lifecycle", "transition") in FUNCTIONS
    assert len(FUNCTIONS) > 40


def test_every_allowed_exception_exists():
    assert set(ALLOWED) <= set(FUNCTIONS), set(ALLOWED) - set(FUNCTIONS)
    assert all(reason.strip() for reason in ALLOWED.values())


@pytest.mark.parametrize(("module", "name"), FUNCTIONS)
def test_keyword_only_and_acting_user_is_by(module, name):
    function = getattr(importlib.import_module(module), name)
    parameters = inspect.signature(function).parameters.values()
    names = [p.name for p in parameters]
    assert "actor" not in names, f"{module}.{name}: the acting user is `by`, not `actor`"
    if (module, name) in ALLOWED:
        return
    assert not ACTOR_NAMES & set(names), f"{module}.{name}: the acting user is `by`"
    positional = [p.name for p in parameters
                  if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert not positional, f"{module}.{name}: {positional} must be keyword-only"
    assert not [p for p in parameters if p.kind is inspect.Parameter.VAR_POSITIONAL]
    if name == "transition":
        # The object and the state it moves to, positional only; everything else by keyword.
        only = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_ONLY]
        assert len(only) == 2, f"{module}.{name}: (obj, to, /, *, by, ...)"
        assert "by" in names
    else:
        assert not [p for p in parameters if p.kind is inspect.Parameter.POSITIONAL_ONLY]
