"""Project settings: `brickyard.yml` next to `databricks.yml`.

The bundle says *what* is deployed; these settings say how brickyard treats the project around it:
how its dependencies are locked (`deps`), which licences it accepts (`licenses`), where accepted
secret findings live (`secrets`) and which cluster policies and rules the bundle must satisfy
(`policies`). The file is optional: every section has defaults, so a project without it still locks
and scans.

Each section is its own pydantic model, and `Settings` lists them. Another part of brickyard adds
a section (for example `releases`) by defining its model and adding one field to `Settings`.
Unknown keys are errors, so a typo does not silently turn a gate off. Errors carry the file, line,
column and key path, like bundle errors, because the YAML is read into located nodes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from brickyard.alerts.model import AlertSettings
from brickyard.bundle.node import Node, format_path, lookup, nearest_location
from brickyard.bundle.yamlfile import read_yaml
from brickyard.checks.model import ChecksSettings
from brickyard.errors import BundleError, Diagnostic, Severity
from brickyard.gitfolders.model import GitFolder
from brickyard.settings_file import find_settings_file


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndexSettings(_Section):
    """Where `deps lock` and the environment builder find packages (passed through to uv)."""

    index_url: str | None = None
    extra_index_urls: list[str] = Field(default_factory=list)
    find_links: list[str] = Field(default_factory=list)
    no_index: bool = False


class DepsSettings(_Section):
    runtime: str | None = None
    """The Databricks runtime the clusters use (`15.4`, `16.4-ml`); default: read from the bundle."""
    directory: str = "requirements"
    """Where the baseline, additions, combined inputs and locks live, relative to the project root."""
    keep: list[str] = Field(default_factory=list)
    """Distributions the init script must never remove even though the lock does not list them."""
    index: IndexSettings = Field(default_factory=IndexSettings)


DEFAULT_DENY = ["GPL-*", "AGPL-*", "LGPL-*"]


class LicenseOverride(_Section):
    license: str | None = None
    """The package's real licence where its metadata is missing or wrong."""
    allow: bool = False
    """Accept the package whatever its licence says (a reviewed exception)."""
    reason: str = ""


class LicenseSettings(_Section):
    allow: list[str] = Field(default_factory=list)
    """When set, only these licences pass (SPDX ids or globs such as `BSD-*`)."""
    deny: list[str] = Field(default_factory=lambda: list(DEFAULT_DENY))
    unknown: Literal["error", "warning", "ignore"] = "warning"
    """What a package whose licence cannot be read becomes."""
    overrides: dict[str, LicenseOverride] = Field(default_factory=dict)


class EnvSecretBackend(_Section):
    """Values from environment variables: key `db-password` is `<prefix>DB_PASSWORD`."""

    type: Literal["env"]
    prefix: str = ""


class FileSecretBackend(_Section):
    """Values from a JSON object of key to value (local development; keep the file out of git)."""

    type: Literal["file"]
    path: str
    """Relative to the project root."""


class VaultSecretBackend(_Section):
    """Values from one HashiCorp Vault KV v2 secret, one field per key (needs the `secrets-vault` extra)."""

    type: Literal["vault"]
    url: str
    path: str
    """The secret's path below the mount (`apps/etl/prod`)."""
    mount: str = "secret"
    token_env: str = "VAULT_TOKEN"
    """The environment variable holding the Vault token."""
    ca_bundle: str | None = None
    """A CA file for a Vault served with a private certificate."""


class AzureKeyVaultSecretBackend(_Section):
    """Values from Azure Key Vault secrets named like the keys (`_` becomes `-`), read with
    DefaultAzureCredential (needs the `secrets-azure` extra)."""

    type: Literal["azure_key_vault"]
    vault_url: str


SecretBackend = Annotated[
    EnvSecretBackend | FileSecretBackend | VaultSecretBackend | AzureKeyVaultSecretBackend,
    Field(discriminator="type"),
]


class SecretsSettings(_Section):
    backends: dict[str, SecretBackend] = Field(default_factory=dict)
    """Where each target's secret values come from, by target name."""
    scopes: dict[str, list[str]] = Field(default_factory=dict)
    """The keys `secrets sync` puts into each scope, by scope name or by the key of a bundle
    `secret_scopes` resource (whose `name` may differ per target)."""
    baseline: str = ".secrets.baseline"
    """Accepted findings, in detect-secrets' baseline format."""
    exclude: list[str] = Field(default_factory=list)
    """Extra globs (relative to the project root) that are never scanned."""
    entropy: bool = False
    """Also report high-entropy strings (noisy: hashes and ids look random too)."""


ClusterType = Literal["all-purpose", "job", "dlt"]
_DEFAULT_TYPES: tuple[ClusterType, ...] = ("all-purpose", "job")


class ClusterPolicyRef(_Section):
    file: str
    """A Databricks cluster policy definition (JSON), relative to the project root."""
    cluster_types: list[ClusterType] = Field(default_factory=lambda: list(_DEFAULT_TYPES))
    targets: list[str] = Field(default_factory=list)
    """Targets the policy applies to; empty means every target."""


RuleScope = Literal["clusters", "all_purpose_clusters", "jobs", "pipelines"]


class ProjectRule(_Section):
    """One declarative rule: at `key` of every `applies_to` resource, a condition must hold."""

    id: str
    description: str = ""
    targets: list[str] = Field(default_factory=list)
    applies_to: RuleScope
    key: str | None = None
    """A dotted key inside the resource (`run_as.service_principal_name`); none = the resource itself."""
    required: bool = False
    forbidden: bool = False
    one_of: list[Any] | None = None
    pattern: str | None = None
    level: Literal["error", "warning"] = "error"

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError("rule ids are letters, digits, '.', '_' and '-'")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"invalid regular expression: {err}") from None
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> ProjectRule:
        conditions = [self.required, self.forbidden, self.one_of is not None, self.pattern is not None]
        if sum(bool(c) for c in conditions) != 1:
            raise ValueError("a rule needs exactly one of required, forbidden, one_of, pattern")
        if self.key is None and not self.forbidden:
            raise ValueError("a rule without key can only be `forbidden: true` (no such resource allowed)")
        return self


