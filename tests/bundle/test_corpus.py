"""Small bundles, one per rule of `databricks bundle validate`, with the output expected of each.

Each directory under `corpus/` is a bundle; `args` (optional) holds extra command-line arguments,
`expected.json` what `validate -o json` prints on stdout, `expected.txt` (optional) what text mode
prints, and `exit` (optional) the exit code when it is not 0. The bundle is copied out of this
repository first, so it is validated outside git as a user's fresh directory would be.

`UPDATE_CORPUS=1 pytest tests/bundle/test_corpus.py` rewrites the expected files; review
the diff against the documented behaviour before committing it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path

import pytest

from brickyard.cli.main import run

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
_EXPECTED = {"expected.json", "expected.txt", "args", "exit"}


def _bundle(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    source = CORPUS / case
    root = tmp_path / "bundle"
    shutil.copytree(source, root, ignore=lambda _d, names: [n for n in names if n in _EXPECTED])
    monkeypatch.chdir(root)
    args = source / "args"
    return source, shlex.split(args.read_text()) if args.is_file() else []


def _check(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_CORPUS") == "1":
        path.write_text(actual)
    assert actual == path.read_text()


@pytest.mark.parametrize("case", CASES)
def test_json_output_matches(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, args = _bundle(case, tmp_path, monkeypatch)
    code = run(["validate", *args, "-o", "json"])
    out = capsys.readouterr().out
    document = json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n" if out.strip() else ""
    _check(source / "expected.json", document)
    assert code == (int((source / "exit").read_text()) if (source / "exit").is_file() else 0)


@pytest.mark.parametrize("case", [c for c in CASES if (CORPUS / c / "expected.txt").is_file()])
def test_text_output_matches(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, args = _bundle(case, tmp_path, monkeypatch)
    run(["validate", *args])
    _check(source / "expected.txt", capsys.readouterr().out)
