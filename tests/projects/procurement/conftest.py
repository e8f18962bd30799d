"""The procurement tests' fixtures live in procurement_helpers (tests import its helpers by that
name: a module named conftest would clash with the other folders' conftest modules)."""

from procurement_helpers import *  # noqa: F403
