"""Workspace uploads that wait out throttling, as every other workspace call already does.

The SDK retries 429 and 503 answers (honouring Retry-After) for JSON requests, but not for
`workspace.upload`: its multipart body is not a stream it can rewind, so an upload throttled once
failed the whole deploy (or left a lock or a state file unwritten). `RetryingWorkspace` keeps the
bytes and sends them again after the wait the workspace asked for, until the client's retry
timeout runs out. Any other error is raised at once, as before.
"""

from __future__ import annotations

import io
import time
from typing import Any, BinaryIO

from databricks.sdk.mixins.workspace import WorkspaceExt

DEFAULT_WAIT = 1.0
MAX_WAIT = 60.0


class RetryingWorkspace(WorkspaceExt):
    def upload(self, path: str, content: bytes | BinaryIO, **kwargs: Any) -> None:
        data = content if isinstance(content, bytes) else content.read()
        timeout = float(getattr(self._api._cfg, "retry_timeout_seconds", None) or 300)
        retry(lambda: super(RetryingWorkspace, self).upload(path, io.BytesIO(data), **kwargs), timeout)


def retry(call: Any, timeout: float, sleep: Any = time.sleep) -> Any:
    """`call()`, again after each 429 or 503 answer, waiting as long as it said, within `timeout`."""
    from databricks.sdk.errors import TemporarilyUnavailable, TooManyRequests

    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except (TooManyRequests, TemporarilyUnavailable) as err:
            wait = min(float(err.retry_after_secs or DEFAULT_WAIT), MAX_WAIT)
            if time.monotonic() + wait > deadline:
                raise
            sleep(wait)
