from databricks.bundles.jobs import Job

pydabs_job = Job.from_dict(
    {
        "name": "pydabs_job",
        "parameters": [
            {"name": "catalog", "default": "${var.catalog}"},
            {"name": "schema", "default": "${var.schema}"},
        ],
        "tasks": [
            {
                "task_key": "refresh_pipeline",
                "pipeline_task": {"pipeline_id": "${resources.pipelines.pydabs_etl.id}"},
            },
            {
                "task_key": "main_task",
                "depends_on": [{"task_key": "refresh_pipeline"}],
                "python_wheel_task": {
                    "package_name": "pydabs",
                    "entry_point": "main",
                    "parameters": ["--catalog", "${var.catalog}", "--schema", "${var.schema}"],
                },
                "environment_key": "default",
            },
        ],
        "environments": [
            {
                "environment_key": "default",
                "spec": {"environment_version": "2", "dependencies": ["dist/*.whl"]},
            }
        ],
    }
)
