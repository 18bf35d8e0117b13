"""Security and compliance gates: vulnerable, disallowed or leaking code stops before it deploys.

Four scanners share one finding type (`findings.Finding`) so that the terminal, `-o json`, the JSON
report and SARIF for CI all say the same thing:

- `vulns`: known vulnerabilities of the locked graph (pip-audit, or offline OSV files);
- `licenses`: every locked package's licence against the project's allow/deny lists;
- `secrets`: plaintext credentials in the project's files (detect-secrets plus Databricks patterns);
- `policy`: Databricks cluster policies and the project's own rules, on the resolved bundle.

For the deploy: `secrets.check_deploy_inputs` stops a deploy whose inputs hold a secret.
For validate: `policy.enforce_policies` runs when brickyard.yml configures policies.
"""
