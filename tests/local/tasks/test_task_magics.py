"""`%run` arguments and the `%pip`/`%sh` magics, without an engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickyard.errors import TaskError
from brickyard.local.tasks import magics


def _no_wheels(wheels: list[Path]) -> None:
    raise AssertionError(f"nothing should be installed, got {wheels}")


def test_run_arguments_parse_like_databricks() -> None:
    assert magics.parse_run('./other $a=1 $b="two words"') == ("./other", {"a": "1", "b": "two words"})
    assert magics.parse_run('"../with space/nb"') == ("../with space/nb", {})
    with pytest.raises(TaskError, match=r"\$name=value"):
        magics.parse_run("./x a=1")


def test_pip_install_of_installed_packages_is_a_no_op(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements = tmp_path / "req.txt"
    requirements.write_text("pyyaml>=5  # comment\n--index-url https://example.invalid\n")

    magics.pip("install --quiet pyyaml 'databricks-sdk>=0.1' -r req.txt", lambda p: tmp_path / p, _no_wheels)

    assert "already satisfied" in capsys.readouterr().out


def test_pip_install_of_missing_packages_fails_naming_them() -> None:
    with pytest.raises(TaskError, match=r"cannot download.*not-a-real-package-xyz, pyyaml<1"):
        magics.pip("install pyyaml not-a-real-package-xyz 'pyyaml<1'", Path, _no_wheels)
    with pytest.raises(TaskError, match="only install, list, freeze"):
        magics.pip("uninstall pyyaml", Path, _no_wheels)


def test_pip_install_of_a_wheel_file_installs_it(tmp_path: Path) -> None:
    wheel = tmp_path / "Volumes/main/libs/pkg/tool-1.0-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"a wheel")
    installed: list[list[Path]] = []

    magics.pip(
        "install /Volumes/main/libs/pkg/tool-1.0-py3-none-any.whl pyyaml",
        lambda p: tmp_path / p.lstrip("/"),
        installed.append,
    )

    assert installed == [[wheel]]
    with pytest.raises(TaskError, match=r"nope-1\.0-py3-none-any\.whl does not exist"):
        magics.pip(
            "install /Volumes/nope-1.0-py3-none-any.whl", lambda p: tmp_path / p.lstrip("/"), _no_wheels
        )


def test_pip_requirements_with_an_unmet_marker_are_skipped() -> None:
    assert magics.unsatisfied(['missing-pkg-abc; python_version < "3.0"', "missing-pkg-abc"]) == [
        "missing-pkg-abc"
    ]


def test_sh_runs_in_the_given_folder_and_fails_on_a_non_zero_exit(tmp_path: Path) -> None:
    magics.sh("touch made-here", tmp_path)
    assert (tmp_path / "made-here").exists()
    with pytest.raises(TaskError, match="exited with code 3"):
        magics.sh("exit 3", tmp_path)


def test_pip_install_of_missing_packages_installs_them_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    from brickyard.local.tasks.libraries import add_packages
    from tests.deps.wheels import make_wheel

    links = tmp_path / "links"
    make_wheel(links, "brickyard-pip-probe", "4.2", requires=["brickyard-pip-dep"])
    make_wheel(links, "brickyard-pip-dep", "1.0")
    monkeypatch.setenv("BRICKYARD_FIND_LINKS", str(links))
    monkeypatch.setattr(sys, "path", list(sys.path))

    magics.pip(
        "install brickyard-pip-probe==4.2",
        Path,
        _no_wheels,
        lambda packages: add_packages(tmp_path / "cache", packages),
    )

    assert importlib.import_module("brickyard_pip_probe").VERSION == "4.2"
    assert importlib.import_module("brickyard_pip_dep").VERSION == "1.0"
    [folder] = (tmp_path / "cache" / "packages").iterdir()
    assert any(folder.rglob("*.pyc"))  # compiled once, at install
    for name in ("brickyard_pip_probe", "brickyard_pip_dep"):
        sys.modules.pop(name, None)
