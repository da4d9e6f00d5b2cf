"""ZIP codes to places and distances, offline: how far a patient would travel to a program.

A ZIP is placed at its ZIP Code Tabulation Area's internal point (the Census Bureau's INTPTLAT and
INTPTLONG) from ``market_data/zcta_centroids.csv`` (zip, lat, lon: decimal degrees, WGS84),
derived from the Census Bureau's Gazetteer ZCTA file of the 2010 Census ZCTAs; see
market_data/README.md. A ZCTA approximates a ZIP's area; ZIPs without one (PO boxes, single
firms) are not placed. Distances are great-circle miles on a sphere of the Earth's mean radius.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from sca_rates.exceptions import InvalidMarketData, MissingReference, Problem

EARTH_RADIUS_MILES = 3958.7613  # IUGG mean radius, 6371.0088 km
CENTROIDS_FILE = "zcta_centroids.csv"
Point = tuple[float, float]  # latitude, longitude in decimal degrees


def great_circle_miles(a: Point, b: Point) -> float:
    """Miles between two points along the Earth's surface (haversine formula)."""
    lat_a, lon_a, lat_b, lon_b = map(math.radians, (*a, *b))
    h = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def distance_miles(
    zip_a: str, zip_b: str, *, centroids: Mapping[str, Point] | None = None
) -> float:
    """Great-circle miles between two ZIPs' ZCTA points (ZIP+4 and 9 digits are cut to 5)."""
    places = centroids if centroids is not None else bundled_centroids()
    return great_circle_miles(place(zip_a, places), place(zip_b, places))


def place(zip_code: str, places: Mapping[str, Point]) -> Point:
    """A ZIP's ZCTA point (ZIP+4 cut to 5), or one message naming the ZIP and the fix."""
    zip5 = zip_code.strip()[:5]
    if zip5 not in places:
        raise MissingReference(
            f"ZIP {zip_code.strip()!r} has no ZIP Code Tabulation Area among the "
            f"{len(places):,} of market_data/{CENTROIDS_FILE} (a PO box or firm ZIP, a new ZIP, "
            "or not a ZIP). Fix: give the ZIP of the street address"
        )
    return places[zip5]


def load_centroids(path: Path) -> dict[str, Point]:
    """The centroids file (zip, lat, lon), every row checked. UTF-8, with or without the
    byte-order mark a spreadsheet program writes before a CSV it saves."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            places, problems = _centroid_rows(path, csv.DictReader(handle))
    except OSError as exc:
        fix = f"restore market_data/{CENTROIDS_FILE} from the project"
        problems = [Problem("file", exc.strerror or str(exc), fix)]
    except UnicodeDecodeError:
        problems = [Problem("file", "not UTF-8 text", "save it as UTF-8 CSV")]
    except csv.Error as exc:
        fix = "save it as comma-separated values with a header row"
        problems = [Problem("file", f"not a readable CSV file ({exc})", fix)]
    if problems:
        raise InvalidMarketData(path, problems[:10])
    return places


def _centroid_rows(
    path: Path, reader: csv.DictReader[str]
) -> tuple[dict[str, Point], list[Problem]]:
    if reader.fieldnames != ["zip", "lat", "lon"]:
        shown = ",".join(reader.fieldnames or []) or "empty"
        raise InvalidMarketData(
            path, [Problem("header", f"the first line is {shown}", "the header is zip,lat,lon")]
        )
    places: dict[str, Point] = {}
    problems: list[Problem] = []
    for row in reader:
        point = _point(row)
        if point is None or len(row["zip"]) != 5 or not row["zip"].isdigit():
            problems.append(
                Problem(
                    f"line {reader.line_num}",
                    f"{row}",
                    "a 5-digit ZIP, then latitude and longitude in decimal degrees",
                )
            )
        else:
            places[row["zip"]] = point
    return places, problems


def _point(row: dict[str, str]) -> Point | None:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


@lru_cache(maxsize=1)
def bundled_centroids() -> dict[str, Point]:
    """The project's ZCTA points (read once), from its own market data folder: they are
    reference data, not figures a person replaces."""
    from sca_rates.settings import PROJECT_ROOT

    return load_centroids(PROJECT_ROOT / "market_data" / CENTROIDS_FILE)
