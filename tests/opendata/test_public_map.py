"""The world map's geometry: Natural Earth's countries decoded from the shipped TopoJSON and
projected on the server (kcity.opendata.public_map)."""

import hashlib
import json
import re

from django_countries import countries as iso

from kcity.opendata.public_map import GEOMETRY, HEIGHT, WIDTH, countries, project
from kcity.portfolio.history import read_history
from kcity.site.demo import history_file

# world-atlas 2.0.2's countries-110m.json, unchanged (see the notice beside it).
SHA256 = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def by_code() -> dict:
    return {iso.alpha2(c.numeric): c for c in countries() if c.numeric}


def test_the_shipped_geometry_and_its_notice():
    assert hashlib.sha256(GEOMETRY.read_bytes()).hexdigest() == SHA256
    notice = GEOMETRY.with_name("countries-110m.NOTICE.txt").read_text(encoding="utf-8")
    assert "Natural Earth" in notice and "public domain" in notice and "ISC" in notice
    assert len(json.loads(GEOMETRY.read_text())["objects"]["countries"]["geometries"]) == 177


def test_every_country_of_the_record_is_on_the_map():
    shapes = by_code()
    assert len(countries()) == 176  # Antarctica left out
    for code in {r.country for r in read_history(history_file())}:
        assert code in shapes, code
        assert shapes[code].path.startswith("M")


def test_markers_sit_inside_their_country():
    shapes = by_code()
    # (longitude, latitude) boxes around each country's mainland
    boxes = {"VN": (102, 8, 110, 24), "PE": (-82, -19, -68, 0), "KE": (33, -5, 42, 5),
             "US": (-125, 24, -66, 50), "RU": (27, 41, 180, 78), "FR": (-5, 42, 8, 51),
             "ID": (95, -11, 141, 6), "FJ": (177, -19, 180, -16)}
    for code, (w, s, e, n) in boxes.items():
        (x0, y0), (x1, y1) = project(w, n), project(e, s)
        assert x0 <= shapes[code].x <= x1 and y0 <= shapes[code].y <= y1, code


def test_every_subpath_shows_inside_the_frame():
    """Each subpath (relative steps from its start) has points inside the frame: the copies
    made at the antimeridian (Russia, Fiji) run off one side, which the SVG clips, but show
    their part on the other."""
    for shape in countries():
        for sub in shape.path.split("M")[1:]:
            head, _, steps = sub.partition("l")
            x, y = (float(v) for v in head.split())
            numbers = [float(v) for v in NUMBER.findall(steps)]
            inside = 0
            for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
                x, y = x + dx, y + dy
                inside += 0 <= x <= WIDTH and -1 <= y <= HEIGHT + 60
                assert -WIDTH <= x <= 2 * WIDTH, shape.name
            assert inside, shape.name


def test_russia_is_drawn_on_both_sides_of_the_antimeridian():
    russia = by_code()["RU"]
    starts = [float(sub.split()[0]) for sub in russia.path.split("M")[1:]]
    assert min(starts) < WIDTH / 2 < max(starts)
    assert countries() is countries()  # decoded once per process
