"""Putting each git folder of a target where the release being deployed says, through the Repos API.

`plan_folders` reads only: it resolves every folder's ref from the release's git facts and looks
the folders up, so a ref the target does not take, or a path held by something else, stops the
deploy before anything is applied. `apply_folders` then creates missing folders, checks out the
ref where the folder is elsewhere (a branch that is already checked out is pulled when its head is
not the release's commit), and sets the folder's permissions when they differ.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Literal

from brickyard.errors import ApplyError, ReleaseError
from brickyard.gitfolders.model import FolderTarget, GitFolder, is_glob
from brickyard.releases.model import GitRef
from brickyard.settings import Settings


@dataclass(frozen=True)
class Ref:
    kind: Literal["branch", "tag"]
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class FolderMove:
    name: str
    folder: GitFolder
    spec: FolderTarget
    ref: Ref
    commit: str
    """The release's commit ('' when unknown): a folder at it on the right ref needs no checkout."""
    repo: Any = None
    """The RepoInfo of the existing folder, None when deploy creates it."""

    @property
    def path(self) -> str:
        return workspace_path(self.spec.path)

    @property
    def in_place(self) -> bool:
        if self.repo is None:
            return False
        at_commit = bool(self.commit) and self.repo.head_commit_id == self.commit
        if self.ref.kind == "branch":
            return self.repo.branch == self.ref.name and at_commit
        return self.repo.branch is None and at_commit

    def describe(self) -> str:
        """What deploy will do to the folder, for `plan`."""
        if self.repo is None:
            return f"Git folder {self.name} {self.spec.path}: create at {self.ref}"
        if self.in_place:
            return f"Git folder {self.name} {self.spec.path}: at {self.ref}, unchanged"
        return f"Git folder {self.name} {self.spec.path}: move to {self.ref}"


def workspace_path(path: str) -> str:
    """The Repos API's spelling of a path: without the `/Workspace` prefix."""
    return path.removeprefix("/Workspace") if path.startswith("/Workspace/") else path


def resolve_ref(name: str, target: str, spec: FolderTarget, git: GitRef) -> Ref:
    where = f"git folder {name} on target {target}"
    if spec.tag and not is_glob(spec.tag):
        return Ref("tag", spec.tag)
    if spec.branch and not is_glob(spec.branch):
        return Ref("branch", spec.branch)
    if spec.tag:
        tags = sorted(t for t in git.tags if fnmatch.fnmatchcase(t, spec.tag))
        if not tags:
            have = ", ".join(git.tags) or "none"
            raise ReleaseError(
                f"{where} takes tags matching {spec.tag}, and the release's commit has none (its tags: {have}); "
                "tag the commit (brickyard release cut) and deploy again"
            )
        return Ref("tag", tags[-1])
    if spec.branch:
        if not git.branch or not fnmatch.fnmatchcase(git.branch, spec.branch):
            raise ReleaseError(
                f"{where} takes branches matching {spec.branch}, not {git.branch or 'a detached HEAD'}"
            )
        return Ref("branch", git.branch)
    if git.tags:
        return Ref("tag", sorted(git.tags)[-1])
    if git.branch:
        return Ref("branch", git.branch)
    raise ReleaseError(
        f"{where} follows the release's git ref, and the release has neither a tag nor a branch "
        "(deployed outside git, or from a detached HEAD); set branch or tag for it in brickyard.yml"
    )


