"""Unity Catalog API through the SDK: catalogs, schemas, volumes, grants, tables, and their errors."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, NotFound, ResourceAlreadyExists
from databricks.sdk.service.catalog import PermissionsChange, Privilege, VolumeType


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_the_builtin_catalogs_are_listed_and_a_missing_one_is_not_found(w: Any) -> None:
    names = [c.name for c in w.catalogs.list()]
    assert names[:2] == ["main", "hive_metastore"]
    assert w.catalogs.get("main").catalog_type.value == "MANAGED_CATALOG"
    assert w.catalogs.update("main", comment="the main one").comment == "the main one"
    assert w.catalogs.get("main").comment == "the main one"
    with pytest.raises(NotFound, match="Catalog 'nope' does not exist"):
        w.catalogs.get("nope")
    with pytest.raises(ResourceAlreadyExists):
        w.catalogs.create("main")
    with pytest.raises(BadRequest, match="built into"):
        w.catalogs.delete("hive_metastore")


def test_schemas_are_created_in_the_workspace_catalog_and_deleted_only_when_empty(w: Any) -> None:
    name = _name("s")
    created = w.schemas.create(name=name.upper(), catalog_name="main", comment="first", properties={"a": "1"})
    assert (created.full_name, created.comment, created.properties) == (f"main.{name}", "first", {"a": "1"})
    assert w.schemas.get(f"main.{name}").owner == w.current_user.me().user_name
    assert name in [s.name for s in w.schemas.list(catalog_name="main")]
    assert "default" in [s.name for s in w.schemas.list(catalog_name="hive_metastore")]
    page = w.api_client.do(
        "GET", "/api/2.1/unity-catalog/schemas", query={"catalog_name": "main", "max_results": 1}
    )
    assert len(page["schemas"]) == 1 and page["next_page_token"]
    assert w.schemas.update(f"main.{name}", comment="second").comment == "second"

    with pytest.raises(ResourceAlreadyExists, match="already exists"):
        w.schemas.create(name=name, catalog_name="main")
    with pytest.raises(NotFound, match="Catalog 'nope'"):
        w.schemas.create(name=name, catalog_name="nope")
    with pytest.raises(NotFound, match="does not exist"):
        w.schemas.get("main.no_such_schema")
    with pytest.raises(BadRequest, match="not a schema name"):
        w.schemas.get("main")
    with pytest.raises(BadRequest, match="catalog_name"):
        list(w.schemas.list(catalog_name=""))

    w.volumes.create(catalog_name="main", schema_name=name, name="v", volume_type=VolumeType.MANAGED)
    with pytest.raises(BadRequest, match="not empty"):
        w.schemas.delete(f"main.{name}")
    w.schemas.delete(f"main.{name}", force=True)
    with pytest.raises(NotFound):
        w.schemas.get(f"main.{name}")
    with pytest.raises(NotFound):
        w.volumes.read(f"main.{name}.v")


def test_managed_and_external_volumes_are_directories_tasks_and_the_files_api_share(
    w: Any, local_ws: Any, tmp_path: Path
) -> None:
    schema = _name("vol")
    w.schemas.create(name=schema, catalog_name="main")
    managed = w.volumes.create(
        catalog_name="main", schema_name=schema, name="raw", volume_type=VolumeType.MANAGED, comment="c"
    )
    directory = Path(local_ws.home) / "storage" / "volumes" / "main" / schema / "raw"
    assert directory.is_dir() and managed.full_name == f"main.{schema}.raw"
    w.files.upload(f"/Volumes/main/{schema}/raw/a.csv", io.BytesIO(b"x\n1\n"))
    assert (directory / "a.csv").read_bytes() == b"x\n1\n"

    outside = tmp_path / "landing"
    external = w.volumes.create(
        catalog_name="main",
        schema_name=schema,
        name="ext",
        volume_type=VolumeType.EXTERNAL,
        storage_location=outside.as_uri(),
    )
    assert external.volume_type.value == "EXTERNAL"
    w.files.upload(f"/Volumes/main/{schema}/ext/b.txt", io.BytesIO(b"b"))
    assert (outside / "b.txt").read_bytes() == b"b"

    listed = [v.name for v in w.volumes.list(catalog_name="main", schema_name=schema)]
    assert listed == ["ext", "raw"]
    renamed = w.volumes.update(f"main.{schema}.raw", new_name="bronze", comment="renamed")
    assert (renamed.full_name, renamed.comment) == (f"main.{schema}.bronze", "renamed")
    assert w.files.download(f"/Volumes/main/{schema}/bronze/a.csv").contents.read() == b"x\n1\n"

    with pytest.raises(ResourceAlreadyExists):
        w.volumes.create(catalog_name="main", schema_name=schema, name="ext", volume_type=VolumeType.MANAGED)
    with pytest.raises(BadRequest, match="not reachable"):
        w.volumes.create(
            catalog_name="main",
            schema_name=schema,
            name="s3",
            volume_type=VolumeType.EXTERNAL,
            storage_location="s3://bucket/x",
        )
    with pytest.raises(NotFound, match="Schema"):
        w.volumes.create(catalog_name="main", schema_name="nope", name="v", volume_type=VolumeType.MANAGED)

    w.volumes.delete(f"main.{schema}.ext")
    assert (outside / "b.txt").exists()  # an external volume's data is not the volume's to delete
    w.volumes.delete(f"main.{schema}.bronze")
    assert not (directory.parent / "bronze").exists()
    with pytest.raises(NotFound):
        w.volumes.read(f"main.{schema}.bronze")


def test_grants_are_stored_per_securable_and_checked(w: Any) -> None:
    schema = _name("g")
    w.schemas.create(name=schema, catalog_name="main")
    full = f"main.{schema}"
    changes = [PermissionsChange(principal="analysts", add=[Privilege.USE_SCHEMA, Privilege.SELECT])]
    updated = w.grants.update("schema", full, changes=changes)
    assert [(a.principal, sorted(p.value for p in a.privileges)) for a in updated.privilege_assignments] == [
        ("analysts", ["SELECT", "USE_SCHEMA"])
    ]
    w.grants.update(
        "catalog", "main", changes=[PermissionsChange(principal="analysts", add=[Privilege.USE_CATALOG])]
    )
    w.grants.update(
        "schema", full, changes=[PermissionsChange(principal="analysts", remove=[Privilege.SELECT])]
    )
    assert [p.value for p in w.grants.get("schema", full).privilege_assignments[0].privileges] == [
        "USE_SCHEMA"
    ]
    effective = w.grants.get_effective("schema", full).privilege_assignments[0].privileges
    assert {(p.privilege.value, p.inherited_from_name) for p in effective} == {
        ("USE_SCHEMA", None),
        ("USE_CATALOG", "main"),
    }
    with pytest.raises(BadRequest, match="not valid"):
        w.api_client.do(
            "PATCH",
            f"/api/2.1/unity-catalog/permissions/schema/{full}",
            body={"changes": [{"principal": "x", "add": ["FLY"]}]},
        )
    with pytest.raises(NotFound):
        w.grants.get("table", f"{full}.missing")
    with pytest.raises(NotFound):  # a registered model's grants go by `function`; there is none
        w.grants.get("function", f"{full}.f")
    with pytest.raises(BadRequest, match="not supported"):
        w.grants.get("external_location", "landing")
