"""`kcity select FILE [-o OUT] [--explain] [--time-limit S]`.

Prints only the JSON result on stdout; messages go to stderr.  Exit codes:
0 optimal/feasible, 1 infeasible, 2 invalid instance or unreadable input.
Keeps imports light (no Django, solver imported only when needed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from .errors import InstanceError
from .explain import DEFAULT_SECONDS, explain
from .instance import Instance, parse
from .milp import DEFAULT_TIME_LIMIT
from .result import exchange
from .solver import solve

EXIT_OK, EXIT_INFEASIBLE, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit 2 without printing a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InstanceError(f"usage: {message}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="kcity select", description="Choose the proposals to fund.")
    parser.add_argument("file", help="instance JSON file, or - for stdin")
    parser.add_argument("-o", "--output", help="write the result here instead of stdout")
    parser.add_argument("--explain", action="store_true",
                        help="add 'explanations' for fundable proposals not selected")
    parser.add_argument("--explain-seconds", type=float, default=None, metavar="S",
                        help="CPU seconds for the explanations' search (default 120; 0: no "
                             "limit); a change not proven smallest in time is given as bounds")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT,
                        help="seconds before returning the best set found (status feasible)")
    return parser.parse_args(argv)


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InstanceError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _solve(instance: Instance, args: argparse.Namespace) -> dict[str, Any]:
    result = solve(instance, time_limit=args.time_limit)
    if args.explain:
        seconds = DEFAULT_SECONDS if args.explain_seconds is None else args.explain_seconds
        result["explanations"] = explain(instance, result, seconds=seconds or None)
    return result


@contextlib.contextmanager
def _native_output_to_stderr() -> Iterator[None]:
    """Send anything the C++ solver prints on file descriptor 1 to stderr.

    HiGHS occasionally writes a diagnostic line straight to stdout even with its
    log switched off; stdout must carry only the JSON result.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code (never raises for bad input)."""
    try:
        args = _arguments(argv)
        if args.time_limit <= 0:
            raise InstanceError("--time-limit: must be a number > 0")
        if args.explain_seconds is not None and args.explain_seconds < 0:
            raise InstanceError("--explain-seconds: must be a number >= 0")
        instance = parse(_read(args.file))
    except InstanceError as exc:
        print(f"kcity select: {exc}", file=sys.stderr)
        return EXIT_INVALID
    with _native_output_to_stderr():
        result = _solve(instance, args)
    text = json.dumps(exchange(result), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            print(f"kcity select: {args.output}: cannot write: {exc.strerror}", file=sys.stderr)
            return EXIT_INVALID
    else:
        sys.stdout.write(text)
    return EXIT_INFEASIBLE if result["status"] == "infeasible" else EXIT_OK
