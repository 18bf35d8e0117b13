"""Fault rules: parsing, matching, counting."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from brickyard.errors import LocalWorkspaceError
from brickyard.local.faults import FaultTable, load_rules, parse_rules


def test_rule_fires_count_times_then_expires() -> None:
    table = FaultTable(parse_rules({"rules": [{"path": "^/api/2.0/x$", "status": 503, "count": 2}]}))
    hits = [table.match("GET", "/api/2.0/x") for _ in range(3)]
    assert [r is not None for r in hits] == [True, True, False]


def test_rule_matches_method_and_regex_only() -> None:
    table = FaultTable(parse_rules([{"path": "jobs/runs/get", "method": "get", "status": 429}]))
    assert table.match("POST", "/api/2.2/jobs/runs/get") is None
    assert table.match("GET", "/api/2.2/jobs/list") is None
    rule = table.match("GET", "/api/2.2/jobs/runs/get")
    assert rule is not None and rule.code == "REQUEST_LIMIT_EXCEEDED"


def test_count_is_exact_under_concurrent_requests() -> None:
    table = FaultTable(parse_rules([{"path": ".", "status": 500, "count": 50}]))
    fired: list[bool] = []

    def hammer() -> None:
        for _ in range(40):
            fired.append(table.match("GET", "/a") is not None)

    threads = [threading.Thread(target=hammer) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 50


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"status": 503}, "needs a `path`"),
        ({"path": "(", "status": 503}, "not a valid regex"),
        ({"path": "x"}, "needs a status, a delay"),
        ({"path": "x", "status": 503, "colour": "red"}, "unknown fault rule field"),
        ({"path": "x", "status": 999}, "not an HTTP status"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rules([rule])


def test_rule_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "faults.json"
    bad.write_text('{"rules": [')
    with pytest.raises(LocalWorkspaceError, match=r"faults.json:1:\d+: invalid JSON"):
        load_rules(bad)
    bad.write_text(json.dumps({"rules": [{"path": "x"}]}))
    with pytest.raises(LocalWorkspaceError, match="fault rule 0"):
        load_rules(bad)