def plan_folders(client: Any, settings: Settings, target: str, git: GitRef) -> list[FolderMove]:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ObjectType

    moves: list[FolderMove] = []
    for name, folder in sorted(settings.git_folders.items()):
        spec = folder.targets.get(target)
        if spec is None:
            continue
        move = FolderMove(name, folder, spec, resolve_ref(name, target, spec, git), git.commit)
        repo = _find(client, move.path)
        if repo is None:
            try:
                status = client.workspace.get_status(move.path)
            except NotFound:
                status = None
            if status is not None and status.object_type is not ObjectType.REPO:
                raise ReleaseError(
                    f"git folder {name}: {spec.path} already exists in the workspace and is not a git folder; "
                    "move it away or choose another path"
                )
        elif _plain_url(repo.url or "") != _plain_url(folder.url):
            raise ReleaseError(
                f"git folder {name}: {spec.path} is a git folder of {repo.url}, not {folder.url}; "
                "delete it or choose another path"
            )
        moves.append(FolderMove(name, folder, spec, move.ref, git.commit, repo) if repo is not None else move)
    return moves


def apply_folders(client: Any, moves: list[FolderMove]) -> list[str]:
    """What was done to each folder, one line each."""
    from databricks.sdk.errors.base import DatabricksError

    lines: list[str] = []
    for move in moves:
        try:
            lines.append(_apply(client, move))
        except DatabricksError as err:
            raise ApplyError(f"git folder {move.name} ({move.spec.path})", "git folders", err) from err
    return lines


def _apply(client: Any, move: FolderMove) -> str:
    repo, what = move.repo, ""
    if repo is None:
        parent = move.path.rsplit("/", 1)[0]
        if not (parent.startswith("/Repos/") and parent.count("/") == 2):
            client.workspace.mkdirs(parent)  # a folder directly in /Repos is made by the Repos API
        created = client.repos.create(url=move.folder.url, provider=move.folder.provider, path=move.path)
        repo_id, what = int(created.id), "created"
    else:
        repo_id = int(repo.id)
    if not move.in_place:
        if move.ref.kind == "tag":
            client.repos.update(repo_id, tag=move.ref.name)
        else:
            client.repos.update(repo_id, branch=move.ref.name)
        if not what:
            before = f"branch {repo.branch}" if repo.branch else f"commit {(repo.head_commit_id or '')[:10]}"
            what = f"moved from {before}"
    permissions = _set_permissions(client, repo_id, move)
    done = ", ".join(p for p in (what or "already", f"at {move.ref}", permissions) if p)
    return f"Git folder {move.name} {move.spec.path}: {done}"


def _set_permissions(client: Any, repo_id: int, move: FolderMove) -> str:
    """The declared permissions replace the folder's own (PUT), unless it has exactly them already.
    A CAN_MANAGE the folder's owner or admins hold besides is not a difference."""
    from databricks.sdk.service.workspace import RepoAccessControlRequest, RepoPermissionLevel

    if not move.spec.permissions:
        return ""
    wanted = {(*p.principal, p.level) for p in move.spec.permissions}
    have = _direct_permissions(client.repos.get_permissions(str(repo_id)))
    if wanted <= have and all(entry in wanted or entry[2] == "CAN_MANAGE" for entry in have):
        return ""
    requests = [
        RepoAccessControlRequest(
            **{p.principal[0]: p.principal[1]}, permission_level=RepoPermissionLevel(p.level)
        )
        for p in move.spec.permissions
    ]
    client.repos.set_permissions(str(repo_id), access_control_list=requests)
    return f"permissions set for {len(requests)} principal(s)"


_PRINCIPALS = ("user_name", "group_name", "service_principal_name")


def _direct_permissions(current: Any) -> set[tuple[str, str, str]]:
    have: set[tuple[str, str, str]] = set()
    for entry in current.access_control_list or []:
        kind = next((k for k in _PRINCIPALS if getattr(entry, k, None)), None)
        if kind is None:
            continue
        for permission in entry.all_permissions or []:
            if not permission.inherited and permission.permission_level is not None:
                have.add((kind, getattr(entry, kind), permission.permission_level.value))
    return have


def _find(client: Any, path: str) -> Any:
    for repo in client.repos.list(path_prefix=path):
        if repo.path is not None and workspace_path(repo.path) == path:
            return repo
    return None


def _plain_url(url: str) -> str:
    return url.rstrip("/").removesuffix(".git")
