"""Distances for the clinic finder: great-circle (haversine) miles between ZIP centroids.

Radius bounds follow SAMHSA FindTreatment.gov's search (5–500 miles; PRACTICE.md §3.3). [verified in source]
"""

import math

EARTH_RADIUS_MILES = 3958.8  # mean Earth radius (IUGG), 6371.0 km
MIN_RADIUS_MILES = 5
MAX_RADIUS_MILES = 500
DEFAULT_RADIUS_MILES = 25  # clinic policy of the finder page: the first search before a visitor chooses


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle: a cheap first filter."""
    dlat = math.degrees(radius_miles / EARTH_RADIUS_MILES)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
