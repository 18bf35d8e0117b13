"""`/databricks-datasets/…`: a few of the folders tutorials and templates read, synthesised.

Each file keeps the published name, format and columns, with fewer rows (see docs/samples.md).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from brickyard.local.samples import bakehouse, nyctaxi

Writer = Callable[[np.random.Generator], bytes]

_README = b"""# databricks-datasets (local workspace)

Synthetic stand-ins for a few Databricks sample datasets, generated deterministically by brickyard
with the published file names, formats and columns. See docs/samples.md in brickyard.
"""
_STATES = [
    ("New York", "NY"),
    ("Los Angeles", "CA"),
    ("Chicago", "IL"),
    ("Houston", "TX"),
    ("Phoenix", "AZ"),
    ("Philadelphia", "PA"),
    ("San Antonio", "TX"),
    ("San Diego", "CA"),
    ("Dallas", "TX"),
    ("San Jose", "CA"),
    ("Austin", "TX"),
    ("Seattle", "WA"),
    ("Denver", "CO"),
    ("Boston", "MA"),
    ("Portland", "OR"),
    ("Miami", "FL"),
]
_STATE_NAMES = {
    "NY": "New York",
    "CA": "California",
    "IL": "Illinois",
    "TX": "Texas",
    "AZ": "Arizona",
    "PA": "Pennsylvania",
    "WA": "Washington",
    "CO": "Colorado",
    "MA": "Massachusetts",
    "OR": "Oregon",
    "FL": "Florida",
}
_ARTICLES = [
    "Main_Page",
    "Apache_Spark",
    "Databricks",
    "Delta_Lake",
    "Python_(programming_language)",
    "SQL",
    "Data_lake",
    "Machine_learning",
    "Scala_(programming_language)",
    "Hadoop",
    "Big_data",
    "Cloud_computing",
    "Data_warehouse",
    "Extract,_transform,_load",
    "Parquet",
]


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _population(rng: np.random.Generator) -> bytes:
    rows: list[list[object]] = []
    for rank, (city, code) in enumerate(_STATES, start=1):
        population = int(8_400_000 / rank**0.9)
        price = "" if rng.random() < 0.2 else round(float(rng.uniform(150, 900)), 1)
        rows.append([rank, city, _STATE_NAMES[code], code, population, price])
    header = [
        "2014 rank",
        "City",
        "State",
        "State Code",
        "2014 Population estimate",
        "2015 median sales price",
    ]
    return _csv(header, rows)


def _yellow(month: int) -> Writer:
    def write(rng: np.random.Generator) -> bytes:
        table = nyctaxi.trips(rng).slice(0, 2000)
        distance = table.column("trip_distance").to_pylist()
        fare = table.column("fare_amount").to_pylist()
        header = [
            "VendorID",
            "tpep_pickup_datetime",
            "tpep_dropoff_datetime",
            "passenger_count",
            "trip_distance",
            "RatecodeID",
            "store_and_fwd_flag",
            "PULocationID",
            "DOLocationID",
            "payment_type",
            "fare_amount",
            "extra",
            "mta_tax",
            "tip_amount",
            "tolls_amount",
            "improvement_surcharge",
            "total_amount",
            "congestion_surcharge",
        ]
        rows = []
        for i, (pickup, dropoff) in enumerate(
            zip(
                table.column("tpep_pickup_datetime").to_pylist(),
                table.column("tpep_dropoff_datetime").to_pylist(),
                strict=True,
            )
        ):
            duration = dropoff - pickup
            pickup = pickup.replace(year=2019, month=month, day=min(pickup.day, 28))
            dropoff = pickup + duration
            tip = round(fare[i] * float(rng.choice([0, 0.15, 0.2, 0.25])), 2)
            rows.append(
                [
                    int(rng.integers(1, 3)),
                    pickup.strftime("%Y-%m-%d %H:%M:%S"),
                    dropoff.strftime("%Y-%m-%d %H:%M:%S"),
                    int(rng.integers(1, 5)),
                    distance[i],
                    1,
                    "N",
                    int(rng.integers(1, 266)),
                    int(rng.integers(1, 266)),
                    int(rng.integers(1, 3)),
                    fare[i],
                    0.5,
                    0.5,
                    tip,
                    0.0,
                    0.3,
                    round(fare[i] + 1.3 + tip, 2),
                    2.5,
                ]
            )
        return gzip.compress(_csv(header, rows), mtime=0)

    return write


def _clickstream(rng: np.random.Generator) -> bytes:
    lines = []
    for _ in range(1000):
        prev, curr = rng.choice(len(_ARTICLES), 2, replace=False)
        kind = str(rng.choice(["link", "other", "redlink"], p=[0.7, 0.28, 0.02]))
        lines.append(
            json.dumps(
                {
                    "prev_id": int(prev) + 1000 if kind == "link" else None,
                    "curr_id": int(curr) + 1000,
                    "n": int(rng.zipf(1.8)) + 9,
                    "prev_title": _ARTICLES[prev]
                    if kind == "link"
                    else str(rng.choice(["other-google", "other-empty", "other-wikipedia"])),
                    "curr_title": _ARTICLES[curr],
                    "type": kind,
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


def _retail_customers(rng: np.random.Generator) -> bytes:
    table = bakehouse.tables(rng)["sales_customers"]
    header = [
        "customer_id",
        "customer_name",
        "state",
        "city",
        "postcode",
        "street",
        "number",
        "loyalty_segment",
        "units_purchased",
    ]
    rows = [
        [
            row["customerID"],
            f"{row['first_name']} {row['last_name']}".upper(),
            row["state"],
            row["city"],
            row["postal_zip_code"],
            row["address"],
            int(rng.integers(1, 999)),
            int(rng.integers(0, 4)),
            int(rng.integers(0, 200)),
        ]
        for row in table.to_pylist()
    ]
    return _csv(header, rows)


def _retail_products(rng: np.random.Generator) -> bytes:
    header = [
        "product_id",
        "product_category",
        "product_name",
        "sales_price",
        "EAN13",
        "EAN5",
        "product_unit",
    ]
    categories = ["Rony", "Opple", "Sioneer", "Reagate", "Zamaha"]
    rows = [
        [
            f"{1000 + i}",
            str(rng.choice(categories)),
            f"Product {i}",
            round(float(rng.uniform(10, 2000)), 2),
            int(rng.integers(10**12, 10**13 - 1)),
            int(rng.integers(10**4, 10**5 - 1)),
            "pcs",
        ]
        for i in range(50)
    ]
    return _csv(header, rows)


def _retail_orders(rng: np.random.Generator) -> bytes:
    lines = []
    for i in range(500):
        items = [
            {
                "id": str(1000 + int(rng.integers(0, 50))),
                "qty": str(int(rng.integers(1, 5))),
                "price": str(round(float(rng.uniform(10, 2000)), 2)),
                "curr": "USD",
                "unit": "pcs",
            }
            for _ in range(int(rng.integers(1, 4)))
        ]
        lines.append(
            json.dumps(
                {
                    "customer_id": 2000000 + int(rng.integers(0, 300)),
                    "customer_name": f"CUSTOMER {i}",
                    "order_datetime": str(1546300800 + int(rng.integers(0, 31_536_000))),
                    "order_number": 50000 + i,
                    "number_of_line_items": str(len(items)),
                    "ordered_products": items,
                    "clicked_items": [[item["id"], str(int(rng.integers(1, 30)))] for item in items],
                    "promo_info": [],
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


FILES: dict[str, Writer] = {
    "README.md": lambda _rng: _README,
    "samples/population-vs-price/data_geo.csv": _population,
    "nyctaxi/tripdata/yellow/yellow_tripdata_2019-01.csv.gz": _yellow(1),
    "nyctaxi/tripdata/yellow/yellow_tripdata_2019-02.csv.gz": _yellow(2),
    "wikipedia-datasets/data-001/clickstream/raw-uncompressed-json/2015_2_clickstream.json": _clickstream,
    "retail-org/customers/customers.csv": _retail_customers,
    "retail-org/products/products.csv": _retail_products,
    "retail-org/sales_orders/part-00000.json": _retail_orders,
}


def write_all(root: Path, seed: int) -> None:
    for index, (relative, writer) in enumerate(sorted(FILES.items())):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(writer(np.random.default_rng([seed, index])))
