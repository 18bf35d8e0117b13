"""The local workspace's HTTP server: a FastAPI app speaking the Databricks REST API.

Run it with `python -m brickyard.local.server --home DIR` (what `brickyard local up` does, see
`brickyard.local.lifecycle`). Everything behind the app is built in one pass in `wiring.build`
(stores, engine, schedulers, run credentials); the app is assembled in `app.create_app`; each API
area is one module under `routes/`, listed in `routes.ROUTERS`, whose handlers read what they
need from `services.Services`.
"""
