"""The portal's own production settings, with the floor's view beside its URLs and a
statement counter in front of every request (both phases of `deadline_surge.py` run on it).

`X-Bench-Queries` (answered on every response) is the number of SQL statements Django sent
for the request, counted with `connection.execute_wrapper`: the session write, the user, the
application's queries. Not counted: BEGIN/COMMIT (psycopg sends them itself) and the Redis
session reads. The counter costs the same in both phases.
"""

from pathlib import Path

from kcity.settings import *  # noqa: F403 (the same settings: only the URLs and a template)

ROOT_URLCONF = "floor_urls"
TEMPLATES[0]["DIRS"] = [Path(__file__).parent / "templates", *TEMPLATES[0]["DIRS"]]  # noqa: F405
MIDDLEWARE = ["floor_count.CountStatements", *MIDDLEWARE]  # noqa: F405
