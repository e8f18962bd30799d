"""Selection engine: choose the proposals to fund in a round (pure Python, no Django).

The contract is docs/spec/selection.md and selection.schema.json.
"""

from typing import Any

from .errors import InstanceError
from .instance import Instance, parse
from .solver import solve as _solve


def solve(instance: Instance, **options: Any) -> dict[str, Any]:
    """Solve `instance` under its policy and return the result document (a dict)."""
    return _solve(instance, **options)


# `explain` lives in the submodule of that name (`from kcity.selection.engine.explain import
# explain`): a function of the same name here would be replaced by the submodule once imported.
__all__ = ["Instance", "InstanceError", "parse", "solve"]
