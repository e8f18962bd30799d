"""Selection engine: choose the proposals to fund in a round (pure Python, no Django).

The contract is selection.md / selection.schema.json.  Importing this package is
cheap; the MILP solver (`highspy`) is imported only when a max_merit round is
solved.
"""

from typing import Any

from .errors import InstanceError
from .instance import Instance, parse


def solve(instance: Instance, **options: Any) -> dict[str, Any]:
    """Solve `instance` under its policy and return the result document (a dict)."""
    from .solver import solve as _solve

    return _solve(instance, **options)


# `explain` lives in the submodule of that name (`from kcity.selection.engine.explain import
# explain`): a function of the same name here would be replaced by the submodule once imported.
__all__ = ["Instance", "InstanceError", "parse", "solve"]
