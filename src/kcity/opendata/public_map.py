"""The world map of the public portfolio, drawn on the server as SVG paths.

The countries come from Natural Earth's 1:110m countries (public domain), shipped as the
TopoJSON file `static/opendata/countries-110m.json` (from the npm package world-atlas; see the
notice beside it). Here its arcs are decoded and every country is projected equirectangularly
(longitude and latitude straight onto x and y) into an SVG path, once per process: the page
needs no outside server, no tiles and no script to show the map.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GEOMETRY = Path(__file__).resolve().parent / "static" / "opendata" / "countries-110m.json"

WIDTH = 1000.0  # the SVG's user units across 360 degrees of longitude
TOP, BOTTOM = 84.0, -58.0  # latitudes shown: Antarctica is left out
SCALE = WIDTH / 360.0
HEIGHT = round((TOP - BOTTOM) * SCALE, 1)

# ISO 3166-1 numeric codes of the few shapes Natural Earth files under another country's
# code or none; they keep no code (drawn, never highlighted) unless listed here.
ANTARCTICA = "010"


@dataclass(frozen=True)
class Country:
    numeric: str  # ISO 3166-1 numeric, "" for shapes without one (Kosovo, N. Cyprus...)
    name: str  # Natural Earth's English name, used only when no ISO code maps
    path: str  # the SVG path data
    x: float  # where the country's marker goes: the centroid of its largest ring
    y: float


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular: longitude and latitude in degrees to the SVG's x and y."""
    return (lon + 180.0) * SCALE, (TOP - lat) * SCALE


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised, delta-encoded arcs as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    """A closed ring from its arcs; a negative index (~i) means arc i reversed. Each arc
    after the first repeats the previous arc's last point, so that point is dropped."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from +180 to -180
    degrees; its longitudes are made continuous (running past 180) and a copy shifted by
    360 degrees is added, so each side of the map shows its part (the SVG clips the rest)."""
    out = [ring[0]]
    shift = 0.0
    for (lon0, _), (lon1, lat1) in zip(ring, ring[1:], strict=False):
        if lon1 - lon0 > 180:
            shift -= 360
        elif lon0 - lon1 > 180:
            shift += 360
        out.append((lon1 + shift, lat1))
    rings = [out]
    if max(lon for lon, _ in out) > 180:
        rings.append([(lon - 360, lat) for lon, lat in out])
    if min(lon for lon, _ in out) < -180:
        rings.append([(lon + 360, lat) for lon, lat in out])
    return rings


def _area_and_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """The shoelace area (absolute) and centroid of a projected ring."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data: each ring a subpath, in relative moves of tenths of a unit."""
    parts = []
    for ring in rings:
        points = [(round(x * 10), round(y * 10)) for x, y in ring]
        steps = []
        px, py = points[0]
        for x, y in points[1:]:
            if (x, y) != (px, py):
                steps.append(f"{(x - px) / 10:g} {(y - py) / 10:g}")
                px, py = x, y
        if len(steps) >= 2:
            parts.append(f"M{points[0][0] / 10:g} {points[0][1] / 10:g}l" + " ".join(steps) + "z")
    return "".join(parts)


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the map, decoded and projected once per process."""
    topology = json.loads(GEOMETRY.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    out = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id", "")
        if numeric == ANTARCTICA:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [[project(lon, lat) for lon, lat in part]
                 for polygon in polygons for ring in polygon
                 for part in _unwrapped(_ring(ring, arcs))]
        # The marker sits in the largest outer ring (the mainland, not an overseas island).
        outers = [[project(lon, lat) for lon, lat in _unwrapped(_ring(polygon[0], arcs))[0]]
                  for polygon in polygons]
        area, x, y = max((_area_and_centroid(r) for r in outers), key=lambda t: t[0])
        x = x - WIDTH if x > WIDTH else x + WIDTH if x < 0 else x
        out.append(Country(numeric=numeric, name=geometry.get("properties", {}).get("name", ""),
                           path=_path(rings), x=round(x, 1), y=round(y, 1)))
    return tuple(out)
