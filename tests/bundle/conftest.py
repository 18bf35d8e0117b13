"""Helpers for bundle tests: write a bundle's files, load it, get its diagnostics."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from brickyard.bundle import Bundle, LoadOptions, load_bundle
from brickyard.errors import BundleError, Diagnostic, Severity

NOTEBOOK = "# Databricks notebook source\nprint('hello')\n"

Files = dict[str, str]


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Files], Path]:
    """Write files (dedented) below a fresh bundle directory and return it."""

    def _write(files: Files) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return tmp_path

    return _write


def load(
    root: Path, target: str | None = None, env: dict[str, str] | None = None, **variables: str
) -> Bundle:
    return load_bundle(root, LoadOptions(target=target, variables=variables, environ=env or {}))


def errors(
    root: Path, target: str | None = None, env: dict[str, str] | None = None, **variables: str
) -> list[Diagnostic]:
    with pytest.raises(BundleError) as info:
        load(root, target, env, **variables)
    return [d for d in info.value.diagnostics if d.severity is Severity.ERROR]


def only_error(root: Path, target: str | None = None, **variables: Any) -> Diagnostic:
    found = errors(root, target, **variables)
    assert len(found) == 1, [d.render() for d in found]
    return found[0]
