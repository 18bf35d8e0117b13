"""From files to one resolved target: the order `databricks bundle validate` applies its rules in.

read files → check shapes → pick the target → merge it in → variables → git and workspace paths →
mode and presets → permissions and run_as → `${…}` references → local paths → defaults → checks.
Errors are collected along the way and raised together, so one validate run shows every problem.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from brickyard.bundle import checks, defaults, mode, mode_rules, refcheck, variables
from brickyard.bundle.git import read_git_info
from brickyard.bundle.identifiers import check_identifiers
from brickyard.bundle.identity import CurrentUser, local_user_name
from brickyard.bundle.interpolate import REFERENCE, Resolver
from brickyard.bundle.loader import find_root, read_tree, select_target
from brickyard.bundle.merge import MergeConflict, merge, merge_keyed_lists
from brickyard.bundle.model import Bundle
from brickyard.bundle.node import Node, Path, ensure_map, from_plain, lookup
from brickyard.bundle.paths import PathTranslator, definition_dirs, expand_pipeline_globs
from brickyard.bundle.python_code import apply_python
from brickyard.bundle.schema import SchemaCheck
from brickyard.bundle.secrets import find_plaintext_secrets
from brickyard.bundle.sync_root import normalize_sync_paths, sync_path_list, sync_root
from brickyard.errors import BundleError, Diagnostic, Severity
from brickyard.resources import REGISTRY, Registry

UserResolver = Callable[[str | None, str | None], CurrentUser]
"""(host, profile) → the identity deploying; see brickyard.workspace.identity."""

NAME_INTERPOLATED = (
    "Please do not use variable interpolation in the name of your bundle. The name of your bundle\n"
    "is a part of the path at which your bundle state is stored at by default. Parameterizing it at\n"
    "runtime can have unexpected consequences like duplicate deployments or resources not being\n"
    "cleaned up during bundle destroy."
)

# Keys of a target section that are not merged as configuration.
_TARGET_ONLY = ("default", "mode", "variables", "git", "cluster_id", "compute_id")


def local_user(host: str | None, profile: str | None) -> CurrentUser:
    return CurrentUser.from_user_name(local_user_name())


@dataclass
class LoadOptions:
    target: str | None = None
    variables: Sequence[str] | Mapping[str, str] = ()
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    current_user: UserResolver = local_user
    registry: Registry = REGISTRY
    """The resource kinds the caller deploys: their schemas, defaults and checks apply."""
    resolve_resource_fields: bool = True
    """Fill `${resources.<kind>.<key>.<field>}` from the configuration (deploy needs the values);
    validate leaves every such reference as written, as `databricks bundle validate` prints them."""


class InvalidBundle(BundleError):
    """Validation stopped at some stage; `config` is the configuration as it stood there (None when
    no file could be read), which `validate -o json` still prints, as the Databricks CLI does."""

    def __init__(self, diagnostics: list[Diagnostic], config: Node | None) -> None:
        super().__init__(diagnostics)
        self.config = config


def load_bundle(start: FsPath, options: LoadOptions | None = None) -> Bundle:
    """Load and resolve one target; raise InvalidBundle with every error found (warnings kept on Bundle)."""
    opts = options or LoadOptions()
    root = find_root(start, dict(opts.environ))
    if (glob_char := next((c for c in str(root) if c in "*?[]"), None)) is not None:
        # Includes are globs relative to the root: the CLI refuses a root that would be read as one.
        detail = (
            f'The path to the bundle root {root} contains glob pattern character "{glob_char}". '
            "Please remove the character from this path to use bundle commands."
        )
        summary = "Bundle root path contains glob pattern characters"
        raise InvalidBundle([Diagnostic(Severity.ERROR, summary, detail=detail)], Node({}, None))
    diags: list[Diagnostic] = []
    tree = read_tree(root, diags)
    _stop(checks.check_reference_keys(tree), None)  # the CLI stops here, before any summary
    shapes = SchemaCheck(registry=opts.registry, enums=False)
    shapes.check(tree)
    diags.extend(shapes.diags)
    # What the files say, before --var and BUNDLE_VAR_ values are filled in: a credential passed
    # at deploy time is the right way to pass one (state and release records redact it).
    diags.extend(find_plaintext_secrets(tree))
    _stop(diags, tree if tree.get("bundle") is not None else None)

    target_name, target = select_target(tree, opts.target)
    diags.extend(
        variables.check_target_overrides(
            tree.get("variables"), target.get("variables") if target else None, target_name
        )
    )
    _stop(diags, tree)
    checks.check_duplicate_task_keys(tree.get("resources"), diags)
    if target is not None:
        checks.check_duplicate_task_keys(target.get("resources"), diags)
    resource_dirs = definition_dirs(tree)  # the CLI's fallback base for paths, before targets move it
    config = _merge_target(tree, target, target_name)

    bundle = ensure_map(config, ("bundle",))
    diags.extend(refcheck.check_reference_syntax(config))
    name = bundle.get("name")
    name_interpolated = name is not None and isinstance(name.value, str) and REFERENCE.search(name.value)
    bundle.value["target"] = from_plain(target_name, bundle.loc)
    _stop(checks.check_internal_kinds(config), config)
    bundle.value["environment"] = from_plain(target_name, bundle.loc)
    target_mode = mode.check_mode(
        target.get("mode") if target else None, diags, f"targets.{target_name}.mode"
    )
    if target_mode:
        bundle.value["mode"] = from_plain(target_mode, target.get("mode").loc if target else None)  # type: ignore[union-attr]
    cli_vars = (
        opts.variables
        if isinstance(opts.variables, Mapping)
        else variables.parse_cli_vars(opts.variables, diags)
    )
    _stop(diags, config)  # before the workspace paths, as the CLI assigns --var values
    if checks.interpolated_auth_fields(config, diags):
        # The CLI stops before it reads the workspace: its configuration then has no git section
        # and the default sync paths.
        sync = ensure_map(config, ("sync",))
        if sync.get("paths") is None:
            sync.value["paths"] = from_plain(["."], None)
        _stop(diags, config)
    git = read_git_info(root)
    defaults.git_section(config, target, git, root)

    workspace = ensure_map(config, ("workspace",))
    host, profile = _scalar(workspace.get("host")), _scalar(workspace.get("profile"))
    user = opts.current_user(host, profile)
    defaults.workspace_paths(workspace, user)

    definitions = variables.normalize_definitions(config.get("variables"), diags)
    if definitions.value:
        config.value["variables"] = definitions
    read_errors: list[Diagnostic] = []
    saved = variables.read_overrides_file(root, target_name, read_errors)
    diags.extend(read_errors)
    if not read_errors:  # an unreadable overrides file stops the assignment, as in the CLI
        variables.assign_values(
            definitions,
            target.get("variables") if target else None,
            cli_vars,
            opts.environ,
            saved,
            diags,
            target_name,
        )
    if _has_errors(diags):
        # What the CLI resolves before variables: the bundle's and the workspace's own references.
        early = Resolver(config, _deferred(config))
        early.run(skip=tuple(k for k in config.value if k not in ("bundle", "workspace")))
    _stop(diags, config)  # references to a variable without a value would only repeat the error
    if name_interpolated:
        diags.append(
            Diagnostic(Severity.WARNING, NAME_INTERPOLATED, "bundle.name", name.loc if name else None)
        )
    # Resources defined in Python see the variables' values; presets and references apply to them too.
    apply_python(config, root, opts.environ, diags)
    _stop(diags, config)

    if target_mode == mode.DEVELOPMENT:
        mode.development_presets(config, user)
    mode.check_pause_status(config, diags)
    mode.apply_presets(config)
    defaults.permissions_and_run_as(config, user, opts.registry, diags)

    resolver = Resolver(config, _deferred(config, all_resource_fields=not opts.resolve_resource_fields))
    diags.extend(resolver.run())
    resolver.unescape()
    _mark_sensitive(definitions)
    merge_keyed_lists(config.get("resources"))
    defaults.resource_shapes(config, target_mode == mode.DEVELOPMENT, opts.registry)
    _stop(diags, config)
    defaults.bundle_defaults(config, opts.registry)

    file_path = _scalar(workspace.get("file_path")) or ""
    normalize_sync_paths(config, root, diags)
    expand_pipeline_globs(config, root)
    synced = sync_root(root, sync_path_list(config))
    if git.root is not None and not synced.is_relative_to(git.root.resolve()):
        # what is synced is what git knows: nothing above the repository it lives in
        diags.append(
            Diagnostic(
                Severity.ERROR, f'path "{synced}" is not within repository root "{git.root.resolve()}"'
            )
        )
        _stop(diags, config)
    translator = PathTranslator(root, file_path, sync_root=synced, resource_dirs=resource_dirs)
    translator.run(config)
    if translator.failed and not translator.relative_to_resource:
        # The CLI checks required fields before it translates paths (paths written relative to their
        # resource are refused earlier still): its warnings come with a path that is not found, and
        # the configuration it prints has the paths relative to the root, cleaned, untranslated.
        required = SchemaCheck(unknown_keys=False, prune=True, registry=opts.registry)
        required.check(config.copy())
        diags.extend(_required_warnings(required, bundle))
        translator.clean()
    _stop([*diags, *translator.diags], config)
    diags.extend(translator.diags)
    translator.commit()
    defaults.alert_definitions(config, translator.sources, diags)
    defaults.serving_endpoint_fixups(config, diags)
    defaults.genie_space_files(config, root, diags)
    _stop(diags, config)  # the CLI checks required fields only once these are settled
    defaults.sync_paths(config, root)

    types = SchemaCheck(unknown_keys=False, prune=True, registry=opts.registry)
    types.check(config)
    defaults.bundle_defaults(config, opts.registry)  # again, for values the check dropped
    diags.extend(types.diags)
    diags.extend(types.enum_findings())
    diags.extend(_required_warnings(types, bundle))
    checks.check_resources(config, opts.registry, diags)
    check_identifiers(config, diags)
    mode_rules.override_compute(config, target_mode, diags)
    # The target mode is checked once everything is resolved and its presets applied; a refusal
    # stops before the resources are annotated with their deployment, as the CLI's output shows.
    if target_mode == mode.DEVELOPMENT:
        mode.check_development(config, user, diags)
        _stop(_dedupe(diags), config)
    if target_mode == mode.PRODUCTION:
        # The CLI stops at a production refusal, before its advice on permissions.
        mode.check_production(config, target, user, diags)
        defaults.check_git_branch(config, git, diags)
        _stop(_dedupe(diags), config)
    defaults.resource_defaults(config, opts.registry)
    mode_rules.check_shared_root(config, diags)
    mode_rules.check_deployer_permission(config, user, diags)
    unique = _dedupe(diags)
    _stop(unique, config)
    return Bundle(
        root=root,
        target=target_name,
        config=config,
        current_user=user,
        diagnostics=tuple(unique),
        sources=translator.sources,
        git=git,
    )


def _mark_sensitive(definitions: Node) -> None:
    """Values of variables that hold credentials (by name or by shape) are masked from here on."""
    from brickyard.bundle.secrets import names_credential, value_looks_secret
    from brickyard.state.redact import mark_sensitive

    for name, definition in definitions.items():
        value = definition.get("value")
        text = value.value if value is not None else None
        if isinstance(text, str) and (names_credential(name) or value_looks_secret(text)):
            mark_sensitive(text)


def _merge_target(tree: Node, target: Node | None, name: str = "") -> Node:
    """The bundle with `target` merged over it; a container meeting a value of another kind is the
    CLI's target-override error."""
    config = Node({k: v for k, v in tree.value.items() if k not in ("targets", "environments")}, tree.loc)
    if target is None or not target.is_map:
        return config.copy()
    merged = config.copy()
    for key, value in target.value.items():
        if key in _TARGET_ONLY:
            continue
        try:
            merged.value[key] = (
                merge(merged.value[key], value, strict=True) if key in merged.value else value.copy()
            )
        except MergeConflict as err:
            message = (
                f"failed to perform target override for target={name}: "
                f"failed to merge target={name} field={key}: {err}"
            )
            raise InvalidBundle([Diagnostic(Severity.ERROR, message)], tree) from None
    if (run_as := target.get("run_as")) is not None and run_as.value is not None:
        merged.value["run_as"] = run_as.copy()  # a target's identity replaces the bundle's whole
    for key in ("cluster_id", "compute_id"):
        if (node := target.get(key)) is not None:
            ensure_map(merged, ("bundle",)).value["cluster_id"] = node.copy()
    return merged


