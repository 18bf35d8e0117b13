"""Hostile bodies at the in-process app: malformed, deeply nested, huge numbers, oversized (declared
or streamed), and bugs. Every answer has the Databricks error shape; nothing is a 500 but a bug."""

from __future__ import annotations

import base64
import json
import logging
import tracemalloc
from collections.abc import Iterator

import pytest

from brickyard.local.server import guards
from tests.local.server.asgi import Reply, call
from tests.local.server.conftest import TOKEN, InProcess

MB = 1024 * 1024


def _error(reply: Reply, status: int, code: str | None = None) -> str:
    assert reply.status == status, reply.body[:300]
    doc = reply.json()
    assert set(doc) == {"error_code", "message"} and isinstance(doc["message"], str)
    if code is not None:
        assert doc["error_code"] == code
    return str(doc["message"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/2.1/jobs/create"),
        ("POST", "/api/2.0/workspace/import"),
        ("POST", "/api/2.0/dbfs/put"),
        ("POST", "/api/2.0/secrets/scopes/create"),
        ("POST", "/api/2.0/workspace/mkdirs"),
    ],
)
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"path": 1' + b"0" * 5000 + b"}",
        b'{"path": "\\ud800", "job_id": 1e999, "name": 123456789012345678901234567890}',
        b"\xff\xfe\x00garbage",
        b"null",
        b'"just a string"',
    ],
    ids=["malformed", "deep-list", "deep-object", "huge-int", "odd-values", "binary", "null", "string"],
)
def test_hostile_json_bodies_get_no_500_and_errors_have_the_databricks_shape(
    inproc: InProcess, method: str, path: str, body: bytes
) -> None:
    reply = call(
        inproc.app, method, path, headers={**inproc.headers, "content-type": "application/json"}, body=body
    )
    assert reply.status < 500, reply.body[:300]
    if reply.status >= 400:
        _error(reply, reply.status)


def test_numbers_sqlite_cannot_hold_are_invalid_parameters(inproc: InProcess) -> None:
    reply = call(inproc.app, "GET", "/api/2.2/jobs/get", {"job_id": str(2**80)}, inproc.headers)
    _error(reply, 400, "INVALID_PARAMETER_VALUE")


def test_a_declared_oversized_body_is_refused_before_it_is_read(inproc: InProcess) -> None:
    # the body sent is short: a server that tried to read 11 MB would wait forever
    headers = {**inproc.headers, "content-length": str(11 * MB)}
    reply = call(
        inproc.app, "POST", "/api/2.1/jobs/create", headers=headers, body=b"{}", content_length=False
    )
    assert "Limit(bytes): 10485760" in _error(reply, 400, "BAD_REQUEST")
    notebook = {"content-length": str(15 * MB), "content-type": "application/json"}
    reply = call(
        inproc.app,
        "POST",
        "/api/2.0/workspace/import",
        headers={**inproc.headers, **notebook},
        body=b"{}",
        content_length=False,
    )
    _error(reply, 400, "MAX_NOTEBOOK_SIZE_EXCEEDED")
    reply = call(
        inproc.app,
        "POST",
        "/api/2.0/jobs/create",
        headers={**inproc.headers, "content-length": "12abc"},
        body=b"{}",
        content_length=False,
    )
    _error(reply, 400, "BAD_REQUEST")


def test_a_streamed_oversized_body_is_cut_off_at_the_limit(inproc: InProcess) -> None:
    taken = []

    def chunks() -> Iterator[bytes]:
        for index in range(64):
            taken.append(index)
            yield b" " * MB

    reply = call(inproc.app, "POST", "/api/2.1/jobs/create", headers=inproc.headers, body=chunks())
    _error(reply, 400, "BAD_REQUEST")
    assert len(taken) <= 12, "the server stopped reading at its 10 MB limit"


def test_inline_dbfs_contents_and_blocks_are_limited_to_1_mb(inproc: InProcess) -> None:
    big = base64.b64encode(b"x" * (MB + 1)).decode()
    put = json.dumps({"path": "/big", "contents": big}).encode()
    _error(
        call(inproc.app, "POST", "/api/2.0/dbfs/put", headers=inproc.headers, body=put),
        400,
        "MAX_BLOCK_SIZE_EXCEEDED",
    )
    block = json.dumps({"handle": 1, "data": base64.b64encode(b"x" * 2 * MB).decode()}).encode()
    _error(
        call(inproc.app, "POST", "/api/2.0/dbfs/add-block", headers=inproc.headers, body=block),
        400,
        "MAX_BLOCK_SIZE_EXCEEDED",
    )


def test_a_large_files_api_upload_streams_to_disk(inproc: InProcess) -> None:
    call(inproc.app, "PUT", "/api/2.0/fs/directories/Volumes/c/s/v", headers=inproc.headers)
    tracemalloc.start()
    try:
        reply = call(
            inproc.app, "PUT", "/api/2.0/fs/files/Volumes/c/s/v/big.bin", headers=inproc.headers,
            body=(bytes([i]) * MB for i in range(32)),
        )  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reply.status == 204, reply.body
    stored = inproc.home.storage_root / "volumes" / "c" / "s" / "v" / "big.bin"
    assert stored.stat().st_size == 32 * MB
    assert peak < 12 * MB, f"the upload was held in memory: peak {peak / MB:.1f} MB"
    assert list((inproc.home.root / "tmp").iterdir()) == []


def test_a_bug_is_a_500_whose_message_and_log_hold_no_secret(
    inproc: InProcess, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError(f"boom with Bearer {TOKEN} inside")

    monkeypatch.setattr(inproc.services.tree, "status", broken)
    with caplog.at_level(logging.ERROR, logger="brickyard.local"):
        reply = call(inproc.app, "GET", "/api/2.0/workspace/get-status", {"path": "/Users"}, inproc.headers)
    message = _error(reply, 500, "INTERNAL_ERROR")
    assert TOKEN not in message and "RuntimeError" in message and "incident" in message
    assert "boom" in caplog.text and TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("err", "fault"),
    [
        (RecursionError(), True),
        (OverflowError(), True),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates"), True),
        (OSError(36, "File name too long"), True),
        (ValueError("Exceeds the limit (4300 digits) for integer string conversion"), True),
        (KeyError("x"), False),
        (OSError(28, "No space left on device"), False),
    ],
)
def test_input_faults_are_told_from_bugs(err: BaseException, fault: bool) -> None:
    assert (guards.input_fault(err) is not None) == fault
