"""The `kcity` command line.

`kcity select FILE` runs the selection engine without loading Django (it must start fast);
every other subcommand (demo, serve, migrate, ...) is a Django management command.
"""

import os
import sys

from kcity.selection.engine.cli import main as select_main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "select":
        return select_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcity.settings")
    # Django is imported only here, so that `kcity select` never loads it.
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kcity", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
