#!/usr/bin/env python3
"""Set-up and entry point for a fresh clone; needs only Python 3.11+ and the standard library.

    python3 dev.py demo          install what is missing, load the demo, serve http://127.0.0.1:8000
    python3 dev.py test [ARGS]   install what is missing, run the whole test suite (pytest ARGS)
    python3 dev.py kcity ARGS    any `kcity` subcommand inside the project's environment

The environment is `.venv` at the project root, installed from `requirements.lock` (pinned,
with hashes). It is reinstalled only when the lock file or pyproject.toml change.
"""

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".kcity-installed"


def say(message: str) -> None:
    print(f"[kcity] {message}", flush=True)


def run(*cmd, **kwargs) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def find_python() -> str:
    """This interpreter if it is 3.11+, else the newest python3.1x on PATH."""
    if sys.version_info >= (3, 11):  # noqa: UP036 (dev.py may be started by an older python3)
        return sys.executable
    for minor in range(14, 10, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            return found
    sys.exit("kcity needs Python 3.11 or newer; none was found on PATH.")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if not (BIN / "python").exists():
        say("creating the virtual environment in .venv")
        run(find_python(), "-m", "venv", VENV)
    want = fingerprint()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    say("installing pinned dependencies from requirements.lock (first run takes a minute)")
    pip = [BIN / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "install", "--require-hashes", "--no-deps", "-r", LOCK)
    run(*pip, "install", "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(want)


def ensure_system_packages(browser: bool) -> None:
    """Debian's chromium drives the browser tests; fonts-nanum gives the PDF receipts their
    Korean glyphs, libharfbuzz-subset0 makes them cheap. Install what this machine lacks (as
    root, with apt-get)."""
    wanted = []
    if browser and not (shutil.which("chromium") or os.environ.get("KCITY_CHROMIUM")):
        wanted.append("chromium")
    if not Path("/usr/share/fonts/truetype/nanum").is_dir():
        wanted.append("fonts-nanum")
    if not ctypes.util.find_library("harfbuzz-subset"):
        # WeasyPrint subsets the receipt's fonts with HarfBuzz; without it, with fontTools,
        # at ten times the cost (1.7 s instead of 0.16 s a receipt: benchmarks/README.md).
        wanted.append("libharfbuzz-subset0")
    if not wanted:
        return
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        say(f"missing and not installable here: {', '.join(wanted)} (browser tests fail "
            "without chromium; PDF receipts lack Korean glyphs without fonts-nanum)")
        return
    say(f"installing Debian's {', '.join(wanted)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    try:
        run("apt-get", "update", "-qq", **quiet)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted, **quiet)
    except subprocess.CalledProcessError as exc:
        # The portal still runs; the tests that need these will say what is missing.
        say(f"could not install {', '.join(wanted)} (apt-get exited {exc.returncode})")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "kcity"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    os.chdir(ROOT)
    if command == "demo":
        ensure_system_packages(browser=False)
        args = [str(BIN / "kcity"), "demo", *rest]
    elif command == "test":
        ensure_system_packages(browser=True)
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    else:
        if rest[:1] in (["worker"], ["serve"], ["demo"]):  # they render PDFs (Korean glyphs)
            ensure_system_packages(browser=False)
        args = [str(BIN / "kcity"), *rest]
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
