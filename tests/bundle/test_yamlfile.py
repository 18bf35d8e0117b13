from __future__ import annotations

import math
import time

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


def test_a_key_written_twice_takes_the_last_value() -> None:
    node = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yml")
    assert node.plain() == {"b": 2, "a": 3}
    assert str(node.value["a"].key_loc) == "f.yml:3:1"


def test_two_merge_keys_in_one_mapping_are_an_error() -> None:
    with pytest.raises(BundleError) as info:
        parse_yaml("base: &b {x: 1}\nd:\n  <<: *b\n  <<: *b\n", "f.yml")
    diag = info.value.diagnostics[0]
    assert diag.summary == (
        "duplicate YAML merge key ('<<') is not allowed; to merge multiple maps, use a sequence: "
        "'<<: [*anchor1, *anchor2]'"
    )
    assert str(diag.location) == "f.yml:4:3"


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


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        (LAUGHS, "YAML aliases expand to more than 20000 nodes", "f.yml:4:4"),
        ("a: &a [1, *a]\n", "recursive YAML alias: an anchor contains itself", "f.yml:1:4"),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "YAML nesting is deeper than 200 levels", "f.yml:1:1"),
        (
            "".join(" " * i + f"k{i}:\n" for i in range(3000)) + " " * 3000 + "v: 1\n",
            "YAML nesting is deeper than 200 levels",
            "f.yml:1001:1",
        ),
        ("a: " + "{b: " * 300 + "1" + "}" * 300 + "\n", "YAML nesting is deeper than 200 levels", None),
        (
            "a: " + "x" * (9 * 1024 * 1024) + "\n",
            "f.yml is too large to be a bundle configuration",
            "f.yml:1:1",
        ),
    ],
    ids=["billion laughs", "recursive alias", "deep flow", "deep block", "deep mapping", "huge file"],
)
def test_hostile_yaml_fails_fast_with_a_location(text: str, message: str, where: str | None) -> None:
    started = time.monotonic()
    with pytest.raises(BundleError) as info:
        parse_yaml(text, "f.yml")
    assert time.monotonic() - started < 3
    diag = info.value.diagnostics[0]
    assert message in diag.summary
    if where:
        assert str(diag.location) == where
