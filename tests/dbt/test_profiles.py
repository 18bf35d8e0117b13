"""The profiles brickyard writes for dbt: private, single-use, and without the credential in them."""

from __future__ import annotations

import stat

import yaml

from brickyard.dbt.profiles import SECRET_ENV, databricks_output, private_profiles, spark_session_output


def test_profile_is_private_holds_no_secret_and_is_gone_afterwards() -> None:
    output = databricks_output("https://adb-1.azuredatabricks.net/", "/sql/1.0/warehouses/w1", "main", "shop")
    with private_profiles("shop", "prod", {"prod": output}) as folder:
        path = folder / "profiles.yml"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        doc = yaml.safe_load(path.read_text())
    assert not folder.exists()
    prod = doc["shop"]["outputs"]["prod"]
    assert doc["shop"]["target"] == "prod"
    assert prod["host"] == "adb-1.azuredatabricks.net"
    assert prod["token"] == "{{ env_var('" + SECRET_ENV + "') }}"
    assert SECRET_ENV.startswith("DBT_ENV_SECRET_")  # dbt scrubs these from its logs


def test_local_engine_output_reads_the_engine_url_from_the_environment() -> None:
    output = spark_session_output("", threads=0)
    assert output["method"] == "session"
    assert output["schema"] == "default" and output["threads"] == 1
    assert output["server_side_parameters"] == {"spark.remote": "{{ env_var('" + SECRET_ENV + "') }}"}
