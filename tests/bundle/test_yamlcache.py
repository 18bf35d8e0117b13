"""Parsed bundle YAML is remembered by content: the same tree as the parser's, and never a stale one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from brickyard.bundle import yamlcache
from brickyard.bundle.node import Node
from brickyard.bundle.yamlcache import CACHE, encode_node, read_yaml
from brickyard.bundle.yamlfile import parse_yaml
from brickyard.errors import BundleError

EVERYTHING = """\
bundle: {name: "cached ✓", version: 15.10}
defaults: &defaults
  retries: 3
  ratio: .inf
  missing: .nan
  on: yes
  quoted: "007"
  empty:
  flag: true
  big: 123456789012345678901234567890
resources:
  jobs:
    a:
      <<: *defaults
      retries: 1
      tags: [x, 'y', 2.50, null, {k: v}]
      text: |
        two
        lines
"""


def _tree(node: Node) -> str:
    """The whole tree with every location and source text (NaN compared as text)."""
    return json.dumps(encode_node(node), default=str)


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str, display: str) -> Node:
        raise AssertionError(f"{display} was parsed again")

    monkeypatch.setattr("brickyard.bundle.yamlfile.parse_yaml", fail)


def test_a_remembered_file_is_the_tree_the_parser_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "resources/jobs.yml", EVERYTHING)
    first = read_yaml(path, "resources/jobs.yml")
    assert _tree(first) == _tree(parse_yaml(EVERYTHING, "resources/jobs.yml"))
    (entry,) = (tmp_path / CACHE).iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / CACHE.parent / ".gitignore").read_text() == "*\n"  # git never lists the cache

    _no_parser(monkeypatch)
    again = read_yaml(path, "resources/jobs.yml")
    assert _tree(again) == _tree(first)
    assert again.value["bundle"].value["version"].raw == "15.10"
    assert again.value["defaults"].anchored and not again.value["resources"].anchored
    assert (
        str(again.value["resources"].value["jobs"].value["a"].value["tags"].loc) == "resources/jobs.yml:16:13"
    )


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    path = _write(tmp_path, "databricks.yml", "bundle: {name: one}\n")
    assert read_yaml(path, "databricks.yml").plain() == {"bundle": {"name": "one"}}
    path.write_text("bundle: {name: two}\n", encoding="utf-8")
    assert read_yaml(path, "databricks.yml").plain() == {"bundle": {"name": "two"}}
    os.utime(path, (0, 0))  # content, not the modification time, decides
    path.write_text("bundle: {name: six}\n", encoding="utf-8")
    os.utime(path, (0, 0))
    assert read_yaml(path, "databricks.yml").plain() == {"bundle": {"name": "six"}}


def test_a_changed_parser_is_not_served_what_the_old_one_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "databricks.yml", "bundle: {name: one}\n")
    read_yaml(path, "databricks.yml")
    monkeypatch.setattr(yamlcache, "_parser_stamp", lambda: "another parser")
    parsed: list[str] = []
    monkeypatch.setattr(
        "brickyard.bundle.yamlfile.parse_yaml", lambda text, display: parsed.append(display) or Node({})
    )
    assert read_yaml(path, "databricks.yml").value == {} and parsed == ["databricks.yml"]


def test_invalid_yaml_is_never_remembered_and_always_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "databricks.yml", "bundle:\n  name: [x\n")
    for _ in range(2):
        with pytest.raises(BundleError) as caught:
            read_yaml(path, "databricks.yml")
        assert "databricks.yml:" in str(caught.value) and "invalid YAML" in str(caught.value)
    assert not (tmp_path / CACHE).exists()


def test_a_damaged_cache_entry_is_parsed_around(tmp_path: Path) -> None:
    path = _write(tmp_path, "databricks.yml", "bundle: {name: one}\n")
    read_yaml(path, "databricks.yml")
    (entry,) = (tmp_path / CACHE).iterdir()
    doc = json.loads(entry.read_text())
    for damaged in ("{not json", json.dumps({**doc, "value": [{"m": [["bundle"]]}, 1]})):
        entry.write_text(damaged)
        assert read_yaml(path, "databricks.yml").plain() == {"bundle": {"name": "one"}}


def test_files_outside_the_root_and_missing_files_take_the_parser_path(tmp_path: Path) -> None:
    outside = _write(tmp_path, "shared/common.yml", "x: 1\n")
    root = tmp_path / "bundle"
    root.mkdir()
    assert read_yaml(outside, "../shared/common.yml").plain() == {"x": 1}
    assert not (root / CACHE).exists() and not (tmp_path / "shared" / CACHE).exists()
    with pytest.raises(BundleError, match=r"file not found: databricks\.yml"):
        read_yaml(root / "databricks.yml", "databricks.yml")
