"""Whether a setting's name says it holds a credential: `password`, `client_secret`, `api_key`,
`DB_PASSWORD`, `fs.azure.account.key.<account>`. Shared by the bundle checks and the local worker,
so it imports nothing heavy."""

from __future__ import annotations

import functools
import re

_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "credential", "credentials"})
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "account", "master", "storage", "sas", "signing"}
)
_NOT_SECRETS = frozenset({"scope", "name", "path", "id", "file", "url", "type", "enabled", "key", "keys"})
_NOT_CREDENTIAL_TOKENS = frozenset({"idempotency", "page", "pagination", "continuation"})
"""Tokens that identify a request or a page of results (`idempotency_token`), not a caller."""


@functools.lru_cache(maxsize=4096)
def names_credential(key: str) -> bool:
    words = [w for w in re.split(r"[^a-z0-9]+", _split_camel(key).lower()) if w]
    if not words or words[-1] in _NOT_SECRETS - {"key"}:
        return False
    if words[-1] == "token" and len(words) > 1 and words[-2] in _NOT_CREDENTIAL_TOKENS:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    for index, word in enumerate(words):
        if word == "key" and index > 0 and words[index - 1] in _KEY_QUALIFIERS:
            return True
        if word in ("apikey", "accesskey", "secretkey", "privatekey"):
            return True
    return False


def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
