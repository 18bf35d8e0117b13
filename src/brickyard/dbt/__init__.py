"""dbt projects of a bundle: run on the target's engine, parsed by validate, compared with what is deployed.

- `project`: which dbt projects the bundle's `dbt_task`s run, found back in the checkout;
- `profiles`: the private, single-use profiles brickyard writes (no secret in the file);
- `invoke`: one in-process dbt invocation and its exit code;
- `run`: `brickyard dbt`, on the local engine (`local`) or a workspace's SQL warehouse (`remote`);
- `slim`: the deployed release's manifest for `--slim` (state:modified+, deferred);
- `parse`: `dbt parse` for validate, errors at their file and line;
- `artifacts`: the `target/` artifacts local dbt task runs keep.
"""
