"""`samples.bakehouse.*`: a cookie franchise's sales, customers, suppliers and reviews, synthesised.

Columns and types follow the Databricks sample; the numbers of rows are those of the published
tables (48 franchises, 27 suppliers, 300 customers, 3,333 transactions, 204 reviews). Transactions
fall in May 2024, prices are whole dollars, reviews are short generated sentences.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

_PRODUCTS = {
    "Golden Gate Ginger": 3,
    "Outback Oatmeal": 3,
    "Austin Almond Biscotti": 3,
    "Tokyo Tidbits": 3,
    "Pearly Pies": 3,
    "Orchard Oasis": 3,
}
_CITIES = [
    ("San Francisco", "California", "US", "North America", 37.77, -122.42),
    ("New York", "New York", "US", "North America", 40.71, -74.01),
    ("Austin", "Texas", "US", "North America", 30.27, -97.74),
    ("Toronto", "Ontario", "CA", "North America", 43.65, -79.38),
    ("Sydney", "New South Wales", "AU", "Australia", -33.87, 151.21),
    ("Melbourne", "Victoria", "AU", "Australia", -37.81, 144.96),
    ("Tokyo", "Tokyo", "JP", "Asia", 35.68, 139.69),
    ("Osaka", "Osaka", "JP", "Asia", 34.69, 135.50),
    ("London", "England", "GB", "Europe", 51.51, -0.13),
    ("Amsterdam", "North Holland", "NL", "Europe", 52.37, 4.90),
    ("Paris", "Ile-de-France", "FR", "Europe", 48.86, 2.35),
    ("Berlin", "Berlin", "DE", "Europe", 52.52, 13.40),
]
_INGREDIENTS = [
    "Flour",
    "Sugar",
    "Butter",
    "Eggs",
    "Ginger",
    "Oats",
    "Almonds",
    "Cinnamon",
    "Vanilla",
    "Chocolate",
    "Honey",
    "Salt",
    "Baking Soda",
    "Pecans",
    "Raisins",
]
_FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Hana",
    "Kenji",
    "Amelie",
    "Lukas",
    "Olivia",
    "Noah",
    "Mia",
    "Leo",
    "Chloe",
    "Omar",
]
_LAST = [
    "Smith",
    "Tanaka",
    "Muller",
    "Martin",
    "Brown",
    "Lee",
    "Garcia",
    "Nguyen",
    "Wilson",
    "Rossi",
    "Kowalski",
    "Jensen",
    "Dubois",
    "Sato",
    "Clark",
    "Lopez",
]
_PAYMENTS = ["visa", "mastercard", "amex"]
_OPINIONS = [
    "The {p} was fresh and perfectly chewy.",
    "Long queue, but the {p} made up for it.",
    "Staff were friendly; the {p} tasted a bit dry today.",
    "Best {p} in {c}, hands down.",
    "The {p} was stale and the shop was messy.",
    "Great value for the {p}, will come back.",
]
_MAY = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
_TIMESTAMP = pa.timestamp("us", tz="UTC")


def tables(rng: np.random.Generator) -> dict[str, pa.Table]:
    suppliers = _suppliers(rng, 27)
    franchises = _franchises(rng, 48, 27)
    customers = _customers(rng, 300)
    reviews = _reviews(rng, 204, 48)
    return {
        "sales_suppliers": suppliers,
        "sales_franchises": franchises,
        "sales_customers": customers,
        "sales_transactions": _transactions(rng, 3333, 300, 48),
        "media_customer_reviews": reviews,
        "media_gold_reviews_chunked": _chunked(reviews),
    }


def _place(rng: np.random.Generator, n: int) -> list[tuple[str, str, str, str, float, float]]:
    return [_CITIES[i] for i in rng.integers(0, len(_CITIES), n)]


def _suppliers(rng: np.random.Generator, n: int) -> pa.Table:
    places = _place(rng, n)
    return pa.table(
        {
            "supplierID": pa.array(range(4000000, 4000000 + n), pa.int64()),
            "name": [f"{p[0]} {i} Supply Co." for i, p in enumerate(places)],
            "ingredient": list(rng.choice(_INGREDIENTS, n)),
            "continent": [p[3] for p in places],
            "city": [p[0] for p in places],
            "district": [p[1] for p in places],
            "size": list(rng.choice(["S", "M", "L", "XL"], n)),
            "longitude": pa.array([round(p[5] + rng.normal(0, 0.05), 4) for p in places], pa.float64()),
            "latitude": pa.array([round(p[4] + rng.normal(0, 0.05), 4) for p in places], pa.float64()),
            "approved": list(rng.choice(["Y", "N"], n, p=[0.85, 0.15])),
        }
    )


def _franchises(rng: np.random.Generator, n: int, suppliers: int) -> pa.Table:
    places = _place(rng, n)
    return pa.table(
        {
            "franchiseID": pa.array(range(3000000, 3000000 + n), pa.int64()),
            "name": [f"Bakehouse {p[0]} {i}" for i, p in enumerate(places)],
            "city": [p[0] for p in places],
            "district": [p[1] for p in places],
            "zipcode": [f"{z:05d}" for z in rng.integers(1000, 99999, n)],
            "country": [p[2] for p in places],
            "size": list(rng.choice(["S", "M", "L"], n)),
            "longitude": pa.array([round(p[5] + rng.normal(0, 0.05), 4) for p in places], pa.float64()),
            "latitude": pa.array([round(p[4] + rng.normal(0, 0.05), 4) for p in places], pa.float64()),
            "supplierID": pa.array(rng.integers(4000000, 4000000 + suppliers, n), pa.int64()),
        }
    )


def _customers(rng: np.random.Generator, n: int) -> pa.Table:
    places = _place(rng, n)
    first = list(rng.choice(_FIRST, n))
    last = list(rng.choice(_LAST, n))
    return pa.table(
        {
            "customerID": pa.array(range(2000000, 2000000 + n), pa.int64()),
            "first_name": first,
            "last_name": last,
            "email_address": [
                f"{f.lower()}.{s.lower()}{i}@example.com"
                for i, (f, s) in enumerate(zip(first, last, strict=True))
            ],
            "phone_number": [f"+1-555-{p:04d}" for p in rng.integers(0, 10000, n)],
            "address": [f"{k} Main Street" for k in rng.integers(1, 999, n)],
            "city": [p[0] for p in places],
            "state": [p[1] for p in places],
            "country": [p[2] for p in places],
            "continent": [p[3] for p in places],
            "postal_zip_code": pa.array(rng.integers(1000, 99999, n), pa.int64()),
            "gender": list(rng.choice(["male", "female", "non-binary"], n, p=[0.48, 0.48, 0.04])),
        }
    )


def _transactions(rng: np.random.Generator, n: int, customers: int, franchises: int) -> pa.Table:
    products = list(_PRODUCTS)
    product = list(rng.choice(products, n))
    quantity = rng.integers(1, 61, n)
    price = np.array([_PRODUCTS[p] for p in product])
    seconds = np.sort(rng.integers(0, 17 * 24 * 3600, n))
    return pa.table(
        {
            "transactionID": pa.array(range(1000000, 1000000 + n), pa.int64()),
            "customerID": pa.array(rng.integers(2000000, 2000000 + customers, n), pa.int64()),
            "franchiseID": pa.array(rng.integers(3000000, 3000000 + franchises, n), pa.int64()),
            "dateTime": pa.array([_MAY + dt.timedelta(seconds=int(s)) for s in seconds], _TIMESTAMP),
            "product": product,
            "quantity": pa.array(quantity, pa.int64()),
            "unitPrice": pa.array(price, pa.int64()),
            "totalPrice": pa.array(quantity * price, pa.int64()),
            "paymentMethod": list(rng.choice(_PAYMENTS, n)),
            "cardNumber": pa.array(rng.integers(10**15, 10**16 - 1, n, dtype=np.int64), pa.int64()),
        }
    )


def _reviews(rng: np.random.Generator, n: int, franchises: int) -> pa.Table:
    products = list(_PRODUCTS)
    texts = [
        str(rng.choice(_OPINIONS)).format(p=rng.choice(products), c=_CITIES[int(rng.integers(0, 12))][0])
        for _ in range(n)
    ]
    seconds = rng.integers(0, 60 * 24 * 3600, n)
    return pa.table(
        {
            "review": texts,
            "franchiseID": pa.array(rng.integers(3000000, 3000000 + franchises, n), pa.int64()),
            "review_date": pa.array([_MAY + dt.timedelta(seconds=int(s)) for s in seconds], _TIMESTAMP),
            "new_id": pa.array(range(n), pa.int64()),
        }
    )


def _chunked(reviews: pa.Table) -> pa.Table:
    ids = reviews.column("new_id").to_pylist()
    return pa.table(
        {
            "franchiseID": reviews.column("franchiseID"),
            "review_date": reviews.column("review_date"),
            "chunked_text": reviews.column("review"),
            "chunk_id": [f"{i}_0" for i in ids],
            "review_uri": [f"reviews/{i}.txt" for i in ids],
        }
    )
