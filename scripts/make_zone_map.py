"""Write the home page's map of the zone (``nomadcloud/templates/core/zone_map.html``) from
Natural Earth's 1:10m land polygons as the npm package ``world-atlas`` 2.0.2 ships them
(``land-10m.json``, TopoJSON; Natural Earth is public domain, the package ISC). Only land
outlines are drawn: no administrative boundary. See docs/decisions/0017-zone-map.md.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_zone_map.py package/land-10m.json

The map is written once and committed; the site fetches nothing at run time. Place markers
are approximate positions (about 0.05°), enough for a schematic map of the island.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "nomadcloud/templates/core/zone_map.html"

# The frame: Hainan island and the tip of the Leizhou peninsula, in degrees.
WEST, EAST, SOUTH, NORTH = 108.45, 111.20, 18.05, 20.45
WIDTH = 640  # SVG units; the height follows the projection
MID_LAT = math.radians((SOUTH + NORTH) / 2)

Point = tuple[float, float]

# (msgid, longitude, latitude, class, label anchor dx, dy)
PLACES = [
    ("Yangpu Port", 109.20, 19.73, "place zone", -8, -10),
    ("Danzhou", 109.58, 19.52, "place zone", 10, 14),
    ("Xinying Bay", 109.45, 19.69, "place bay", 12, -6),
    ("Haikou", 110.33, 20.03, "place", 8, -8),
    ("Sanya", 109.51, 18.25, "place", 8, -8),
]


def decode_arcs(topology: dict) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def clip(points: list[Point]) -> list[Point]:
    """Sutherland–Hodgman against the frame (a little larger, so the edges stay outside)."""
    margin = 0.2
    edges = [
        (lambda p: p[0] >= WEST - margin, lambda a, b: _at_x(a, b, WEST - margin)),
        (lambda p: p[0] <= EAST + margin, lambda a, b: _at_x(a, b, EAST + margin)),
        (lambda p: p[1] >= SOUTH - margin, lambda a, b: _at_y(a, b, SOUTH - margin)),
        (lambda p: p[1] <= NORTH + margin, lambda a, b: _at_y(a, b, NORTH + margin)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result: list[Point] = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


SCALE = WIDTH / ((EAST - WEST) * math.cos(MID_LAT))
HEIGHT = round((NORTH - SOUTH) * SCALE)


def project(point: Point) -> Point:
    lon, lat = point
    return ((lon - WEST) * math.cos(MID_LAT) * SCALE, (NORTH - lat) * SCALE)


def path(points: list[Point]) -> str:
    projected = [project(p) for p in points]
    out: list[str] = []
    last = None
    for x, y in projected:
        here = (round(x, 1), round(y, 1))
        if here != last:
            out.append(f"{here[0]:g},{here[1]:g}")
            last = here
    return "M" + "L".join(out) + "Z"


def main(source: str) -> int:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    paths = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            outer = ring(polygon[0], arcs)
            xs = [p[0] for p in outer]
            ys = [p[1] for p in outer]
            if max(xs) < WEST or min(xs) > EAST or max(ys) < SOUTH or min(ys) > NORTH:
                continue
            clipped = clip(outer)
            if len(clipped) >= 3:
                paths.append(path(clipped))
    markers = []
    for name, lon, lat, css, dx, dy in PLACES:
        x, y = project((lon, lat))
        anchor = ' text-anchor="end"' if dx < 0 else ""
        markers.append(
            f'  <g class="{css}"><circle cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
            f'<text x="{x + dx:.1f}" y="{y + dy:.1f}"{anchor}>'
            f'{{% translate "{name}" %}}</text></g>'
        )
    core_x, core_y = project((109.40, 19.65))
    svg = "\n".join(
        [
            "{% load i18n %}{# Written by scripts/make_zone_map.py from Natural Earth 1:10m land"
            " (world-atlas 2.0.2, public domain data, ISC package); do not edit by hand. #}",
            f'<svg class="zone-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
            ' aria-labelledby="zone-map-title zone-map-desc" data-testid="zone-map">',
            '  <title id="zone-map-title">{% translate "Map of Hainan island: the'
            ' Danzhou–Yangpu digital nomad zone" %}</title>',
            '  <desc id="zone-map-desc">{% translate "The zone lies on the north-west coast of'
            " Hainan, around Xinying Bay between Yangpu Port and Danzhou; Haikou is to the"
            ' north-east, Sanya to the south." %}</desc>',
            f'  <rect class="sea" width="{WIDTH}" height="{HEIGHT}"/>',
            *(f'  <path class="land" d="{d}"/>' for d in paths),
            f'  <ellipse class="zone-area" cx="{core_x:.1f}" cy="{core_y:.1f}" rx="62" ry="44"/>',
            *markers,
            f'  <text class="credit" x="{WIDTH - 6}" y="{HEIGHT - 6}" text-anchor="end">'
            '{% translate "Land outlines: Natural Earth" %}</text>',
            "</svg>",
            "",
        ]
    )
    OUT.write_text(svg, encoding="utf-8")
    print(f"{OUT}: {len(paths)} land shapes, {len(svg):,} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
