"""Credentials for the code a run executes: one token per run, valid only while the run is active.

Task code talks to the workspace through `DATABRICKS_TOKEN`, as it would on Databricks, where a
notebook gets a short-lived context token rather than its owner's personal token. Here each job run
and each pipeline update gets a token of its own when it starts; the server's front door accepts it
next to the workspace token, and forgets it when the run ends. A token that leaks from a task (a
printed environment, a log, a file it wrote) is worthless once the run is over, and no task ever
sees the workspace token that `local up` wrote to `~/.databrickscfg`.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

PREFIX = "dkea"
"""Unlike the workspace token's `dapi`, so a reader of a log can tell the two apart."""


class RunTokens:
    def __init__(self, master: str) -> None:
        self._master = master
        self._lock = threading.Lock()
        self._active: dict[str, str] = {}
        """token -> what it was issued for (`run 42`, `pipeline update …`), for the server log."""

    def issue(self, holder: str) -> str:
        token = PREFIX + secrets.token_hex(20)
        with self._lock:
            self._active[token] = holder
        return token

    def revoke(self, token: str) -> None:
        with self._lock:
            self._active.pop(token, None)

    @contextmanager
    def scoped(self, holder: str) -> Iterator[str]:
        """A token for the duration of the `with` block."""
        token = self.issue(holder)
        try:
            yield token
        finally:
            self.revoke(token)

    def accepts(self, token: str) -> bool:
        """The workspace token, or the token of a run that is still active."""
        if hmac.compare_digest(token.encode(), self._master.encode()):
            return True
        with self._lock:
            return token in self._active

    def active(self) -> int:
        with self._lock:
            return len(self._active)
