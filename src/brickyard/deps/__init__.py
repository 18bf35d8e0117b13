"""Reproducible cluster environments: snapshot a runtime, lock on top of it, enforce the lock.

A Databricks runtime ships a few hundred Python packages. A job that adds its own on top gets
whatever versions the resolver picks on the day the cluster starts, which is not what CI tested.
This package pins the whole graph instead: the runtime's packages (`runtime-baseline*.in`) plus the
project's additions (`additional-packages*.in`) are resolved into one hashed lock, and an init
script makes every cluster match that lock at startup.

Entry points for other parts of brickyard:

- `brickyard.deps.lock.lock_project`: resolve and write the lock (`brickyard deps lock`).
- `brickyard.deps.check.check_project`: stale locks and unsatisfied wheel dependencies.
- `brickyard.deps.initscript.wire_init_scripts`: add the enforcement script to every cluster of a
  resolved configuration (the deploy calls it).
- `brickyard.deps.envbuilder.build_environment`: a cached virtual environment from a lock, for the
  local workspace's clusters.
"""
