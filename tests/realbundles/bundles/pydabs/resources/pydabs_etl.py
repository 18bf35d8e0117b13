from databricks.bundles.pipelines import Pipeline

pydabs_etl = Pipeline.from_dict(
    {
        "name": "pydabs_etl",
        "catalog": "${var.catalog}",
        "schema": "${var.schema}",
        "serverless": True,
        "root_path": "src/pydabs_etl",
        "libraries": [{"glob": {"include": "src/pydabs_etl/transformations/**"}}],
        "environment": {"dependencies": ["--editable ${workspace.file_path}"]},
    }
)
