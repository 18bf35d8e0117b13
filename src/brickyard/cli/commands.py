"""Where each verb module is attached to the root command, in the order `--help` lists them."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from brickyard.cli import (
        alerts,
        backup,
        catalog,
        check,
        dbt,
        deploy,
        deps,
        destroy,
        dr,
        drift,
        init,
        jobs,
        local,
        metrics,
        plan,
        promote,
        release,
        releases,
        restore,
        rollback,
        rollback_drill,
        run,
        runs,
        scan,
        secrets,
        summary,
        sync,
        test,
        ui,
        validate,
    )

    app.command("init")(init.init)
    app.command("validate")(validate.validate)
    app.command("plan")(plan.plan)
    app.command("deploy")(deploy.deploy)
    app.command("run")(run.run)
    app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        test.test
    )
    app.command("summary")(summary.summary)
    app.command("destroy")(destroy.destroy)
    app.command("releases")(releases.releases)
    app.command("rollback")(rollback.rollback)
    app.command("promote")(promote.promote)
    app.command("rollback-drill")(rollback_drill.rollback_drill)
    app.command("drift")(drift.drift)
    app.command("check")(check.check)
    app.command("backup")(backup.backup)
    app.command("restore")(restore.restore)
    app.command("metrics")(metrics.metrics)
    app.command("ui")(ui.ui)
    app.add_typer(release.app, name="release")
    app.add_typer(jobs.app, name="jobs")
    app.add_typer(runs.app, name="runs")
    app.add_typer(alerts.app, name="alerts")
    app.add_typer(local.app, name="local")
    app.add_typer(deps.app, name="deps")
    app.add_typer(scan.app, name="scan")
    app.add_typer(sync.app, name="sync")
    app.add_typer(catalog.app, name="catalog")
    app.add_typer(dr.app, name="dr")
    app.add_typer(secrets.app, name="secrets")
    app.add_typer(dbt.app, name="dbt")
