"""The resource schema shipped in the package matches the installed databricks-sdk."""

from __future__ import annotations

from brickyard.bundle import schema_gen


def test_resource_schema_is_generated_from_the_installed_sdk() -> None:
    shipped = schema_gen.SCHEMA_FILE.read_text(encoding="utf-8")
    assert shipped == schema_gen.render(schema_gen.generate()), (
        "resource_schema.json is stale: run `.venv/bin/python -m brickyard.bundle.schema_gen`"
    )
