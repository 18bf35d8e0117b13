#!/usr/bin/env bash
# A provisioning script written the way the Databricks REST API reference writes its calls: plain
# curl, JSON with -d and no content type, a GET with a JSON body, a multipart DBFS upload, and jq.
# It runs unchanged against a workspace or the brickyard local workspace:
#
#   DATABRICKS_HOST=https://127.0.0.1:PORT DATABRICKS_TOKEN=dapi... CURL_CA_BUNDLE=ca.pem bash curl_script.sh
#
# Prints one "key=value" line per thing it made, and exits non-zero at the first failed call.
set -euo pipefail
: "${DATABRICKS_HOST:?set DATABRICKS_HOST}" "${DATABRICKS_TOKEN:?set DATABRICKS_TOKEN}"
NAME="${SCRIPT_NAME:-curl-$$}"
AUTH="Authorization: Bearer ${DATABRICKS_TOKEN}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. An init script, uploaded to DBFS with a multipart form.
cat > "$WORK/setup.sh" <<'SCRIPT'
#!/bin/bash
echo "cluster ready"
SCRIPT
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.0/dbfs/put" -H "$AUTH" \
  -F path="/databricks/init/${NAME}/setup.sh" -F contents=@"$WORK/setup.sh" -F overwrite=true > /dev/null
curl -sS --fail-with-body -X GET "${DATABRICKS_HOST}/api/2.0/dbfs/list" -H "$AUTH" \
  -d "{\"path\": \"/databricks/init/${NAME}\"}" > "$WORK/listed.json"
echo "init_script=$(jq -r '.files[0].path' "$WORK/listed.json")"

# 2. A cluster that runs it.
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.0/clusters/create" -H "$AUTH" -d "{
  \"cluster_name\": \"${NAME}\",
  \"spark_version\": \"15.4.x-scala2.12\",
  \"node_type_id\": \"i3.xlarge\",
  \"num_workers\": 1,
  \"autotermination_minutes\": 30,
  \"init_scripts\": [{\"dbfs\": {\"destination\": \"dbfs:/databricks/init/${NAME}/setup.sh\"}}]
}" > "$WORK/cluster.json"
CLUSTER_ID="$(jq -r .cluster_id "$WORK/cluster.json")"
echo "cluster_id=${CLUSTER_ID}"

# 3. A notebook, imported as base64 source.
cat > "$WORK/notebook.py" <<'NOTEBOOK'
# Databricks notebook source
greeting = dbutils.widgets.get("greeting")
print(greeting)

# COMMAND ----------

dbutils.notebook.exit(greeting.upper())
NOTEBOOK
NOTEBOOK_PATH="/Shared/${NAME}/hello"
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.0/workspace/mkdirs" -H "$AUTH" \
  -d "{\"path\": \"/Shared/${NAME}\"}" > /dev/null
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.0/workspace/import" -H "$AUTH" -d "{
  \"path\": \"${NOTEBOOK_PATH}\",
  \"format\": \"SOURCE\",
  \"language\": \"PYTHON\",
  \"content\": \"$(base64 -w0 "$WORK/notebook.py")\",
  \"overwrite\": true
}" > /dev/null
echo "notebook=$(curl -sS --fail-with-body -H "$AUTH" -G "${DATABRICKS_HOST}/api/2.0/workspace/get-status" \
  --data-urlencode "path=${NOTEBOOK_PATH}" | jq -r .object_type)"

# 4. The same job twice: Jobs API 2.1 (tasks) and 2.0 (the task at the top level).
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.1/jobs/create" -H "$AUTH" -d "{
  \"name\": \"${NAME}-2.1\",
  \"tasks\": [{
    \"task_key\": \"hello\",
    \"existing_cluster_id\": \"${CLUSTER_ID}\",
    \"notebook_task\": {\"notebook_path\": \"${NOTEBOOK_PATH}\", \"base_parameters\": {\"greeting\": \"hi from 2.1\"}}
  }]
}" > "$WORK/job21.json"
curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/2.0/jobs/create" -H "$AUTH" -d "{
  \"name\": \"${NAME}-2.0\",
  \"existing_cluster_id\": \"${CLUSTER_ID}\",
  \"notebook_task\": {\"notebook_path\": \"${NOTEBOOK_PATH}\", \"base_parameters\": {\"greeting\": \"hi from 2.0\"}}
}" > "$WORK/job20.json"

# 5. Run both and wait for them.
wait_for_run() {  # run_id -> prints the final run document
  local deadline=$((SECONDS + ${RUN_TIMEOUT:-180})) state
  while :; do
    curl -sS --fail-with-body -H "$AUTH" "${DATABRICKS_HOST}/api/2.1/jobs/runs/get?run_id=$1" > "$WORK/run.json"
    state="$(jq -r .state.life_cycle_state "$WORK/run.json")"
    case "$state" in TERMINATED | SKIPPED | INTERNAL_ERROR) cat "$WORK/run.json"; return ;; esac
    if ((SECONDS > deadline)); then echo "run $1 still $state" >&2; return 1; fi
    sleep 0.5
  done
}
for version in 2.1 2.0; do
  JOB_ID="$(jq -r .job_id "$WORK/job${version/./}.json")"
  RUN_ID="$(curl -sS --fail-with-body -X POST "${DATABRICKS_HOST}/api/${version}/jobs/run-now" -H "$AUTH" \
    -d "{\"job_id\": ${JOB_ID}}" | jq -r .run_id)"
  wait_for_run "$RUN_ID" > "$WORK/final.json"
  RESULT="$(jq -r .state.result_state "$WORK/final.json")"
  TASK_RUN_ID="$(jq -r '.tasks[0].run_id' "$WORK/final.json")"
  OUTPUT="$(curl -sS --fail-with-body -H "$AUTH" \
    "${DATABRICKS_HOST}/api/2.1/jobs/runs/get-output?run_id=${TASK_RUN_ID}" | jq -r .notebook_output.result)"
  echo "job_${version}=${JOB_ID} run=${RUN_ID} result=${RESULT} output=${OUTPUT}"
  [[ "$RESULT" == "SUCCESS" ]] || exit 1
done
