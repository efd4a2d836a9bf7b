"""ZIP centroids from the `zipcodes` package (bundled data, no network), loaded once per process."""

from functools import lru_cache

import zipcodes


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    out = {}
    for z in zipcodes.list_all():
        try:
            out[z["zip_code"]] = (float(z["lat"]), float(z["long"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def centroid(postal_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a 5-digit ZIP (a ZIP+4 is cut to 5), or None when unknown."""
    return _centroids().get((postal_code or "").strip()[:5])