class PolicySettings(_Section):
    cluster_policies: list[ClusterPolicyRef] = Field(default_factory=list)
    rules: list[ProjectRule] = Field(default_factory=list)

    @field_validator("cluster_policies", mode="before")
    @classmethod
    def _plain_paths(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"file": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def configured(self) -> bool:
        return bool(self.cluster_policies or self.rules)


class ReleaseSettings(_Section):
    """How targets take releases: `branches` maps a target to the git branch (glob) it deploys from."""

    branches: dict[str, str] = Field(default_factory=dict)


class RetentionSettings(_Section):
    keep: int | None = Field(default=None, ge=1)
    """Keep this many newest backups; older ones (and files only they use) are removed."""
    days: int | None = Field(default=None, ge=1)
    """Keep backups younger than this many days (the newest one is always kept)."""


class RecoverySettings(_Section):
    """What disaster recovery covers: which tables, where backups go, how often, how long they stay."""

    tables: list[str] = Field(default_factory=list)
    """Table name patterns (`main.sales.*`, `*.gold.orders`); empty means every Delta table."""
    location: str | None = None
    """Where backups go: a folder, `/Volumes/<catalog>/<schema>/<volume>/<dir>`, `s3://`, `abfss://`, `gs://`."""
    targets: dict[str, str] = Field(default_factory=dict)
    """A backup location per target, where it differs from `location`."""
    schedule: str | None = None
    """Quartz cron expression of the backup job (`0 0 2 * * ?`)."""
    timezone: str = "UTC"
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    owners: list[str] = Field(default_factory=list)
    """Who is called when a restore is needed; printed in the runbook."""
    job: bool | None = None
    """Deploy a backup job to each target (default: when `schedule` is set)."""
    job_dependencies: list[str] = Field(default_factory=list)
    """What the job's serverless environment installs so its task can import brickyard on a real
    workspace (a wheel in a volume, a package index name); empty runs it without an environment."""

    def location_for(self, target: str) -> str | None:
        return self.targets.get(target, self.location)


class ClusterSettings(_Section):
    terminate_after_deploy: bool | list[str] = False
    """Terminate the all-purpose clusters a deploy created or changed (they start when created or
    edited): true for every target, or the targets to do it on."""


class TestSettings(_Section):
    smoke_jobs: list[str] = Field(default_factory=list)
    """Job keys `brickyard test smoke` runs, besides jobs tagged `smoke` or named *smoke*."""


class Settings(_Section):
    deps: DepsSettings = Field(default_factory=DepsSettings)
    licenses: LicenseSettings = Field(default_factory=LicenseSettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    policies: PolicySettings = Field(default_factory=PolicySettings)
    releases: ReleaseSettings = Field(default_factory=ReleaseSettings)
    dr: RecoverySettings = Field(default_factory=RecoverySettings)
    test: TestSettings = Field(default_factory=TestSettings)
    checks: ChecksSettings = Field(default_factory=ChecksSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    clusters: ClusterSettings = Field(default_factory=ClusterSettings)
    git_folders: dict[str, GitFolder] = Field(default_factory=dict)
    """Workspace folders that are git clones at a ref, per target (see `brickyard.gitfolders.model`)."""

    root: Path = Field(default=Path("."), exclude=True)
    """The project root (the directory holding brickyard.yml and databricks.yml)."""
    source: str | None = Field(default=None, exclude=True)
    """The settings file read, relative to the root; None when the project has none."""


def load_settings(root: Path) -> Settings:
    """The settings of the project at `root`; defaults when it has no brickyard.yml."""
    path = find_settings_file(root)
    if path is None:
        return Settings(root=root)
    tree = read_yaml(path, path.name)
    if tree.value is None:
        return Settings(root=root, source=path.name)
    if not tree.is_map:
        raise BundleError.at(f"{path.name} must be a mapping of sections", tree.loc)
    internal = [key for key in ("root", "source") if key in tree.value]
    if internal:
        raise BundleError(
            [
                validation_diagnostic(tree, {"loc": (k,), "msg": "", "type": "extra_forbidden"})
                for k in internal
            ]
        )
    try:
        settings = Settings.model_validate(tree.plain())
    except ValidationError as err:
        raise BundleError([validation_diagnostic(tree, error) for error in err.errors()]) from None
    return settings.model_copy(update={"root": root, "source": path.name})


def validation_diagnostic(tree: Node, error: Any) -> Diagnostic:
    path = _in_tree(tree, tuple(part for part in error["loc"] if isinstance(part, str | int)))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown key {path[-1]!r}" if path else "unknown key"
    return Diagnostic(
        Severity.ERROR, f"invalid settings: {message}", format_path(path), nearest_location(tree, path)
    )


def _in_tree(tree: Node, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The path without the parts pydantic adds that are not keys: a tagged union's tag
    (`rules[0].failed_run.jobs` is `rules[0].jobs` in the file)."""
    out: list[str | int] = []
    node: Node | None = tree
    for i, part in enumerate(path):
        child = lookup(node, (part,)) if node is not None else None
        tag = child is None and node is not None and node.is_map and i + 1 < len(path)
        if tag and node is not None and lookup(node, (path[i + 1],)) is not None:
            continue
        out.append(part)
        node = child
    return tuple(out)
