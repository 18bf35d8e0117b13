"""`brickyard dbt lint`: sqlfluff's dbt templater on the local engine, with the project's own rules."""

from __future__ import annotations

import json

import pytest

from brickyard.cli.main import run
from tests.dbt.shop import write_shop
from tests.deploy.conftest import Project

RULES = """
[sqlfluff]
rules = CP01
[sqlfluff:rules:capitalisation.keywords]
capitalisation_policy = lower
"""


@pytest.mark.engine
def test_lint_finds_a_planted_violation_at_its_line_with_the_projects_rules(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_shop(project.root)
    (root / "dbt/.sqlfluff").write_text(RULES)
    (root / "dbt/models/customer_report.sql").write_text(
        "select customer, total\nFROM {{ ref('customers') }}\n"  # the planted violation: FROM
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    capsys.readouterr()

    code = run(["dbt", "lint", "-o", "json"])
    out, err = capsys.readouterr()

    assert code == 1 and "sqlfluff found 1 violation(s)" in err
    (violation,) = json.loads(out)["violations"]
    assert violation["file"] == "dbt/models/customer_report.sql"
    assert (violation["line"], violation["column"], violation["code"]) == (2, 1, "CP01")
