"""One statement or metadata call of a Thrift session, from ExecuteStatement to CloseOperation.

Its own module so that the warehouses (`service`), which keep operations by handle, and the Thrift
handler (`thrift_service`), which runs them, both name it without importing each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.local.sql.errors import SqlError

if TYPE_CHECKING:
    import pyarrow as pa

    from brickyard.local.sql.session import SqlSession


@dataclass
class Operation:
    session: SqlSession
    arrow_types: Any = None
    state: str = "PENDING"
    table: pa.Table | None = None
    original: pa.Schema | None = None
    error: SqlError | None = None
    offset: int = 0
    modified: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
