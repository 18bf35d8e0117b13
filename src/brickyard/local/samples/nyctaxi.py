"""`samples.nyctaxi.trips`: yellow-cab trips of January and February 2016, synthesised.

Same columns and types as the Databricks table; values follow the shape of the real data: most
trips are short (log-normal distance, median about 1.7 miles), fares follow the metered rate
(2.50 flag drop plus 2.50 a mile plus waiting time), pick-ups cluster in Manhattan zip codes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

ROWS = 21_932
_START = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
_SECONDS = 60 * 24 * 3600  # January and February 2016
_MANHATTAN = [
    10001,
    10002,
    10003,
    10009,
    10010,
    10011,
    10012,
    10013,
    10014,
    10016,
    10017,
    10018,
    10019,
    10021,
    10022,
    10023,
    10024,
    10025,
    10028,
    10036,
    10065,
    10075,
    10128,
    10153,
]
_OUTER = [
    10030,
    10031,
    10032,
    10451,
    11101,
    11106,
    11201,
    11211,
    11215,
    11217,
    11222,
    11237,
    11371,
    11430,
    7114,
]


def trips(rng: np.random.Generator) -> pa.Table:
    pickup_offsets = np.sort(rng.integers(0, _SECONDS, ROWS))
    distance = np.round(np.clip(rng.lognormal(0.55, 0.8, ROWS), 0.0, 60.0), 2)
    minutes = distance * rng.uniform(2.5, 6.0, ROWS) + rng.uniform(1.0, 6.0, ROWS)
    fare = np.round(2.5 + 2.5 * distance + 0.5 * np.maximum(minutes - distance * 2.0, 0.0), 1)
    zips = np.array(_MANHATTAN + _OUTER, dtype=np.int32)
    weights = np.array([3.0] * len(_MANHATTAN) + [1.0] * len(_OUTER))
    weights /= weights.sum()
    # microseconds since the epoch: building datetime objects row by row costs seconds
    pickup = (int(_START.timestamp()) + pickup_offsets) * 1_000_000
    dropoff = pickup + (minutes * 60).astype(np.int64) * 1_000_000
    timestamp = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "tpep_pickup_datetime": pa.array(pickup, pa.int64()).cast(timestamp),
            "tpep_dropoff_datetime": pa.array(dropoff, pa.int64()).cast(timestamp),
            "trip_distance": pa.array(distance, pa.float64()),
            "fare_amount": pa.array(fare, pa.float64()),
            "pickup_zip": pa.array(rng.choice(zips, ROWS, p=weights), pa.int32()),
            "dropoff_zip": pa.array(rng.choice(zips, ROWS, p=weights), pa.int32()),
        }
    )
