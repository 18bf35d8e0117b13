"""`brickyard secrets …`: a target's secret values, from its backend into its scopes."""

from __future__ import annotations

import typer

from brickyard.cli import options

app = typer.Typer(
    name="secrets",
    help="Secret values per target: read from the backend brickyard.yml names, put into the scopes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("sync")
def sync(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Put every key `secrets.scopes` lists into its scope, with values from the target's backend.

    Values are never printed, logged or stored; the result lists scope and key names only.
    """
    from brickyard.context import AppContext
    from brickyard.deploy.target import open_target
    from brickyard.secrets.sync import sync_secrets
    from brickyard.settings import load_settings

    ctx = AppContext.create(output.value)
    opened = open_target(ctx, target, var or [], profile)
    settings = load_settings(opened.bundle.root)
    report = sync_secrets(opened.client, opened.bundle, settings, ctx.environ)
    count = sum(len(keys) for keys in report.put.values())
    scopes = ", ".join(f"{name} ({', '.join(keys)})" for name, keys in report.put.items())
    ctx.output.result(
        {
            "target": opened.bundle.target,
            "backend": report.backend,
            "scopes": report.put,
            "created": report.created,
        },
        f"Put {count} secret(s) from {report.backend} into {scopes or 'no scopes'} on {opened.bundle.target}",
    )
