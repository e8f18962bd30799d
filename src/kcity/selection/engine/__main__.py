"""`python -m kcity.selection.engine FILE ...` runs the `kcity select` command."""

import sys

from .cli import main

sys.exit(main())
