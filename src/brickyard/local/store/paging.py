"""Opaque page tokens, as the real API hands out, for lists served from an ordered query."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from brickyard.local.apierror import ApiError


def encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode(token: str | None) -> int:
    """The offset a token stands for; 0 for no token. A forged or foreign token is a 400."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, _, value = text.partition(":")
        if tag != "o":
            raise ValueError(text)
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError.invalid(f"invalid page token {token!r}") from None
    if offset < 0:
        raise ApiError.invalid(f"invalid page token {token!r}")
    return offset


def limit(value: int | None, default: int, maximum: int, name: str = "limit") -> int:
    """A page size within the API's bounds; 0 means the maximum, as the Jobs API documents."""
    if value is None:
        return default
    if value < 0 or value > maximum:
        raise ApiError.invalid(f"{name} must be between 0 and {maximum}; got {value}")
    return value or maximum


def encode_query(query: dict[str, Any]) -> str:
    """A token that carries a whole query (filter, order, offset), for APIs whose next-page request
    sends the token alone."""
    text = "q:" + json.dumps(query, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_query(token: str) -> dict[str, Any]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, _, value = text.partition(":")
        doc = json.loads(value) if tag == "q" else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        doc = None
    if not isinstance(doc, dict):
        raise ApiError.invalid(f"invalid page token {token!r}")
    return doc


def page_list(items: list[Any], max_results: int | None, token: str | None) -> tuple[list[Any], str | None]:
    """One page of an in-memory list, as Unity Catalog pages: no size (or 0) means everything."""
    if max_results is not None and max_results < 0:
        raise ApiError.invalid(f"max_results must not be negative; got {max_results}")
    offset = decode(token)
    if not max_results:
        return items[offset:], None
    end = offset + max_results
    return items[offset:end], (encode(end) if end < len(items) else None)
