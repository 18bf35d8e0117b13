import time
from typing import Any

from tests.workspace_fixtures import Project

FINAL = ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")


NAP_BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  jobs:
    nap:
      name: nap
      parameters:
        - name: seconds
          default: "0"
      tasks:
        - task_key: doze
          spark_python_task:
            python_file: ./nap.py
            parameters: ["{{job.parameters.seconds}}"]
    broken:
      name: broken
      tasks:
        - task_key: boom
          spark_python_task:
            python_file: ./boom.py
"""
"""Two jobs for history and alert tests: `nap` sleeps its `seconds` parameter, `broken` fails."""
NAP = "import sys, time\ntime.sleep(float(sys.argv[1]))\n"


def run_jobs(sdk: Any, bundle: Project, *runs: tuple[str, dict[str, str]]) -> list[Any]:
    """Run deployed jobs one after the other through the SDK, waiting with a 50 ms poll (`brickyard
    run` polls every half second, which fixtures running several jobs would pay for each time)."""
    ended = []
    for key, parameters in runs:
        job_id = int(bundle.state().resource("jobs", key).id)
        run_id = sdk.jobs.run_now(job_id, job_parameters=parameters or None).run_id
        deadline = time.monotonic() + 90
        while (run := sdk.jobs.get_run(run_id)).state.life_cycle_state.value not in FINAL:
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run_id} of {key} did not finish in 90s")
            time.sleep(0.05)
        ended.append(run)
    return ended


def results(runs: list[Any]) -> list[str]:
    return [run.state.result_state.value for run in runs]
