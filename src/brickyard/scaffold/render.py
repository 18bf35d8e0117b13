"""Writing a template into a new folder: answers gathered, placeholders filled, nothing overwritten."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from brickyard.errors import BrickyardError, UsageError
from brickyard.scaffold.catalog import Template

PLACEHOLDER = re.compile(r"<<([a-z_]+)>>")
COMMON = "_common"

Ask = Callable[[str, str], str]
"""(prompt, default) -> answer; only called for values neither given nor defaulted by --no-input."""


def answers_for(template: Template, given: Mapping[str, Any], ask: Ask | None) -> dict[str, str]:
    unknown = sorted(set(given) - {q.name for q in template.questions})
    if unknown:
        raise UsageError(
            f"unknown value{'s' if len(unknown) > 1 else ''} for {template.name}: {', '.join(unknown)}"
        )
    answers: dict[str, str] = {}
    for question in template.questions:
        if question.name in given:
            value = str(given[question.name])
        elif ask is None:
            value = question.default_for(answers)
        else:
            value = ask(question.prompt, question.default_for(answers))
        answers[question.name] = question.validate(value)
    return answers


def render(template: Template, answers: dict[str, str], dest: Path) -> list[Path]:
    """Write the project into `dest` (which must not exist or be empty); returns the files written."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BrickyardError(f"{dest} already exists and is not empty; choose another name")
    files = _files(template.name)
    written: list[Path] = []
    for relative, source in sorted(files.items()):
        target = dest / _path(relative, answers)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        if relative.endswith(".tmpl"):
            data = _fill(data.decode("utf-8"), answers, relative).encode("utf-8")
        target.write_bytes(data)
        if target.suffix == ".sh":
            target.chmod(0o755)
        written.append(target)
    return written


def _files(name: str) -> dict[str, Any]:
    root = resources.files("brickyard.scaffold") / "templates"
    found: dict[str, Any] = {}
    for folder in (COMMON, name):  # the template's own files win over the common ones
        found.update(_walk(root / folder, ""))
    return found


def _walk(folder: Any, prefix: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entry in folder.iterdir():
        if entry.name in ("__pycache__",):
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.update(_walk(entry, relative + "/"))
        else:
            found[relative] = entry
    return found


def _path(relative: str, answers: dict[str, str]) -> str:
    parts = []
    for part in relative.removesuffix(".tmpl").split("/"):
        part = part.replace("__project__", answers["project_name"])
        part = part.replace("__package__", answers.get("package_name", answers["project_name"]))
        if part.startswith("dot_"):
            part = "." + part.removeprefix("dot_")
        parts.append(part)
    return "/".join(parts)


def _fill(text: str, answers: dict[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in answers:
            raise BrickyardError(
                f"template file {where} uses <<{name}>>, which the template does not ask for"
            )
        return answers[name]

    return PLACEHOLDER.sub(value, text)
