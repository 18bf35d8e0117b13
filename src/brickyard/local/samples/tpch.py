"""`samples.tpch.*`: the eight TPC-H tables at a small scale, with the specification's columns.

Cardinalities are those of scale factor 0.001 (150 customers, 1,500 orders, about 6,000 line items),
keys join as the specification says, and values come from its value sets (segments, priorities,
ship modes, the 25 nations in their 5 regions); comments and names are generated text. Prices are
`decimal(18,2)`, as in the Databricks copy.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

SCALE = 0.001
_REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
_NATIONS = [
    ("ALGERIA", 0),
    ("ARGENTINA", 1),
    ("BRAZIL", 1),
    ("CANADA", 1),
    ("EGYPT", 4),
    ("ETHIOPIA", 0),
    ("FRANCE", 3),
    ("GERMANY", 3),
    ("INDIA", 2),
    ("INDONESIA", 2),
    ("IRAN", 4),
    ("IRAQ", 4),
    ("JAPAN", 2),
    ("JORDAN", 4),
    ("KENYA", 0),
    ("MOROCCO", 0),
    ("MOZAMBIQUE", 0),
    ("PERU", 1),
    ("CHINA", 2),
    ("ROMANIA", 3),
    ("SAUDI ARABIA", 4),
    ("VIETNAM", 2),
    ("RUSSIA", 3),
    ("UNITED KINGDOM", 3),
    ("UNITED STATES", 1),
]
_SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"]
_PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
_SHIP_MODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]
_INSTRUCTIONS = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
_TYPES = (
    ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"],
    ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"],
    ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"],
)
_CONTAINERS = (
    ["SM", "LG", "MED", "JUMBO", "WRAP"],
    ["CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"],
)
_COLOURS = [
    "almond",
    "antique",
    "aquamarine",
    "azure",
    "beige",
    "bisque",
    "black",
    "blanched",
    "blue",
    "blush",
    "brown",
    "burlywood",
    "burnished",
    "chartreuse",
    "chiffon",
    "chocolate",
    "coral",
    "cornflower",
    "cornsilk",
    "cream",
    "cyan",
    "dark",
    "deep",
    "dim",
    "dodger",
    "drab",
    "firebrick",
    "floral",
    "forest",
    "frosted",
    "gainsboro",
    "ghost",
    "goldenrod",
    "green",
]
_WORDS = [
    "furiously",
    "quickly",
    "carefully",
    "blithely",
    "slyly",
    "final",
    "regular",
    "express",
    "pending",
    "ironic",
    "special",
    "bold",
    "deposits",
    "requests",
    "accounts",
    "packages",
    "theodolites",
    "instructions",
    "pinto",
    "beans",
    "foxes",
    "ideas",
    "dependencies",
    "sleep",
    "haggle",
    "nag",
    "wake",
    "cajole",
    "detect",
    "integrate",
    "among",
    "above",
    "across",
]
_START = dt.date(1992, 1, 1)
_END = dt.date(1998, 8, 2)
_CURRENT = dt.date(1995, 6, 17)
_MONEY = pa.decimal128(18, 2)


def tables(rng: np.random.Generator) -> dict[str, pa.Table]:
    suppliers = max(10, int(10_000 * SCALE))
    parts = max(200, int(200_000 * SCALE))
    customers = max(150, int(150_000 * SCALE))
    orders = customers * 10
    out = {
        "region": pa.table(
            {
                "r_regionkey": pa.array(range(5), pa.int64()),
                "r_name": _REGIONS,
                "r_comment": _comments(rng, 5),
            }
        ),
        "nation": pa.table(
            {
                "n_nationkey": pa.array(range(25), pa.int64()),
                "n_name": [n for n, _ in _NATIONS],
                "n_regionkey": pa.array([r for _, r in _NATIONS], pa.int64()),
                "n_comment": _comments(rng, 25),
            }
        ),
        "supplier": _supplier(rng, suppliers),
        "customer": _customer(rng, customers),
    }
    out["part"], retail = _part(rng, parts)
    out["partsupp"] = _partsupp(rng, parts, suppliers)
    out["orders"], out["lineitem"] = _orders(rng, orders, customers, parts, suppliers, retail)
    return out


def _comments(rng: np.random.Generator, n: int) -> list[str]:
    words = np.array(_WORDS)[rng.integers(0, len(_WORDS), (n, 11))].tolist()
    return [" ".join(row[:k]) for row, k in zip(words, rng.integers(4, 12, n).tolist(), strict=True)]


def _phone(rng: np.random.Generator, nation: np.ndarray) -> list[str]:
    digits = rng.integers(100, 1000, (len(nation), 2))
    last = rng.integers(1000, 10000, len(nation))
    return [f"{10 + n}-{a}-{b}-{c}" for n, (a, b), c in zip(nation, digits, last, strict=True)]


def _money(values: np.ndarray) -> pa.Array:
    return pa.array(np.round(values, 2)).cast(_MONEY, safe=False)


def _supplier(rng: np.random.Generator, n: int) -> pa.Table:
    nation = rng.integers(0, 25, n)
    return pa.table(
        {
            "s_suppkey": pa.array(range(1, n + 1), pa.int64()),
            "s_name": [f"Supplier#{k:09d}" for k in range(1, n + 1)],
            "s_address": _comments(rng, n),
            "s_nationkey": pa.array(nation, pa.int64()),
            "s_phone": _phone(rng, nation),
            "s_acctbal": _money(rng.uniform(-999.99, 9999.99, n)),
            "s_comment": _comments(rng, n),
        }
    )


def _customer(rng: np.random.Generator, n: int) -> pa.Table:
    nation = rng.integers(0, 25, n)
    return pa.table(
        {
            "c_custkey": pa.array(range(1, n + 1), pa.int64()),
            "c_name": [f"Customer#{k:09d}" for k in range(1, n + 1)],
            "c_address": _comments(rng, n),
            "c_nationkey": pa.array(nation, pa.int64()),
            "c_phone": _phone(rng, nation),
            "c_acctbal": _money(rng.uniform(-999.99, 9999.99, n)),
            "c_mktsegment": list(rng.choice(_SEGMENTS, n)),
            "c_comment": _comments(rng, n),
        }
    )


def _part(rng: np.random.Generator, n: int) -> tuple[pa.Table, np.ndarray]:
    keys = np.arange(1, n + 1)
    retail = (90000 + (keys // 10) % 20001 + 100 * (keys % 1000)) / 100
    mfgr = rng.integers(1, 6, n)
    return pa.table(
        {
            "p_partkey": pa.array(keys, pa.int64()),
            "p_name": [" ".join(rng.choice(_COLOURS, 5, replace=False)) for _ in range(n)],
            "p_mfgr": [f"Manufacturer#{m}" for m in mfgr],
            "p_brand": [f"Brand#{m}{b}" for m, b in zip(mfgr, rng.integers(1, 6, n), strict=True)],
            "p_type": [" ".join(str(rng.choice(s)) for s in _TYPES) for _ in range(n)],
            "p_size": pa.array(rng.integers(1, 51, n), pa.int32()),
            "p_container": [" ".join(str(rng.choice(s)) for s in _CONTAINERS) for _ in range(n)],
            "p_retailprice": _money(retail),
            "p_comment": _comments(rng, n),
        }
    ), retail


def _partsupp(rng: np.random.Generator, parts: int, suppliers: int) -> pa.Table:
    part = np.repeat(np.arange(1, parts + 1), 4)
    step = suppliers // 4 + (part - 1) // suppliers
    supp = (part + np.tile(np.arange(4), parts) * step) % suppliers + 1
    n = len(part)
    return pa.table(
        {
            "ps_partkey": pa.array(part, pa.int64()),
            "ps_suppkey": pa.array(supp, pa.int64()),
            "ps_availqty": pa.array(rng.integers(1, 10_000, n), pa.int32()),
            "ps_supplycost": _money(rng.uniform(1.0, 1000.0, n)),
            "ps_comment": _comments(rng, n),
        }
    )


def _orders(
    rng: np.random.Generator, n: int, customers: int, parts: int, suppliers: int, retail: np.ndarray
) -> tuple[pa.Table, pa.Table]:
    # sparse keys as in the specification: 8 used out of every 32
    keys = np.array([(k // 8) * 32 + k % 8 + 1 for k in range(n)])
    custkeys = rng.integers(1, customers + 1, n)
    custkeys[custkeys % 3 == 0] += 1  # a third of the customers never order
    custkeys = np.minimum(custkeys, customers)
    span = (_END - _START).days - 151
    order_dates = [_START + dt.timedelta(days=int(d)) for d in rng.integers(0, span, n)]
    lines = rng.integers(1, 8, n)
    count = int(lines.sum())
    order_of_line = np.repeat(np.arange(n), lines)
    number = np.concatenate([np.arange(1, k + 1) for k in lines])
    part = rng.integers(1, parts + 1, count)
    quantity = rng.integers(1, 51, count)
    price = quantity * retail[part - 1]
    discount = rng.integers(0, 11, count) / 100
    tax = rng.integers(0, 9, count) / 100
    ordered = np.array(order_dates, dtype="datetime64[D]")[order_of_line]
    ship = ordered + rng.integers(1, 122, count).astype("timedelta64[D]")
    commit = ordered + rng.integers(30, 91, count).astype("timedelta64[D]")
    receipt = ship + rng.integers(1, 31, count).astype("timedelta64[D]")
    current = np.datetime64(_CURRENT, "D")
    status = np.where(ship > current, "O", "F")
    flag = np.where(receipt <= current, np.where(rng.random(count) < 0.5, "R", "A"), "N")
    totals = np.bincount(order_of_line, weights=price * (1 + tax) * (1 - discount), minlength=n)
    open_lines = np.bincount(order_of_line, weights=status == "O", minlength=n)
    statuses = np.where(open_lines == 0, "F", np.where(open_lines == lines, "O", "P")).tolist()
    line = {
        "orderkey": keys[order_of_line],
        "partkey": part,
        "suppkey": (part + number) % suppliers + 1,
        "linenumber": number,
        "quantity": quantity,
        "price": price,
        "discount": discount,
        "tax": tax,
        "returnflag": flag.tolist(),
        "linestatus": status.tolist(),
        "ship": ship,
        "commit": commit,
        "receipt": receipt,
    }
    count = len(line["orderkey"])
    orders = pa.table(
        {
            "o_orderkey": pa.array(keys, pa.int64()),
            "o_custkey": pa.array(custkeys, pa.int64()),
            "o_orderstatus": statuses,
            "o_totalprice": _money(np.array(totals)),
            "o_orderdate": pa.array(np.array(order_dates, dtype="datetime64[D]")),
            "o_orderpriority": list(rng.choice(_PRIORITIES, n)),
            "o_clerk": [f"Clerk#{c:09d}" for c in rng.integers(1, 1001, n)],
            "o_shippriority": pa.array(np.zeros(n, dtype=np.int32), pa.int32()),
            "o_comment": _comments(rng, n),
        }
    )
    lineitem = pa.table(
        {
            "l_orderkey": pa.array(line["orderkey"], pa.int64()),
            "l_partkey": pa.array(line["partkey"], pa.int64()),
            "l_suppkey": pa.array(line["suppkey"], pa.int64()),
            "l_linenumber": pa.array(line["linenumber"], pa.int32()),
            "l_quantity": _money(line["quantity"].astype(float)),
            "l_extendedprice": _money(line["price"]),
            "l_discount": _money(line["discount"]),
            "l_tax": _money(line["tax"]),
            "l_returnflag": line["returnflag"],
            "l_linestatus": line["linestatus"],
            "l_shipdate": pa.array(line["ship"]),
            "l_commitdate": pa.array(line["commit"]),
            "l_receiptdate": pa.array(line["receipt"]),
            "l_shipinstruct": list(rng.choice(_INSTRUCTIONS, count)),
            "l_shipmode": list(rng.choice(_SHIP_MODES, count)),
            "l_comment": _comments(rng, count),
        }
    )
    return orders, lineitem
