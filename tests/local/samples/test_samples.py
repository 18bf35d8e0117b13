"""Sample data: generated Delta tables and files with the documented shapes (no engine)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from brickyard.local.samples import VERSION, ensure_datasets, sample_tables, tpch
from brickyard.local.samples.delta import write_table
from brickyard.local.store.catalog import TableEntry


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[TableEntry]]:
    root = tmp_path_factory.mktemp("samples")
    return root, sample_tables(root)


def test_the_samples_catalog_has_its_documented_tables_as_delta(
    generated: tuple[Path, list[TableEntry]],
) -> None:
    root, tables = generated

    names = {f"{t.schema}.{t.name}" for t in tables}
    assert {
        "nyctaxi.trips",
        "tpch.lineitem",
        "tpch.orders",
        "tpch.customer",
        "tpch.nation",
        "tpch.region",
        "tpch.part",
        "tpch.supplier",
        "tpch.partsupp",
        "bakehouse.sales_transactions",
        "bakehouse.sales_customers",
        "bakehouse.sales_suppliers",
        "bakehouse.sales_franchises",
        "bakehouse.media_customer_reviews",
        "bakehouse.media_gold_reviews_chunked",
    } == names
    trips = root / "nyctaxi" / "trips"
    log = [json.loads(line) for line in (trips / "_delta_log" / f"{0:020d}.json").read_text().splitlines()]
    schema = json.loads(next(a for a in log if "metaData" in a)["metaData"]["schemaString"])
    assert [(f["name"], f["type"]) for f in schema["fields"]] == [
        ("tpep_pickup_datetime", "timestamp"),
        ("tpep_dropoff_datetime", "timestamp"),
        ("trip_distance", "double"),
        ("fare_amount", "double"),
        ("pickup_zip", "integer"),
        ("dropoff_zip", "integer"),
    ]
    data = pq.read_table(next(trips.glob("*.parquet")))
    assert data.num_rows == 21_932
    distances = sorted(data.column("trip_distance").to_pylist())
    assert 1.0 < distances[len(distances) // 2] < 3.0  # mostly short trips, as in the real data


def test_generation_is_deterministic_and_cached(generated: tuple[Path, list[TableEntry]]) -> None:
    one, two = (tpch.tables(np.random.default_rng(7)) for _ in range(2))
    assert all(one[name].equals(two[name]) for name in one)
    root, tables = generated
    assert (root / ".brickyard-samples").read_text() == VERSION
    log = root / "tpch" / "orders" / "_delta_log"
    stamp = log.stat().st_mtime_ns
    assert sample_tables(root) == tables
    assert log.stat().st_mtime_ns == stamp


def test_tpch_keys_join(generated: tuple[Path, list[TableEntry]]) -> None:
    root, _ = generated
    read = lambda name: pq.read_table(next((root / "tpch" / name).glob("*.parquet")))  # noqa: E731
    orders, lineitem, customer = read("orders"), read("lineitem"), read("customer")
    assert set(lineitem.column("l_orderkey").to_pylist()) == set(orders.column("o_orderkey").to_pylist())
    assert set(orders.column("o_custkey").to_pylist()) <= set(customer.column("c_custkey").to_pylist())
    assert customer.num_rows == 150 and orders.num_rows == 1500


def test_databricks_datasets_hold_the_common_folders(tmp_path: Path) -> None:
    root = ensure_datasets(tmp_path)

    geo = (root / "samples" / "population-vs-price" / "data_geo.csv").read_text().splitlines()
    assert geo[0] == "2014 rank,City,State,State Code,2014 Population estimate,2015 median sales price"
    clicks = root / "wikipedia-datasets/data-001/clickstream/raw-uncompressed-json/2015_2_clickstream.json"
    first = json.loads(clicks.read_text().splitlines()[0])
    assert set(first) == {"prev_id", "curr_id", "n", "prev_title", "curr_title", "type"}
    assert (root / "nyctaxi/tripdata/yellow/yellow_tripdata_2019-01.csv.gz").stat().st_size > 1000


def test_a_written_table_replaces_what_was_there(tmp_path: Path) -> None:
    import pyarrow as pa

    write_table(tmp_path / "t", pa.table({"a": [1, 2]}))
    write_table(tmp_path / "t", pa.table({"a": [3]}))

    assert pq.read_table(next((tmp_path / "t").glob("*.parquet"))).column("a").to_pylist() == [3]
    assert not (tmp_path / "t.tmp").exists()
