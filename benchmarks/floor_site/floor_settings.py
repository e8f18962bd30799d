"""The portal's own production settings, with the floor's view in front of its URLs."""

from pathlib import Path

from kcity.settings import *  # noqa: F403 (the same settings: only the URLs and a template)

ROOT_URLCONF = "floor_urls"
TEMPLATES[0]["DIRS"] = [Path(__file__).parent / "templates", *TEMPLATES[0]["DIRS"]]  # noqa: F405
