"""`git_folders:` in brickyard.yml: which workspace folders are git folders, at which ref, per target.

    git_folders:
      etl:
        url: https://github.com/acme/etl.git
        provider: gitHub
        targets:
          dev: {path: /Workspace/Users/jane@acme.com/etl, branch: "feature/*"}
          staging:
            path: /Workspace/Repos/staging/etl
            branch: "release/*-RC"
            permissions: [{level: CAN_READ, group_name: analysts}]
          prod: {path: /Workspace/Repos/prod/etl, tag: "v*"}

A plain `branch` or `tag` pins the folder to it. A glob follows the release being deployed: its
branch (or one of its commit's tags) must match, so a folder never moves to a ref its environment
does not take. Without either, the folder follows the release: its tag when its commit has one,
else its branch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GLOB_CHARS = frozenset("*?[")
Level = Literal["CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FolderPermission(_Model):
    level: Level
    user_name: str | None = None
    group_name: str | None = None
    service_principal_name: str | None = None

    @model_validator(mode="after")
    def _one_principal(self) -> FolderPermission:
        named = [n for n in (self.user_name, self.group_name, self.service_principal_name) if n]
        if len(named) != 1:
            raise ValueError(
                "a permission names exactly one of user_name, group_name, service_principal_name"
            )
        return self

    @property
    def principal(self) -> tuple[str, str]:
        for kind in ("user_name", "group_name", "service_principal_name"):
            value = getattr(self, kind)
            if value:
                return kind, value
        raise AssertionError("validated to name one principal")


class FolderTarget(_Model):
    path: str
    """Where the git folder lives in the workspace (`/Workspace/Repos/<folder>/<name>`, or any folder)."""
    branch: str | None = None
    """The branch to check out, or a glob the deployed release's branch must match."""
    tag: str | None = None
    """The tag to check out, or a glob one of the deployed release's tags must match."""
    permissions: list[FolderPermission] = Field(default_factory=list)

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or ".." in value.split("/") or value.rstrip("/").count("/") < 2:
            raise ValueError(
                "path must be an absolute workspace path below a folder, e.g. /Workspace/Repos/prod/etl"
            )
        return value.rstrip("/")

    @field_validator("branch", "tag")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None and (not value or value.startswith("-") or ".." in value or " " in value):
            raise ValueError(f"{value!r} is not a git ref name")
        return value

    @model_validator(mode="after")
    def _one_ref(self) -> FolderTarget:
        if self.branch and self.tag:
            raise ValueError("give either branch or tag, not both")
        return self


class GitFolder(_Model):
    url: str
    """The remote the workspace clones (the Repos API's `url`)."""
    provider: str = "gitHub"
    """gitHub, gitLab, azureDevOpsServices, bitbucketCloud, … as the Repos API names them."""
    targets: dict[str, FolderTarget] = Field(default_factory=dict)


def is_glob(value: str) -> bool:
    return any(c in GLOB_CHARS for c in value)
