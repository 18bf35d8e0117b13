"""Opaque page tokens, as the real API hands out, for lists served from an ordered query."""

from __future__ import annotations

import base64
import binascii

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
