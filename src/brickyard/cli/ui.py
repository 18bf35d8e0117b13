"""`brickyard ui`: open the local workspace's web UI, signed in."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def ui(
    where: Annotated[
        str,
        typer.Argument(
            metavar="[PATH]",
            help="The page to land on: a path (/jobs/100) or a link brickyard printed. Default: the home page.",
        ),
    ] = "/",
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the sign-in link instead of opening a browser.")
    ] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Open the local workspace's web UI in a browser with a one-time sign-in link.

    The link works once, within five minutes, and signs the browser in for a week. The local
    workspace starts if it is not running.
    """
    import webbrowser

    from brickyard.context import AppContext
    from brickyard.local.lifecycle import ensure_running, project_root
    from brickyard.local.ui.link import sign_in_link

    ctx = AppContext.create(output.value)
    workspace = ensure_running(project_root(ctx.cwd))
    url = sign_in_link(workspace.host, workspace.token, where)
    if print_only or output is options.OutputChoice.json:
        ctx.output.result({"url": url}, url)
        return
    opened = webbrowser.open(url)
    text = (
        "Opened the local workspace in your browser" if opened else f"Open this link (it works once): {url}"
    )
    ctx.output.result({"url": url, "opened": opened}, text)
