"""Small helpers every route module uses: the services, and typed access to a JSON body.

Bodies are taken as plain JSON objects and read field by field, so a missing or mistyped field is
a Databricks-shaped 400 (INVALID_PARAMETER_VALUE) naming the field, not a FastAPI 422.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Body as FastBody
from fastapi import Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.services import Services

T = TypeVar("T")

JsonBody = Annotated[dict[str, Any] | None, FastBody()]
"""A JSON object body; absent means empty."""

_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "an object", list: "a list"}


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def api_version(request: Request) -> str:
    """`2.2` for `/api/2.2/jobs/get`: some answers differ by version (pagination of job tasks)."""
    parts = request.url.path.split("/")
    return parts[2] if len(parts) > 2 else ""


def field(body: dict[str, Any] | None, name: str, kind: type[T], default: Any = ...) -> T:
    """`body[name]` checked to be `kind`; required unless a default is given."""
    value = (body or {}).get(name)
    if value is None:
        if default is ...:
            raise ApiError.invalid(f"Missing required field: {name}")
        result: T = default
        return result
    if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if kind is bool and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ApiError.invalid(f"{name} must be {_NAMES.get(kind, kind.__name__)}; got {value!r}")
    return value


def flag(value: str | bool | None) -> bool:
    """Form and query booleans arrive as text."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "1", "yes")
