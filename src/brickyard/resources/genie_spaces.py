"""Genie spaces (`/api/2.0/genie/spaces`): a space's definition, kept as its serialized JSON text.

A bundle writes the definition inline (`serialized_space` as a mapping, which the CLI turns into
its JSON text) or names a local file (`file_path`), whose content deploy sends as
`serialized_space`. As with dashboards, the space lands in the bundle's resource folder unless
`parent_path` says otherwise, always under /Workspace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import ANY, BundlePaths, Kind, Prepare, ServerFilled
from brickyard.resources.definitions import default_folder, without_file_path

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic

_REQUEST = ("title", "description", "warehouse_id", "serialized_space", "parent_path")


class GenieSpaces(Kind):
    name = "genie_spaces"
    label = "Genie space"
    rank = 60
    depends_on = ("sql_warehouses",)
    name_fields = ("title",)
    permission_type = "genie"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_VIEW",
        "CAN_RUN": "CAN_RUN",
    }
    inherits_permissions = True
    path_fields = ("parent_path",)
    schema_root = ("dashboards", "GenieAPI", "create_space")
    extra_fields: ClassVar[Mapping[str, Any]] = {"file_path": "str", "serialized_space": "any", "etag": "str"}
    """`serialized_space` may be written inline, as a mapping."""
    server_filled: ClassVar[ServerFilled] = {
        "space_id": ANY,
        "create_time": ANY,
        "update_time": ANY,
        "etag": ANY,
        "parent_path": ANY,
    }
    local_note = "the local workspace keeps Genie spaces but does not answer questions in them"

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_etag

        check_etag("genie_spaces", "genie space", key, resource, diags)

    @classmethod
    def shape(cls, resource: Node, development: bool) -> None:
        space = resource.get("serialized_space")
        if space is not None and (space.is_map or space.is_seq):
            space.value = go_json(space.plain())

    @classmethod
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        default_folder(resource, paths)
        super().fill_defaults(resource, paths)

    def create(self, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _REQUEST if k in settings}
        return str(self.do("POST", "/api/2.0/genie/spaces", body)["space_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _REQUEST if k in settings}
        self.do("PATCH", f"/api/2.0/genie/spaces/{id}", body)
        return id

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/genie/spaces/{id}", query={"include_serialized_space": "true"}))

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/genie/spaces/{id}")

    def url(self, host: str, id: str) -> str:
        return f"{host}/genie/rooms/{id}"

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        """A file's text is already the space's `serialized_space` (`defaults.genie_space_files`)."""
        return without_file_path(config)


def go_json(value: Any) -> str:
    """JSON text as the CLI (Go's encoding/json) writes it: keys sorted, no spaces, and `<`, `>`,
    `&`, U+2028 and U+2029 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
