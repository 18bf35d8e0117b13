"""The `brickyard` command and its single error boundary.

Exit codes: 0 success, 1 an expected failure (`Error: …`), 2 a usage error, 130 Ctrl-C. A traceback is
shown only with `--debug`. Command modules keep heavy imports inside their functions so that
`brickyard --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import click
import typer

from brickyard import __version__
from brickyard.cli import commands
from brickyard.errors import BrickyardError

app = typer.Typer(
    name="brickyard",
    help="DataOps for Databricks bundles: validate, test, deploy, run, promote and roll back,\n"
    "on a real workspace or on the embedded local workspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=commands.LazyVerbs,
    rich_markup_mode=None,  # plain click help: importing rich's help renderer costs ~0.3 s
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"brickyard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    pass  # --debug is read by `run`, before typer parses anything


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("BRICKYARD_DEBUG") == "1"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its code; everything that escapes a command is mapped here."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args))


def run(args: list[str]) -> int:
    debug = _debug_requested(args)
    try:
        result = app(args=args, prog_name="brickyard", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        _stderr("Interrupted.")
        return 130
    except KeyboardInterrupt:
        _stderr("Interrupted.")
        return 130
    except click.exceptions.ClickException as usage:
        usage.show()
        return usage.exit_code
    except BrickyardError as err:
        if debug:
            traceback.print_exc()
        _stderr(f"Error: {err}")
        return err.exit_code
    except Exception as bug:  # the boundary: any other exception is a bug in brickyard
        if debug:
            traceback.print_exc()
        failure = _workspace_failure(bug)
        if failure:
            _stderr(f"Error: {failure}")
            return 1
        if debug:
            return 1
        _stderr(
            f"Error: internal error: {type(bug).__name__}: {bug}\nRun again with --debug for the traceback."
        )
        return 1
    code = result if isinstance(result, int) else 0
    if code == 130:  # typer turns Ctrl-C into Exit(130), which click returns in non-standalone mode
        _stderr("Interrupted.")
    return code


def _workspace_failure(err: BaseException) -> str | None:
    """A workspace that refused or could not be reached is the user's situation, not a bug.

    Checked here, once, rather than around every SDK call; the SDK is only looked at if it was
    imported, so this costs `--help` nothing.
    """
    errors = sys.modules.get("databricks.sdk.errors.base")
    if errors is not None and isinstance(err, errors.DatabricksError):
        return f"the workspace refused a request: {err}"
    requests = sys.modules.get("requests.exceptions")
    if requests is not None and isinstance(err, requests.ConnectionError | requests.Timeout):
        return f"cannot reach the workspace: {err}"
    return None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
