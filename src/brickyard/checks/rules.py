"""Reading the declared checks: `checks:` in brickyard.yml plus one file per table under `checks/`."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from brickyard.bundle.yamlfile import read_yaml
from brickyard.checks.model import ChecksSettings, TableFile, TableRules
from brickyard.errors import BundleError, UsageError
from brickyard.settings import validation_diagnostic


def table_rules(root: Path, settings: ChecksSettings) -> dict[str, TableRules]:
    rules = dict(settings.tables)
    folder = root / settings.directory
    for file in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        display = f"{settings.directory}/{file.name}"
        tree = read_yaml(file, display)
        try:
            parsed = TableFile.model_validate(tree.plain())
        except ValidationError as err:
            raise BundleError([validation_diagnostic(tree, error) for error in err.errors()]) from None
        if parsed.table in rules:
            raise UsageError(f"{file}: checks for {parsed.table} are also declared elsewhere")
        rules[parsed.table] = TableRules(**parsed.model_dump(exclude={"table"}))
    return rules


def select(rules: dict[str, TableRules], wanted: Sequence[str]) -> dict[str, TableRules]:
    if not wanted:
        return rules
    chosen = {t: r for t, r in rules.items() if any(fnmatch.fnmatchcase(t, w) for w in wanted)}
    missing = [w for w in wanted if not any(fnmatch.fnmatchcase(t, w) for t in rules)]
    if missing:
        raise UsageError(f"no checks declared for {', '.join(missing)}")
    return chosen
