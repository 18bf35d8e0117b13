"""Secrets API through the SDK: scopes and keys, values stored for workers and never returned."""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound, PermissionDenied, ResourceAlreadyExists

pytestmark = pytest.mark.server


def test_scope_and_secret_life_cycle(w: Any, local_ws: Any) -> None:
    w.secrets.create_scope("life")
    with pytest.raises(ResourceAlreadyExists):
        w.secrets.create_scope("life")
    w.secrets.put_secret("life", "db-password", string_value="s3cr3t")
    w.secrets.put_secret("life", "cert", bytes_value=base64.b64encode(b"\x00\x01").decode())
    assert sorted(s.key for s in w.secrets.list_secrets("life")) == ["cert", "db-password"]
    assert "life" in [s.name for s in w.secrets.list_scopes()]
    db = sqlite3.connect(f"file:{local_ws.home / 'metadata.db'}?mode=ro", uri=True)
    rows = dict(db.execute("SELECT key, value FROM secrets WHERE scope = 'life'").fetchall())
    db.close()
    assert rows == {"db-password": b"s3cr3t", "cert": b"\x00\x01"}
    w.secrets.delete_secret("life", "cert")
    with pytest.raises(NotFound):
        w.secrets.delete_secret("life", "cert")
    w.secrets.delete_scope("life")
    with pytest.raises(NotFound):
        list(w.secrets.list_secrets("life"))


def test_values_are_never_returned(w: Any) -> None:
    w.secrets.create_scope("hidden")
    w.secrets.put_secret("hidden", "k", string_value="do-not-show")
    with pytest.raises(PermissionDenied):
        w.secrets.get_secret("hidden", "k")
    listed = w.api_client.do("GET", "/api/2.0/secrets/list", query={"scope": "hidden"})
    assert "do-not-show" not in str(listed)


def test_bad_names_and_missing_scope(w: Any) -> None:
    with pytest.raises(InvalidParameterValue):
        w.secrets.create_scope("no spaces")
    with pytest.raises(NotFound):
        w.secrets.put_secret("no-such-scope", "k", string_value="v")
