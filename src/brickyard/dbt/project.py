"""Which dbt projects a bundle holds: the folders its `dbt_task`s name, back in the checkout.

A task's `project_directory` is translated at load time to its deployed place under
`${workspace.file_path}`; the bundle remembers the local folder behind every translated path, so
the project is found where the user edits it. Each project comes with what its tasks say about
where it builds (catalog, schema, warehouse), which `brickyard dbt` uses for its profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.bundle.model import Bundle
from brickyard.errors import DbtError


@dataclass(frozen=True)
class DbtProject:
    directory: Path
    name: str
    profile: str
    catalog: str = ""
    schema: str = ""
    warehouse_id: str = ""
    task: str = ""
    """`jobs.<key>.tasks.<task_key>` of the first task that runs it, or empty for `--project-dir`."""


def dbt_work_dir(root: Path, project: DbtProject) -> Path:
    """Where brickyard keeps its working copy and dbt's caches of one project (in `.brickyard/`)."""
    return root / ".brickyard" / "dbt" / project.name


def load_project(directory: Path, cache_root: Path | None = None, **task: str) -> DbtProject:
    """The project in `directory`; with `cache_root` (the bundle's), its names are remembered there
    by the file's content (`bundle.yamlcache`), as validate reads them on every run."""
    path = directory / "dbt_project.yml"
    if not path.is_file():
        raise DbtError(f"{directory} is not a dbt project: it has no dbt_project.yml")
    text = path.read_text(encoding="utf-8")
    display = os.path.relpath(path, cache_root) if cache_root is not None else ""
    if cache_root is not None and not display.startswith(".."):
        from brickyard.bundle.yamlcache import remembered

        name, profile = remembered(
            cache_root, "dbt_project", display, text, lambda t: _names(path, t), list, _decode_names
        )
    else:
        name, profile = _names(path, text)
    return DbtProject(directory.resolve(), name, profile, **task)


def _decode_names(doc: Any) -> tuple[str, str]:
    name, profile = doc
    return str(name), str(profile)


def _names(path: Path, text: str) -> tuple[str, str]:
    """The project's name and profile, from the text of its dbt_project.yml."""
    import yaml

    try:  # libyaml when PyYAML has it: the same documents, several times faster
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError:
        try:  # the Python loader's message quotes the offending line; libyaml's does not
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as err:
            raise DbtError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(doc, dict) or not doc.get("name"):
        raise DbtError(f"{path}: `name` is required")
    name = str(doc["name"])
    return name, str(doc.get("profile") or name)


def bundle_projects(bundle: Bundle) -> list[DbtProject]:
    """Every distinct dbt project the bundle's jobs run, in the order the jobs list them."""
    found: dict[Path, DbtProject] = {}
    for job_key, job in bundle.resources("jobs").items():
        for task in _tasks(job):
            settings = task.get("dbt_task")
            if not isinstance(settings, dict) or not settings.get("project_directory"):
                continue
            directory = _local_dir(bundle, str(settings["project_directory"]))
            if directory is None or directory in found:
                continue
            found[directory] = load_project(
                directory,
                bundle.root,
                catalog=str(settings.get("catalog") or ""),
                schema=str(settings.get("schema") or ""),
                warehouse_id=str(settings.get("warehouse_id") or ""),
                task=f"jobs.{job_key}.tasks.{task.get('task_key', '')}",
            )
    return list(found.values())


def _tasks(job: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = [t for t in job.get("tasks") or [] if isinstance(t, dict)]
    for task in list(tasks):  # a for_each_task carries its task inside
        inner = (task.get("for_each_task") or {}).get("task")
        if isinstance(inner, dict):
            tasks.append(inner)
    return tasks


def _local_dir(bundle: Bundle, deployed: str) -> Path | None:
    """The checkout folder behind a translated `project_directory`; None for a remote one (git, /Workspace)."""
    source = bundle.sources.get(deployed)
    if source is not None and (source / "dbt_project.yml").is_file():
        return source.resolve()
    return None


def choose_project(bundle: Bundle | None, project_dir: Path | None) -> DbtProject:
    """`--project-dir`, else the bundle's only dbt project (or its projects' common task settings)."""
    projects = bundle_projects(bundle) if bundle is not None else []
    if project_dir is not None:
        wanted = project_dir.resolve()
        for project in projects:
            if project.directory == wanted:
                return project
        return load_project(wanted)
    if not projects:
        raise DbtError("the bundle has no dbt_task with a project in it; pass --project-dir DIR")
    if len(projects) > 1:
        names = ", ".join(str(p.directory) for p in projects)
        raise DbtError(f"the bundle has several dbt projects ({names}); pick one with --project-dir")
    return projects[0]
