"""The registry is the one place that knows resource kinds by name."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

import brickyard
from brickyard.bundle import LoadOptions, load_bundle
from brickyard.bundle.node import Node
from brickyard.bundle.resolve import InvalidBundle
from brickyard.bundle.schema import KNOWN_KINDS, definitions
from brickyard.errors import Diagnostic, Severity
from brickyard.resources import REGISTRY, Kind, Registry

SRC = Path(brickyard.__file__).parent

# Modules outside the registry that still compare against a kind's name, each with why. The local
# workspace implements the REST API (its routes and stores are the API's objects, not bundle
# kinds), and the pipelines executor never sees a bundle. The scan report names its `secrets`
# scanner, which shares the word with the `secrets` kind, and so does the scan command.
_NOT_SCANNED = ("resources/", "local/", "pipelines/", "scan/report.py", "scan/run.py")


def _kind_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KNOWN_KINDS:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [n for item in node.elts for n in _kind_names(item)]
    return []


def _conditionals_naming_kinds(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found += [f"{where}:{node.lineno} {n}" for n in _kind_names(operand)]
        elif isinstance(node, ast.MatchValue):
            found += [f"{where}:{node.lineno} {n}" for n in _kind_names(node.value)]
    return found


def test_no_module_outside_the_registry_names_a_kind_in_a_conditional() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(_NOT_SCANNED):
            continue
        offenders += _conditionals_naming_kinds(path)
    assert offenders == []


def test_the_scan_sees_comparisons_and_matches_on_a_kind(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(kind):\n"
        "    if kind.name in ('jobs', 'x'):\n"
        "        return 1\n"
        "    match kind:\n"
        "        case 'apps':\n"
        "            return 2\n"
        "    return kind == 'volumes'\n"
    )
    found = [line.split(" ", 1)[1] for line in _conditionals_naming_kinds(probe, tmp_path)]
    assert sorted(found) == ["apps", "jobs", "volumes"]


def test_every_registered_kind_declares_itself_and_ranks_after_what_it_references() -> None:
    ranks = {k.name: k.rank for k in REGISTRY}
    assert list(ranks.values()) == sorted(ranks.values())
    for kind in REGISTRY:
        assert kind.name in KNOWN_KINDS and kind.label
        assert all(ranks[d] < kind.rank for d in kind.depends_on if d in ranks)
        assert kind.schema_root is not None


def test_the_schema_describes_every_registered_kind_and_only_warns_for_the_rest() -> None:
    resources = definitions()["bundle.Resources"]
    for kind in REGISTRY:
        assert resources[kind.name] == {"map": f"bundle.resource.{kind.name}"}
        fields = definitions()[f"bundle.resource.{kind.name}"]
        assert ("permissions" in fields) == bool(kind.permission_type)
        assert ("grants" in fields) == bool(kind.grants_securable)
    # kinds not deployed are accepted as written, except the few whose shape validate still checks
    assert resources["models"] == {"map": "bundle.resource.models"}
    assert all(resources[k] == "any" for k in KNOWN_KINDS if k not in REGISTRY and k != "models")


class _Early(Kind):
    name = "early"
    label = "early one"
    rank = 1
    depends_on = ("jobs",)


def test_a_kind_that_references_a_later_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="early depends on jobs"):
        REGISTRY.with_kinds([_Early])


def test_two_kinds_with_one_name_are_refused() -> None:
    twin: Any = type("Twin", (Kind,), {"name": "jobs", "label": "twin"})
    with pytest.raises(ValueError, match="distinct names"):
        Registry((*REGISTRY.kinds, twin))


def test_path_fields_reach_into_lists_and_leave_the_rest() -> None:
    from brickyard.resources.base import map_paths

    config = {"tasks": [{"nb": {"path": "a"}}, {"other": 1}], "keep": "x"}
    changed = map_paths(config, "tasks[].nb.path", lambda value: f"/ws/{value}")
    assert changed == {"tasks": [{"nb": {"path": "/ws/a"}}, {"other": 1}], "keep": "x"}
    assert config["tasks"][0] == {"nb": {"path": "a"}}


class _Memo(Kind):
    """A kind only this test knows, declaring the bundle's side of itself."""

    name = "memos"
    label = "memo"
    rank = 95
    bundle_defaults: ClassVar[Mapping[str, Any]] = {"status": "DRAFT"}
    inherits_run_as = True
    inherits_permissions = True
    permission_levels: ClassVar[Mapping[str, str]] = {"CAN_VIEW": "CAN_READ"}

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        text = resource.get("text")
        if text is None or not text.value:
            diags.append(
                Diagnostic(Severity.ERROR, f"memo {key} has no text", f"resources.memos.{key}", resource.loc)
            )


def test_validate_fills_and_checks_a_kind_by_what_the_registry_declares(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text(
        "bundle: {name: memo}\n"
        "run_as: {service_principal_name: robot}\n"
        "permissions:\n"
        "  - {level: CAN_VIEW, group_name: readers}\n"
        "  - {level: CAN_RUN, group_name: runners}\n"
        "resources:\n"
        "  memos:\n"
        "    written: {text: hello}\n"
    )
    registry = REGISTRY.with_kinds([_Memo])
    bundle = load_bundle(tmp_path, LoadOptions(registry=registry, environ={}))
    memo = bundle.config.plain()["resources"]["memos"]["written"]
    assert memo["status"] == "DRAFT"
    assert memo["run_as"] == {"service_principal_name": "robot"}
    assert memo["permissions"] == [{"level": "CAN_READ", "group_name": "readers"}]

    (tmp_path / "databricks.yml").write_text("bundle: {name: memo}\nresources:\n  memos:\n    empty: {}\n")
    with pytest.raises(InvalidBundle) as raised:
        load_bundle(tmp_path, LoadOptions(registry=registry, environ={}))
    [error] = [d for d in raised.value.diagnostics if d.severity is Severity.ERROR]
    assert error.summary == "memo empty has no text"
    assert error.location is not None and error.location.file.endswith("databricks.yml")
    assert error.location.line == 4
