"""Selection engine: choose the proposals to fund in a round (pure Python, no Django).

The contract is selection.md / selection.schema.json.  Importing this package is
cheap; the MILP solver (`highspy`) is imported only when a max_merit round is
solved.
"""

from .errors import InstanceError
from .instance import Instance, parse


def solve(instance: Instance, **options):
    """Solve `instance` under its policy and return the result document (a dict)."""
    from .solver import solve as _solve

    return _solve(instance, **options)


def explain(instance: Instance, result: dict):
    """Why each fundable proposal of `result` was not selected (see explain.py)."""
    from .explain import explain as _explain

    return _explain(instance, result)


__all__ = ["Instance", "InstanceError", "explain", "parse", "solve"]
