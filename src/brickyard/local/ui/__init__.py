"""The local workspace's web UI, served at its root URL next to the REST API.

Server-rendered pages (Jinja2 templates in `templates/`, no JavaScript bundle, no CDN): jobs and their
runs with the task graph, pipelines with their dataset graph and event log, clusters and SQL
warehouses with the runs that used them, the catalog, the
workspace tree with notebooks rendered, and run metrics. The links brickyard prints (`/#job/1/run/2`,
`/#joblist/pipelines/…`, `/explore/data/…`) open the matching page. Reading a page takes a session
(`signin`); the Gate sends a browser without one to the sign-in form.

Each page module (`jobs`, `runs`, `pipelines`, `compute`, `catalog`, `workspace`, `metrics`) turns the
workspace's stores into what its template shows; `routes` wires them to URLs; `graph` lays out task
and dataset graphs; `render` holds the template environment and its filters.
"""

from __future__ import annotations

PAGE_PREFIXES = (
    "/jobs",
    "/pipelines",
    "/compute",
    "/sql/warehouses",
    "/explore/data",
    "/workspace",
    "/insights",
    "/login",
    "/logout",
)


def is_page(path: str) -> bool:
    """Whether a request path belongs to the UI (the rest is the API, guarded by bearer tokens)."""
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)
