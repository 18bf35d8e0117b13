"""Generate `resource_schema.json`: the fields of each deployable resource, read from databricks-sdk.

The SDK's request types are the authority on what each kind of the resource registry accepts (its
`schema_root`), and they are Apache-2.0. Importing the SDK takes seconds, so the shapes are extracted once
(`python -m brickyard.bundle.schema_gen`) into a JSON file that `validate` loads in milliseconds. A
test regenerates it and fails when the installed SDK has moved on.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import sys
import typing
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("resource_schema.json")

_SKIP_PARAMS = {"self", "dry_run"}
_NOT_IN_BODY = {"serving.EndpointCoreConfigInput": {"name"}}
"""Fields the Python SDK requires that the API takes from the path, not the body (the Go SDK
marks them `json:"-"`): a bundle leaves them out, and the CLI asks for none of them."""
_PERMISSIONS = "bundle.Permission"


class _Collector:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.required: dict[str, list[str]] = {}
        """Per definition, the fields the API cannot do without (a dataclass field with no default)."""

    def ref(self, tp: Any) -> Any:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Union:
            inner = [a for a in args if a is not type(None)]
            return self.ref(inner[0]) if len(inner) == 1 else "any"
        if origin in (list, typing.List):  # noqa: UP006
            return {"list": self.ref(args[0]) if args else "any"}
        if origin in (dict, typing.Dict):  # noqa: UP006
            return {"map": self.ref(args[1]) if len(args) == 2 else "any"}
        if tp is str:
            return "str"
        if tp is bool:
            return "bool"
        if tp is int:
            return "int"
        if tp is float:
            return "float"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": sorted(str(m.value) for m in tp)}
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            return self.dataclass(tp)
        return "any"

    def dataclass(self, cls: type) -> str:
        name = f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}"
        if name not in self.defs:
            self.defs[name] = {}
            hints = typing.get_type_hints(cls)
            fields = dataclasses.fields(cls)
            self.defs[name] = {f.name: self.ref(hints[f.name]) for f in fields}
            needed = [
                f.name
                for f in fields
                if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
                and f.name not in _NOT_IN_BODY.get(name, ())
            ]
            if needed:
                self.required[name] = sorted(needed)
        return name

    def signature(self, name: str, func: Any) -> str:
        hints = typing.get_type_hints(func)
        params = inspect.signature(func).parameters
        self.defs[name] = {p: self.ref(hints[p]) for p in params if p not in _SKIP_PARAMS}
        return name


def generate() -> dict[str, Any]:
    import importlib

    collector = _Collector()
    resources: dict[str, str] = {}
    from brickyard.resources import REGISTRY

    # The create call (or settings type) of each kind; its parameters are the resource's keys.
    roots = {k.name: k.schema_root for k in REGISTRY if k.schema_root is not None}
    for kind, (module, owner, method) in sorted(roots.items()):
        mod = importlib.import_module(f"databricks.sdk.service.{module}")
        target = getattr(mod, owner)
        if method:
            resources[kind] = collector.signature(f"resource.{kind}", getattr(target, method))
        else:
            resources[kind] = collector.dataclass(target)
    collector.defs[_PERMISSIONS] = {
        "level": "str",
        "user_name": "str",
        "group_name": "str",
        "service_principal_name": "str",
    }
    from databricks.sdk.version import __version__

    return {
        "sdk_version": __version__,
        "resources": resources,
        "definitions": collector.defs,
        "required": collector.required,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=True) + "\n"


def main() -> None:
    text = render(generate())
    if "--check" in sys.argv:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        sys.exit(0 if current == text else 1)
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
