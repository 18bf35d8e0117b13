"""Virtual environments for local clusters, built from a lock and cached by its content.

On the local workspace a cluster with libraries or a lock runs its tasks in its own environment.
Building one takes seconds and the same lock recurs on every run, so environments live under a
cache directory named by a hash of what decides their content (the requirement file's bytes, the
interpreter and the index options); a second cluster with the same lock reuses the first one's.
`--system-site-packages` and a `.pth` file naming the running environment's site-packages keep
pyspark's client and brickyard importable inside the environment without installing them again;
the environment's own packages come first on `sys.path`, so the lock's versions win. A build happens in a temporary directory that is renamed into place
only when complete, under a file lock, so concurrent workers never see a half-built environment.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from brickyard.deps.uvcmd import IndexOptions, run_uv
from brickyard.errors import DepsError

_COMPLETE = ".brickyard-complete"


def environment_key(requirements: Path, python: str, index: IndexOptions) -> str:
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    # Where packages came from, not whether the network was used: an environment built offline
    # from the cache holds what an online build of the same requirements would.
    digest.update(f"\0{python}\0{replace(index, offline=False, no_index=False).args()}".encode())
    return digest.hexdigest()[:20]


def python_in(env: Path) -> Path:
    return env / "bin" / "python"


def build_environment(
    lock_or_requirements: Path,
    cache_dir: Path,
    *,
    index: IndexOptions | None = None,
    python: str | None = None,
) -> Path:
    """The Python of an environment holding exactly `lock_or_requirements`, built once per content.

    A lock with hashes installs with `--require-hashes --no-deps` (nothing else may come in); a
    plain requirements file is resolved. `python` defaults to the interpreter running brickyard,
    whose site-packages the environment sees.
    """
    if not lock_or_requirements.is_file():
        raise DepsError(f"{lock_or_requirements} not found")
    options = index or IndexOptions()
    interpreter = python or sys.executable
    env = cache_dir / environment_key(lock_or_requirements, interpreter, options)
    if (env / _COMPLETE).is_file():
        return python_in(env)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"{env.name}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if (env / _COMPLETE).is_file():  # built by another process while we waited
            return python_in(env)
        staging = cache_dir / f"{env.name}.building"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _build(staging, lock_or_requirements, interpreter, options)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(env, ignore_errors=True)
        staging.rename(env)
        _relocate(env, staging)
        (env / _COMPLETE).write_text(lock_or_requirements.name + "\n", encoding="utf-8")
    return python_in(env)


def _build(target: Path, requirements: Path, interpreter: str, index: IndexOptions) -> None:
    created = run_uv(
        ["venv", "--quiet", "--system-site-packages", "--python", interpreter, str(target)], cwd=target.parent
    )
    if created.returncode != 0:
        raise DepsError(f"could not create a virtual environment at {target}:\n{created.stderr.strip()}")
    _link_parent(target, interpreter)
    hashed = "--hash=" in requirements.read_text(encoding="utf-8")
    args = [
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        "--python",
        str(python_in(target)),
        "-r",
        str(requirements.resolve()),
    ]
    if hashed:
        args += ["--require-hashes", "--no-deps"]
    installed = run_uv([*args, *index.args()], cwd=target.parent)
    if installed.returncode != 0:
        raise DepsError(
            f"could not install {requirements.name} into a local cluster environment:\n{installed.stderr.strip()}"
        )


def _link_parent(env: Path, interpreter: str) -> None:
    """Append the interpreter's own site-packages (brickyard's environment) to the new one's path."""
    import subprocess

    if interpreter != sys.executable:
        return
    import sysconfig

    parents = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    found = subprocess.run(
        [str(python_in(env)), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    site = Path(found.stdout.strip())
    # An `import` line runs: addsitedir also reads the parent's own .pth files (editable installs).
    lines = "".join(f"import site; site.addsitedir({str(p)!r})\n" for p in parents)
    (site / "_brickyard_parent.pth").write_text(lines, encoding="utf-8")


def _relocate(env: Path, old: Path) -> None:
    """Point the activation scripts and entry points at the final directory instead of the staging one."""
    old_text, new_text = str(old), str(env)
    for path in (env / "bin").iterdir():
        if path.is_symlink() or not path.is_file():
            continue
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if old_text in content:
            path.write_text(content.replace(old_text, new_text), encoding="utf-8")
    config = env / "pyvenv.cfg"
    if config.is_file():
        config.write_text(config.read_text(encoding="utf-8").replace(old_text, new_text), encoding="utf-8")
