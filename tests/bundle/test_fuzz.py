"""A seeded, bounded fuzzer: mutations of a valid bundle must give a verdict, never a crash.

Each case mutates the text or the structure of a valid `databricks.yml` and runs `validate` in
process, in text and JSON mode. Whatever the input, the exit code is 0 or 1, nothing escapes as an
internal error or a traceback, and each case finishes well within a time bound. The seed is fixed
so a failure reproduces; the case number is in the failure message.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from brickyard.cli.main import run

VALID = """\
bundle:
  name: fuzz
variables:
  catalog:
    default: main
  cluster:
    type: complex
    default:
      spark_version: 15.4.x-scala2.12
      num_workers: 1
x-tags: &tags
  team: data
resources:
  jobs:
    etl:
      name: etl ${var.catalog}
      tags:
        <<: *tags
      job_clusters:
        - job_cluster_key: main
          new_cluster: ${var.cluster}
      tasks:
        - task_key: ingest
          job_cluster_key: main
          spark_python_task:
            python_file: ./main.py
        - task_key: report
          depends_on: [{task_key: ingest}]
          notebook_task: {notebook_path: ./nb.py}
  pipelines:
    dlt:
      name: dlt
      clusters: [{label: default, num_workers: 2}]
      libraries: [{file: {path: ./main.py}}]
permissions:
  - level: CAN_VIEW
    group_name: analysts
targets:
  dev:
    mode: development
    default: true
  prod:
    mode: production
    workspace:
      root_path: /Workspace/Shared/${bundle.name}
"""

CASES = 80
SECONDS_PER_CASE = 2.0
_TOKENS = (
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!int ",
    "|",
    ">",
    "'",
    '"',
    "#",
    "\t",
    "${",
    "${var.",
    "${var.catalog}",
    "${resources.jobs.etl.id}",
    "<<: *tags",
    "~",
    "null",
    "\\",
    "%",
    "@",
    "é",
    "\x00",
    str(2**80),
    "-" + str(2**80),
    "1e400",
    "x" * 5000,
    "${var.a_${var.catalog}}",
)
_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**80,
    1.5,
    float("inf"),
    "",
    "x" * 10_000,
    "${var.missing}",
    "${var.catalog}",
    "${resources.jobs.etl.name}",
    "${bundle.target}",
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": None}},
    "CAN_VIEW",
    "development",
    "../../outside.py",
    "/Workspace/x",
    "ünïcode",
    "*",
    "DEFAULT",
)


def _mutate_text(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[at]
        elif op == 1 and lines:
            lines.insert(at, lines[at])
        elif op == 2 and lines:
            line = lines[at]
            cut = rng.randint(0, len(line))
            lines[at] = line[:cut] + rng.choice(_TOKENS) + line[cut:]
        elif op == 3 and lines:
            lines[at] = " " * rng.randint(0, 9) + lines[at].lstrip()
        elif op == 4:
            other = rng.randrange(len(lines)) if lines else 0
            if lines:
                lines[at], lines[other] = lines[other], lines[at]
        else:
            return "\n".join(lines)[: rng.randint(0, len(text))]
    return "\n".join(lines)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _mutate_structure(rng: random.Random) -> str:
    doc = yaml.safe_load(VALID)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(doc)[1:])
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if rng.random() < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(_VALUES)
    return yaml.safe_dump(doc, allow_unicode=True)


@pytest.fixture(scope="module")
def inputs() -> list[str]:
    rng = random.Random(20261202)
    return [_mutate_text(VALID, rng) if rng.random() < 0.6 else _mutate_structure(rng) for _ in range(CASES)]


def test_validate_never_crashes_on_mutated_bundles(
    inputs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Imports and first-use set-up are not the inputs' doing: pay for them before timing anything.
    warm = tmp_path / "warm"
    warm.mkdir()
    (warm / "databricks.yml").write_text(VALID)
    monkeypatch.chdir(warm)
    run(["validate", "-o", "json"])
    capsys.readouterr()
    for number, text in enumerate(inputs):
        case = tmp_path / str(number)
        case.mkdir()
        (case / "databricks.yml").write_text(text, encoding="utf-8", errors="surrogatepass")
        (case / "main.py").write_text("print(1)\n")
        (case / "nb.py").write_text("# Databricks notebook source\nprint(1)\n")
        monkeypatch.chdir(case)
        modes = (["validate", "-o", "json"], ["validate", "-t", "prod"])
        for args in (modes[number % 2],):
            started = time.process_time()  # CPU time: the machine's other load is not the input's
            code = run(args)
            elapsed = time.process_time() - started
            out = capsys.readouterr()
            said = out.out + out.err
            assert code in (0, 1), f"case {number} {args}: exit {code}\n{said[-2000:]}\n---\n{text}"
            assert "internal error" not in said and "Traceback" not in said, (
                f"case {number} {args}:\n{said[-2000:]}\n---\n{text}"
            )
            assert elapsed < SECONDS_PER_CASE, f"case {number} {args} took {elapsed:.1f}s\n---\n{text}"
