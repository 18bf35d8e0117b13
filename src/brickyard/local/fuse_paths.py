"""`/dbfs`, `/Volumes` and `/Workspace` in task code, as on a Databricks cluster.

On a cluster, task code uses ordinary file APIs on FUSE paths: `open('/dbfs/tmp/x.csv')`,
`pandas.read_csv('/Volumes/c/s/v/f.csv')`, `os.listdir('/Workspace/Users/me')`, `shutil`,
`pathlib`, and subprocesses like `cat`. Rewriting paths in Python cannot reach C extensions or
subprocesses, so the worker does what a cluster does at the file system level instead: before user
code runs, it moves itself into a private mount namespace and bind-mounts the workspace home's
DBFS, volumes and workspace folders onto those three paths. Everything the task starts inherits
the namespace, and nothing in it is visible to the rest of the machine: a task writes its
`/dbfs/...` files into its own workspace, never into the machine's `/dbfs`.

This needs Linux and either root or unprivileged user namespaces, and the three mount points must
exist on the machine (root creates them, empty, the first time). Elsewhere the task runs without
them and its log says why.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_REC, MS_BIND, MS_PRIVATE = 0x4000, 0x1000, 0x40000
MOUNT_POINTS = ("/dbfs", "/Volumes", "/Workspace")


def mount_workspace_paths(workspace_root: str, storage_root: str, quiet: bool = False) -> str | None:
    """Bind the home's folders onto `/dbfs`, `/Volumes` and `/Workspace` for this process and its
    children. Returns None when they are in place, else the reason (also printed as a warning
    unless `quiet`)."""
    sources = {
        "/dbfs": Path(storage_root) / "dbfs",
        "/Volumes": Path(storage_root) / "volumes",
        "/Workspace": Path(workspace_root),
    }
    reason = _mount(sources)
    if reason is not None and not quiet:
        print(mount_warning(reason), file=sys.stderr)
    return reason


def mount_warning(reason: str) -> str:
    return (
        f"Warning: /dbfs, /Volumes and /Workspace are not available to this task ({reason}); "
        "use dbfs:/ paths with spark and dbutils.fs instead."
    )


def _mount(sources: dict[str, Path]) -> str | None:
    if not sys.platform.startswith("linux"):
        return "FUSE-style paths need Linux mount namespaces"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    if (why := _private_namespace(libc)) is not None:
        return why
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return f"cannot make mounts private: {os.strerror(ctypes.get_errno())}"
    for target, source in sources.items():
        source.mkdir(parents=True, exist_ok=True)
        try:
            os.makedirs(target, mode=0o755, exist_ok=True)
        except OSError as err:
            return f"{target} does not exist and cannot be created: {err.strerror}"
        if libc.mount(os.fsencode(source), os.fsencode(target), None, MS_BIND | MS_REC, None) != 0:
            return f"cannot mount {target}: {os.strerror(ctypes.get_errno())}"
    return None


def _private_namespace(libc: ctypes.CDLL) -> str | None:
    if libc.unshare(CLONE_NEWNS) == 0:
        return None
    first = os.strerror(ctypes.get_errno())
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return f"no mount namespace: {first}; with a user namespace: {os.strerror(ctypes.get_errno())}"
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as err:
        return f"user namespace mapping: {err.strerror}"
    return None
