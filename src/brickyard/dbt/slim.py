"""Slim CI: build only what changed since the release deployed on the target, defer the rest to it.

dbt compares the project with a `manifest.json` (`--state`) to select `state:modified+`, and with
`--defer` reads every model it does not build from the relations that manifest names. The manifest
is that of the release deployed on the target: its files are in the release archive (every deploy
keeps one), so the deployed version of the project is parsed with the same profile the current one
runs with, which makes the two comparable node by node. The manifest is kept in the workspace next
to the release record, `<state_path>/releases/dbt/<N>/<project>/manifest.json`, so later runs
against the same release read it instead of parsing again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.errors import DbtError

if TYPE_CHECKING:
    from brickyard.dbt.run import Invocation
    from brickyard.deploy.target import Target
    from brickyard.releases.model import Release
    from brickyard.releases.store import ReleaseStore

SELECT_OPTIONS = ("--select", "-s", "--models", "-m")
STATE_SELECTOR = "state:modified+"


@contextmanager
def deployed_state(target: Target, call: Invocation, args: list[str]) -> Iterator[list[str]]:
    """Arguments that make dbt slim: the selector (unless `args` select already), defer and state."""
    from brickyard.releases.store import ReleaseStore

    store = ReleaseStore(target.client, target.store.state_path)
    index = store.index()
    if not index.releases:
        raise DbtError(
            f"--slim builds what changed since the release deployed on target {target.bundle.target}, "
            f"and it has none yet: run `brickyard deploy -t {target.bundle.target}` first"
        )
    release = store.get(index.releases[-1].number)
    with tempfile.TemporaryDirectory(prefix="brickyard-dbt-state-") as tmp:
        state = Path(tmp) / "state"
        state.mkdir()
        manifest = _stored_manifest(store, release, call)
        if manifest is None:
            manifest = _parse_release(store, release, target, call, Path(tmp))
            _store_manifest(store, release, call, manifest)
        (state / "manifest.json").write_bytes(manifest)
        chosen = any(a in SELECT_OPTIONS or a.startswith("--select=") for a in args)
        yield [*([] if chosen else ["--select", STATE_SELECTOR]), "--defer", "--state", str(state)]


def _manifest_path(store: ReleaseStore, release: Release, call: Invocation) -> str:
    return f"{store.root}/dbt/{release.number}/{call.project.name}/manifest.json"


def _stored_manifest(store: ReleaseStore, release: Release, call: Invocation) -> bytes | None:
    from databricks.sdk.errors import NotFound

    try:
        with store.client.workspace.download(_manifest_path(store, release, call)) as handle:
            data: bytes = handle.read()
            return data
    except NotFound:
        return None


def _store_manifest(store: ReleaseStore, release: Release, call: Invocation, manifest: bytes) -> None:
    import io

    from databricks.sdk.service.workspace import ImportFormat

    path = _manifest_path(store, release, call)
    store.client.workspace.mkdirs(path.rsplit("/", 1)[0])
    store.client.workspace.upload(path, io.BytesIO(manifest), format=ImportFormat.AUTO, overwrite=True)


def _parse_release(
    store: ReleaseStore, release: Release, target: Target, call: Invocation, tmp: Path
) -> bytes:
    from brickyard.bundle.sync_root import sync_root
    from brickyard.dbt.invoke import invoke
    from brickyard.releases.archive import extract_archive

    files = tmp / "release"
    expected = {name: f.hash for name, f in release.files.items()}
    extract_archive(store.read_archive(release), expected, files)
    sync = target.bundle.get("sync") or {}
    base = sync_root(target.bundle.root, list(sync.get("paths") or ["."]))
    relative = call.project.directory.relative_to(base.resolve())
    deployed = files / relative
    if not (deployed / "dbt_project.yml").is_file():
        raise DbtError(
            f"release {release.number} on target {target.bundle.target} has no dbt project at {relative}: "
            "nothing to compare with (deploy the project first, or run without --slim)"
        )
    parsed = tmp / "parsed"
    env = {**call.environ, "DBT_TARGET_PATH": str(parsed), "DBT_LOG_PATH": str(tmp / "logs")}
    result = invoke(["parse", "--no-partial-parse", "--quiet"], call.prepare(deployed), call.profiles, env)
    if result.exit_code != 0 or not (parsed / "manifest.json").is_file():
        raise DbtError(
            f"dbt could not parse the project of release {release.number}: {result.exception or ''}"
        )
    return (parsed / "manifest.json").read_bytes()
