from __future__ import annotations

import math

import pytest

from brickyard.bundle.yamlfile import parse_yaml
from brickyard.errors import BundleError


def test_scalars_follow_yaml_1_2_core_schema() -> None:
    node = parse_yaml("a: on\nb: yes\nc: true\nd: 0o17\ne: 0x1F\nf: 1.5\ng: ~\nh: '1'\ni: .inf\n", "f.yml")
    plain = node.plain()
    assert plain["a"] == "on" and plain["b"] == "yes"  # YAML 1.1 booleans stay strings
    assert plain["c"] is True
    assert plain["d"] == 15 and plain["e"] == 31
    assert plain["f"] == 1.5 and plain["g"] is None and plain["h"] == "1"
    assert math.isinf(plain["i"])


def test_every_value_knows_its_line_and_column() -> None:
    node = parse_yaml("top:\n  nested:\n    - first\n    - key: value\n", "dir/f.yml")
    item = node.value["top"].value["nested"].value[1].value["key"]
    assert str(item.loc) == "dir/f.yml:4:12"
    assert str(item.key_loc) == "dir/f.yml:4:7"


def test_numbers_keep_their_source_text() -> None:
    node = parse_yaml("v: 15.10\n", "f.yml")
    assert node.value["v"].value == 15.1 and node.value["v"].raw == "15.10"


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    with pytest.raises(BundleError) as info:
        parse_yaml("a: 1\nb: 2\na: 3\n", "f.yml")
    diag = info.value.diagnostics[0]
    assert "key 'a' is defined twice" in diag.summary and "first at line 1" in diag.summary
    assert str(diag.location) == "f.yml:3:1"


def test_merge_keys_and_anchors_expand() -> None:
    node = parse_yaml("base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3\n", "f.yml")
    assert node.plain()["derived"] == {"y": 3, "x": 1}


def test_syntax_errors_point_at_the_problem() -> None:
    with pytest.raises(BundleError) as info:
        parse_yaml("a:\n  b: [1, 2\nc: 3\n", "bad.yml")
    diag = info.value.diagnostics[0]
    assert diag.summary.startswith("invalid YAML")
    assert diag.location is not None and diag.location.file == "bad.yml" and diag.location.line == 3


def test_explicit_tags_are_honoured_and_checked() -> None:
    assert parse_yaml("a: !!str 123\n", "f.yml").plain() == {"a": "123"}
    with pytest.raises(BundleError, match="cannot read 'abc' as !!int"):
        parse_yaml("a: !!int abc\n", "f.yml")
    with pytest.raises(BundleError, match="unsupported YAML tag !Ref"):
        parse_yaml("a: !Ref x\n", "f.yml")
