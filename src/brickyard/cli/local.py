"""`brickyard local up|down|status|reset`: the embedded local workspace of the current project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="local",
    help="Run the embedded local workspace: the Databricks REST API on 127.0.0.1, for this project.",
    no_args_is_help=True,
)

Port = Annotated[
    int | None,
    typer.Option("--port", help="Port to listen on (default: the last one if free, else any free port)."),
]
HttpsPort = Annotated[
    int | None,
    typer.Option(
        "--https-port",
        help="Port of the HTTPS listener (default: the last one if free, else any free port). "
        "443 lets clients that ignore a port in the host (the legacy databricks-cli) reach it.",
    ),
]
Faults = Annotated[
    Path | None,
    typer.Option("--faults", help="JSON file of fault injection rules (for reliability tests).", exists=True),
]


@app.command("up")
def up(
    port: Port = None,
    https_port: HttpsPort = None,
    faults: Faults = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Start the local workspace server, or find the one already running.

    Writes its address and token to the `brickyard-local` profile in ~/.databrickscfg, so
    `databricks` tools and the SDK reach it with `--profile brickyard-local`.
    """
    from brickyard.context import AppContext
    from brickyard.local.lifecycle import ensure_running, project_root

    ctx = AppContext.create(output.value)
    workspace = ensure_running(project_root(ctx.cwd), port=port, https_port=https_port, faults=faults)
    doc = {"running": True, "host": workspace.host, "port": workspace.port, "pid": workspace.pid}
    doc.update(https_host=workspace.https_host, ca_file=workspace.ca_file)
    doc.update(profile=workspace.profile, home=str(workspace.home))
    text = (
        f"Local workspace running at {workspace.host} (profile {workspace.profile})\n"
        f"  HTTPS at {workspace.https_host} (CA {workspace.ca_file})"
    )
    ctx.output.result(doc, text)


@app.command("down")
def down(output: options.Output = options.OutputChoice.text) -> None:
    """Stop the local workspace server and its Spark engine; everything it stored stays."""
    from brickyard.context import AppContext
    from brickyard.local.lifecycle import project_root, stop

    ctx = AppContext.create(output.value)
    stopped = stop(project_root(ctx.cwd))
    message = "Local workspace stopped" if stopped else "Local workspace was not running"
    ctx.output.result({"stopped": stopped}, message)


@app.command("status")
def status(output: options.Output = options.OutputChoice.text) -> None:
    """Show whether the local workspace runs, with its pid, addresses and uptime.

    `-o json` also gives what clients need to connect: `host`, `https_host`, `token`, `ca_file` (the
    CA that signs the HTTPS certificate) and `sql_http_path` (the first SQL warehouse's path).
    """
    from brickyard.context import AppContext
    from brickyard.local.lifecycle import project_root
    from brickyard.local.lifecycle import status as read_status

    ctx = AppContext.create(output.value)
    found = read_status(project_root(ctx.cwd))
    if not found.running:
        text = f"Local workspace is not running (home {found.home})"
    elif not found.responding:
        text = (
            f"Local workspace server (pid {found.pid}) holds {found.home} but does not answer at "
            f"http://{found.host}:{found.port}; `brickyard local down` stops it"
        )
    else:
        engine = found.engine_url or "not started"
        text = (
            f"Local workspace running at {found.host}\n"
            f"  HTTPS at {found.https_host} (CA {found.ca_file})\n"
            f"  pid {found.pid}, up {_duration(found.uptime_seconds or 0)}\n"
            f"  engine {engine}\n"
            f"  home {found.home}"
        )
    ctx.output.result(found.as_json(), text)


@app.command("reset")
def reset(
    auto_approve: options.AutoApprove = False, output: options.Output = options.OutputChoice.text
) -> None:
    """Stop the local workspace and delete everything in it: files, jobs, runs, tables, secrets."""
    from brickyard.context import AppContext
    from brickyard.errors import UsageError
    from brickyard.local.home import LocalHome
    from brickyard.local.lifecycle import project_root
    from brickyard.local.lifecycle import reset as wipe

    ctx = AppContext.create(output.value)
    root = project_root(ctx.cwd)
    home = LocalHome.for_project(root).root
    if not auto_approve and not ctx.output.confirm(f"Delete the local workspace in {home}?"):
        raise UsageError("reset deletes the whole local workspace; confirm it, or pass --auto-approve")
    wipe(root)
    ctx.output.result({"reset": True, "home": str(home)}, f"Local workspace in {home} deleted")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
