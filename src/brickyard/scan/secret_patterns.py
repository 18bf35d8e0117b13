"""Credentials detect-secrets does not know: Databricks' own token formats.

A value found here is never kept: the scanner records its type, where it is, a SHA-1 of it (the
detect-secrets baseline's way of naming an accepted secret without storing it) and at most a
hint made of its well-known prefix.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("databricks-token", "Databricks personal access token", re.compile(r"\bdapi[0-9a-f]{32}(-\d)?\b")),
    ("databricks-oauth-secret", "Databricks OAuth secret", re.compile(r"\bdose[0-9a-f]{32}\b")),
    ("databricks-sp-token", "Databricks service principal token", re.compile(r"\bdkea[0-9a-f]{32}\b")),
    ("databricks-sql-token", "Databricks SQL token", re.compile(r"\bdsapi[0-9a-f]{32}\b")),
)
# Prefixes that say what a token is without saying anything about its secret part.
_PUBLIC_PREFIXES = (
    "dapi",
    "dose",
    "dkea",
    "dsapi",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghs_",
    "xoxb",
    "xoxp",
    "sk-",
    "-----BEGIN",
)


@dataclass(frozen=True)
class Match:
    rule: str
    label: str
    line: int
    hashed: str
    hint: str


def hashed(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()


def hint(value: str) -> str:
    """A masked hint: the public prefix of a known token type and the length, never the secret part."""
    for prefix in _PUBLIC_PREFIXES:
        if value.startswith(prefix):
            return f"{prefix}… ({len(value)} characters)"
    return f"*** ({len(value)} characters)"


def find(text: str) -> list[Match]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for rule, label, pattern in PATTERNS:
            for match in pattern.finditer(line):
                value = match.group(0)
                found.append(Match(rule, label, number, hashed(value), hint(value)))
    return found
