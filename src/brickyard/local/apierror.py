"""The Databricks error shape, raised anywhere in the local workspace server.

The SDK turns `{"error_code": …, "message": …}` plus the HTTP status into its typed exceptions
(`NotFound`, `ResourceAlreadyExists`, `InvalidParameterValue`, …), first by error code, then by
status. Stores and routes raise `ApiError`; the app renders it. It carries no FastAPI types so the
storage layer stays importable without the web stack.

The codes and messages copy what a real workspace answers where clients depend on them: for
example the SDK maps `400 INVALID_PARAMETER_VALUE "Job 1 does not exist."` on `jobs/get` to
`ResourceDoesNotExist`, and the Databricks CLI creates a missing parent folder only after a 404.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        retry_after: float | None = None,
        missing: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.missing = status == 404 if missing is None else missing
        """What was named does not exist, whatever status the API words that with (jobs say 400)."""
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}

    @classmethod
    def invalid(cls, message: str) -> ApiError:
        return cls(400, "INVALID_PARAMETER_VALUE", message)

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, "BAD_REQUEST", message)

    @classmethod
    def invalid_state(cls, message: str) -> ApiError:
        return cls(400, "INVALID_STATE", message)

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        return cls(404, "RESOURCE_DOES_NOT_EXIST", message)

    @classmethod
    def invalid_missing(cls, message: str) -> ApiError:
        """A 400 INVALID_PARAMETER_VALUE that means "does not exist", as the Jobs API answers."""
        return cls(400, "INVALID_PARAMETER_VALUE", message, missing=True)

    @classmethod
    def already_exists(cls, message: str) -> ApiError:
        return cls(409, "RESOURCE_ALREADY_EXISTS", message)

    @classmethod
    def conflict(cls, message: str) -> ApiError:
        return cls(409, "RESOURCE_CONFLICT", message)

    @classmethod
    def permission_denied(cls, message: str) -> ApiError:
        return cls(403, "PERMISSION_DENIED", message)

    @classmethod
    def unauthenticated(cls, message: str) -> ApiError:
        return cls(401, "UNAUTHENTICATED", message)

    @classmethod
    def not_implemented(cls, message: str) -> ApiError:
        return cls(501, "NOT_IMPLEMENTED", message)
