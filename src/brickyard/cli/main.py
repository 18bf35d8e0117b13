"""The `brickyard` command and its single error boundary.

Exit codes: 0 success, 1 an expected failure (`Error: …`), 2 a usage error, 130 Ctrl-C. A traceback is
shown only with `--debug`. Command modules keep heavy imports inside their functions so that
`brickyard --help` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from brickyard import __version__
from brickyard.cli import commands


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(f"brickyard {__version__}")
        ctx.exit()


app = commands.LazyVerbs(
    name="brickyard",
    help="DataOps for Databricks bundles: validate, test, deploy, run, promote and roll back,\n"
    "on a real workspace or on the embedded local workspace.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[
        # --debug is read by `run`, before click parses anything
        click.Option(["--debug"], is_flag=True, help="Show tracebacks and debug logs."),
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_version,
            help="Print the version and exit.",
        ),
    ],
    callback=lambda debug: None,
)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("BRICKYARD_DEBUG") == "1"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its code; everything that escapes a command is mapped here."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args))


def run(args: list[str]) -> int:
    debug = _debug_requested(args)
    try:
        result = app.main(args=args, prog_name="brickyard", standalone_mode=False)
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
    except Exception as bug:  # the boundary: an exception that is not a BrickyardError is a bug
        if debug:
            _traceback()
        from brickyard.errors import BrickyardError  # only once something went wrong

        if isinstance(bug, BrickyardError):
            _stderr(f"Error: {bug}")
            return bug.exit_code
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
    if code == 130:  # the root turns Ctrl-C into Exit(130), which click returns in non-standalone mode
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


def _traceback() -> None:
    import traceback  # only with --debug: it costs every other start some milliseconds

    traceback.print_exc()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
