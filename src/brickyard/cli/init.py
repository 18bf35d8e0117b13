"""`brickyard init`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from brickyard.cli import options


def init(
    template: Annotated[
        str | None,
        typer.Argument(
            metavar="[TEMPLATE]",
            help="blueprint (default), default-python, default-sql, dbt-sql, lakeflow-pipelines, default-minimal.",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Argument(metavar="[NAME]", help="Project name (asked for if missing).")
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option("--config-file", metavar="FILE", help="JSON or YAML file with the template's values."),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt: defaults for what is not given.")
    ] = False,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", metavar="DIR", help="Where the project folder is created.")
    ] = Path("."),
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Create a new project from a template, ready to validate, deploy and run on the local workspace.

    Prompts for each value with a default; --config-file and --no-input make it non-interactive
    (for CI). The project's default target is the embedded local workspace.
    """
    from brickyard.context import AppContext
    from brickyard.scaffold.catalog import DEFAULT_TEMPLATE, find
    from brickyard.scaffold.render import answers_for, render

    ctx = AppContext.create(output.value)
    chosen = find(template or DEFAULT_TEMPLATE)
    given: dict[str, Any] = _config(config_file) if config_file else {}
    if name:
        given["project_name"] = name
    interactive = not no_input and output.value == "text" and sys.stdin.isatty()
    ask = (lambda prompt, default: str(typer.prompt(prompt, default=default))) if interactive else None
    answers = answers_for(chosen, given, ask)
    dest = output_dir / answers["project_name"]
    files = render(chosen, answers, dest)
    ctx.output.result(
        {"template": chosen.name, "directory": str(dest), "values": answers, "files": len(files)},
        f"Created {dest} from {chosen.name} ({len(files)} files).\n"
        f"Next: cd {dest} && brickyard validate && brickyard deploy && brickyard summary",
    )


def _config(path: Path) -> dict[str, Any]:
    import json

    import yaml

    from brickyard.errors import UsageError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read --config-file {path}: {err.strerror}") from None
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        raise UsageError(
            f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {err}"
        ) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path} must hold a mapping of template values")
    return doc
