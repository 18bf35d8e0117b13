from __future__ import annotations

import time

from brickyard.bundle.interpolate import REFERENCE, parse_reference, references, to_text


def test_reference_grammar_matches_the_cli() -> None:
    assert references("${var.a} and ${var.b_c[0]} and ${resources.jobs.my-job.id}") == [
        "var.a",
        "var.b_c[0]",
        "resources.jobs.my-job.id",
    ]
    assert references("${var.} ${1abc} ${var.a-} {{job.id}}") == []
    assert parse_reference("var.cfg.nodes[2].name") == ("var", "cfg", "nodes", 2, "name")


def test_long_non_references_do_not_backtrack() -> None:
    # A pattern with ambiguous repetition took seconds on strings like this one.
    text = "${workspace.current_user.userNameIsAVeryLongIdentifierWithoutEnd " * 20
    started = time.perf_counter()
    assert REFERENCE.search(text) is None
    assert time.perf_counter() - started < 0.5


def test_values_become_text_like_the_cli_prints_them() -> None:
    assert to_text(True) == "true" and to_text(3.0) == "3" and to_text(None) == "" and to_text(1.5) == "1.5"
