"""Pure-Python rules about taxi trips: tested without Spark, used by the job."""

from __future__ import annotations


def fare_band(fare: float) -> str:
    """Which band a fare falls in; the bands are what the reports group by."""
    if fare < 0:
        raise ValueError(f"a fare cannot be negative: {fare}")
    if fare < 10:
        return "short"
    if fare < 30:
        return "medium"
    return "long"
