"""The task types the Jobs API knows: a task names exactly one of them."""

from __future__ import annotations

TASK_TYPES = (
    "notebook_task",
    "spark_python_task",
    "python_wheel_task",
    "pipeline_task",
    "sql_task",
    "dbt_task",
    "run_job_task",
    "condition_task",
    "for_each_task",
    "spark_jar_task",
    "spark_submit_task",
    "clean_rooms_notebook_task",
    "dashboard_task",
    "dbt_cloud_task",
    "dbt_platform_task",
    "power_bi_task",
    "alert_task",
    "gen_ai_compute_task",
    "python_operator_task",
    "ai_runtime_task",
)