def _deferred(config: Node, all_resource_fields: bool = False) -> Callable[[Path, Node | None], bool]:
    """References left for deploy: resource ids and other fields unknown until the resource exists
    (every field of a resource the bundle defines with `all_resource_fields`), and variables whose
    value comes from a `lookup`."""

    def deferred(path: Path, target: Node | None) -> bool:
        if path[:1] == ("resources",) and len(path) >= 4:
            return (target is None or all_resource_fields) and lookup(config, path[:3]) is not None
        if path[:1] == ("variables",) and len(path) >= 3 and path[2] == "value" and target is None:
            definition = lookup(config, path[:2])
            return definition is not None and definition.get("lookup") is not None
        return False

    return deferred


def _scalar(node: Node | None) -> str | None:
    return str(node.value) if node is not None and node.value not in (None, "") else None


def _has_errors(diags: Sequence[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def _stop(diags: Sequence[Diagnostic], config: Node | None) -> None:
    if _has_errors(diags):
        raise InvalidBundle(_dedupe(diags), config)


def _required_warnings(check: SchemaCheck, bundle: Node) -> list[Diagnostic]:
    """Required fields left unset, the bundle's name among them: the CLI goes on without a name
    (a `${bundle.name}` still in use is an error of its own)."""
    if (name := bundle.get("name")) is None or name.value is None:
        return check.required_warnings(
            Diagnostic(Severity.WARNING, 'required field "name" is not set', "bundle")
        )
    return check.required_warnings()


def _dedupe(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for diag in diags:
        # Checked before and after references resolve, a finding keeps its first path (one
        # without a place in the files is told apart by its path).
        key = (diag.severity, diag.summary, diag.location or diag.path)
        if key not in seen:
            seen.add(key)
            out.append(diag)
    return out
