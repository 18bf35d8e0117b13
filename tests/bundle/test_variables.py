"""Variable values by precedence, complex values, references between variables, and their errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.bundle.resolve import InvalidBundle
from brickyard.errors import BundleError
from tests.bundle.conftest import Files, errors, load, only_error

VARS = """
bundle: {name: vars}
variables:
  catalog:
    description: the catalog
    default: main
  schema:
    default: ${var.catalog}_raw
  table:
    default: ${var.schema}.events
  cluster:
    type: complex
    default:
      spark_version: 15.4.x-scala2.12
      node_types: [m5.large, m5.xlarge]
      conf: {spark.a: "1"}
  warehouse:
    lookup:
      warehouse: Shared SQL
targets:
  dev:
    default: true
  prod:
    variables:
      catalog: prod
      cluster:
        spark_version: 16.4.x-scala2.12
        node_types: [r5.large, r5.xlarge]
        conf: {}
resources:
  jobs:
    j:
      name: ${var.table} on ${var.cluster.node_types[1]}
      tags: "${var.cluster.conf}"
      parameters:
        - name: warehouse
          default: ${var.warehouse}
        - name: version
          default: ${var.cluster.spark_version}
"""


def _root(write: Callable[[Files], Path], text: str = VARS) -> Path:
    return write({"databricks.yml": text})


def test_defaults_and_variables_referencing_variables(write: Callable[[Files], Path]) -> None:
    bundle = load(_root(write))
    assert bundle.get("variables", "table", "value") == "main_raw.events"
    assert bundle.resources("jobs")["j"]["name"] == "main_raw.events on m5.xlarge"


def test_a_whole_reference_keeps_the_value_type(write: Callable[[Files], Path]) -> None:
    job = load(_root(write)).resources("jobs")["j"]
    assert job["tags"] == {"spark.a": "1"}
    assert job["parameters"][1]["default"] == "15.4.x-scala2.12"


def test_precedence_cli_over_env_over_target_over_default(write: Callable[[Files], Path]) -> None:
    root = _root(write)
    assert load(root, "prod").get("variables", "catalog", "value") == "prod"
    assert (
        load(root, "prod", env={"BUNDLE_VAR_catalog": "from_env"}).get("variables", "catalog", "value")
        == "from_env"
    )
    cli = load(root, "prod", env={"BUNDLE_VAR_catalog": "from_env"}, catalog="from_cli")
    assert cli.get("variables", "catalog", "value") == "from_cli"
    assert cli.get("variables", "schema", "value") == "from_cli_raw"


def test_complex_values_replace_the_default_whole_in_a_target(write: Callable[[Files], Path]) -> None:
    bundle = load(_root(write), "prod")
    assert bundle.get("variables", "cluster", "value") == {
        "spark_version": "16.4.x-scala2.12",
        "node_types": ["r5.large", "r5.xlarge"],
        "conf": {},
    }


def test_complex_value_from_the_command_line_is_json(write: Callable[[Files], Path]) -> None:
    value = '{"spark_version": "x", "node_types": ["a", "b"], "conf": {}}'
    bundle = load(_root(write), cluster=value)
    assert bundle.resources("jobs")["j"]["name"].endswith("on b")
    diag = only_error(_root(write), cluster="{not json")
    assert "complex variable cluster needs a JSON value" in diag.summary
    assert str(diag.location) == "<command line>:1:1"


def test_lookup_variables_stay_deferred(write: Callable[[Files], Path]) -> None:
    bundle = load(_root(write))
    assert bundle.resources("jobs")["j"]["parameters"][0]["default"] == "${var.warehouse}"
    assert bundle.get("variables", "warehouse") == {"lookup": {"warehouse": "Shared SQL"}}


def test_a_cycle_between_variables_is_reported_not_looped(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: cyc}
    variables:
      a: {default: "x-${var.b}"}
      b: {default: "${var.c}"}
      c: {default: "${var.a}"}
    resources:
      jobs:
        j: {name: "${var.a}"}
    """
    diag = only_error(_root(write, text))
    assert "cycle detected in field resolution" in diag.summary
    # Named as the CLI names it: where it starts (the variable's default), then each reference.
    assert diag.summary.endswith(": variables.a.default -> var.b -> var.c -> var.a -> var.b")
    assert diag.location is None


def test_a_value_that_holds_a_reference_to_itself_stops_with_a_warning(
    write: Callable[[Files], Path],
) -> None:
    text = """
    bundle: {name: selfref}
    variables:
      conf:
        default:
          inner: {again: "${var.conf}"}
    """
    bundle = load(_root(write, text))
    assert [d.summary for d in bundle.diagnostics] == [
        "Variables references are too deep, stopping resolution after 11 rounds. Unresolved variables may remain."
    ]


def test_a_target_may_not_set_a_variable_the_bundle_does_not_define(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: undeclared}
    variables:
      region: {default: us}
    targets:
      dev:
        variables:
          zone: b
    """
    diag = only_error(_root(write, text))
    assert (
        diag.summary
        == "failed to perform target override for target=dev: variable zone is not defined but is assigned a value"
    )
    assert diag.location is None


def test_a_variable_given_twice_on_the_command_line_is_an_error(write: Callable[[Files], Path]) -> None:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.bundle.resolve import InvalidBundle

    root = _root(write, "bundle: {name: twice}\nvariables:\n  size: {default: s}\n")
    with pytest.raises(InvalidBundle) as err:
        load_bundle(root, LoadOptions(variables=["size=m", "size=l"], environ={}))
    assert [d.summary for d in err.value.diagnostics] == [
        "failed to assign l to size: variable has already been assigned value: m"
    ]
    assert err.value.config is not None and err.value.config.get("workspace") is None


def test_missing_value_names_the_variable_and_how_to_set_it(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: req}
    variables:
      token_scope:
        description: required
    """
    diag = only_error(_root(write, text))
    assert "no value assigned to required variable token_scope" in diag.summary
    assert "BUNDLE_VAR_token_scope" in diag.summary
    assert 'Assignment can be done using "--var"' in diag.summary
    assert diag.summary.endswith("or in .databricks/bundle/<target>/variable-overrides.json file")
    assert diag.location is None
    assert load(_root(write, text), token_scope="s").get("variables", "token_scope", "value") == "s"


def test_undefined_variables_are_errors_wherever_they_are_used(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: undef}
    resources:
      jobs:
        j:
          name: ${var.nope}
    """
    diag = only_error(_root(write, text))
    assert diag.summary == "reference does not exist: ${var.nope}"
    assert diag.path == "" and diag.location is None  # the CLI names no place for it
    with pytest.raises(BundleError, match="variable other is not defined"):
        load(_root(write, VARS), other="1")


def test_indexing_into_a_value_that_is_no_mapping_is_an_error_in_the_cli_words(
    write: Callable[[Files], Path],
) -> None:
    text = """
    bundle: {name: idx}
    variables:
      text: {default: plain}
      nodes: {type: complex, default: [a, b]}
      bad_key: {default: "${var.text.name}"}
    """
    diag = only_error(_root(write, text))
    assert diag.summary == 'expected a map to index "variables.text.value.name", found string'
    assert diag.location is None
    for written, summary in (
        ("${var.nodes.first}", 'expected a map to index "variables.nodes.value.first", found sequence'),
        ("${var.nodes[5]}", 'index out of bounds at "variables.nodes.value[5]"'),
        ("${var.text[0]}", 'expected a sequence to index "variables.text.value[0]", found string'),
    ):
        variant = text.replace("${var.text.name}", written)
        assert only_error(_root(write, variant)).summary == summary


def test_variables_see_each_other_as_written_and_resources_see_them_resolved(
    write: Callable[[Files], Path],
) -> None:
    """As in the CLI, variables resolve in one pass over their values as written: a variable whose
    value is a reference to a mapping cannot be indexed from another variable (it is still text
    there), but it can from a resource, which resolves after every variable has."""
    text = """
    bundle: {name: passes}
    variables:
      catalog_1: {default: {name: hive}}
      catalog: {default: "${var.catalog_1}"}
    resources:
      jobs:
        j:
          name: ${var.catalog.name}
    """
    bundle = load(_root(write, text))
    assert bundle.get("resources", "jobs", "j", "name") == "hive"
    early = text.replace("    resources:", '      conf: {default: "${var.catalog.name}"}\n    resources:')
    with pytest.raises(InvalidBundle) as info:
        load(_root(write, early))
    (diag,) = info.value.diagnostics
    assert diag.summary == 'expected a map to index "variables.catalog.value.name", found string'
    assert info.value.config is not None  # printed as it stood: the resources still as written
    assert info.value.config.plain()["resources"]["jobs"]["j"]["name"] == "${var.catalog.name}"


def test_a_mapping_default_without_type_complex_is_accepted(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: t}
    variables:
      conf:
        default: {a: 1}
    """
    bundle = load(_root(write, text))
    assert bundle.get("variables", "conf", "value") == {"a": 1}


def test_complex_value_cannot_be_embedded_in_a_string(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: t}
    variables:
      conf: {type: complex, default: {a: 1}}
    resources:
      jobs:
        j: {name: "job ${var.conf}"}
    """
    found = errors(_root(write, text))
    assert any("cannot use ${var.conf} inside a longer string" in d.summary for d in found)


def test_bundle_and_workspace_references_resolve(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: refs}
    resources:
      jobs:
        j:
          name: ${bundle.name}-${bundle.target}
          description: ${workspace.current_user.userName} ${workspace.file_path}
    """
    job = load(_root(write, text)).resources("jobs")["j"]
    assert job["name"] == "refs-default"
    assert job["description"] == (
        "tester@brickyard.local /Workspace/Users/tester@brickyard.local/.bundle/refs/default/files"
    )


def test_resource_ids_are_deferred_but_unknown_resources_are_errors(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: ids}
    resources:
      pipelines:
        p: {name: p}
      jobs:
        j:
          name: j on ${resources.pipelines.p.name}
          tasks:
            - task_key: run
              pipeline_task: {pipeline_id: "${resources.pipelines.p.id}"}
            - task_key: other
              run_job_task: {job_id: "${resources.jobs.missing.id}"}
    """
    found = errors(_root(write, text))
    assert [d.summary for d in found] == ["reference does not exist: ${resources.jobs.missing.id}"]
    good = text.replace("${resources.jobs.missing.id}", "${resources.jobs.j.id}")
    job = load(_root(write, good)).resources("jobs")["j"]
    assert job["name"] == "j on p"
    assert job["tasks"][1]["pipeline_task"]["pipeline_id"] == "${resources.pipelines.p.id}"


def test_a_misspelt_reference_suggests_the_names_it_may_mean(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: typos}
    variables:
      region: {default: eu}
      regions: {default: [eu]}
      sizes:
        type: complex
        default: {small: 1, large: 8}
    resources:
      jobs:
        b: {name: "${var.sizes.smal}"}
        a: {name: "${var.regin}"}
        c: {name: "${workspace.rot_path}"}
    """
    # Only the first missing reference by configuration path is reported, as the CLI stops there;
    # the names it may have meant come as whole references, one a line.
    first = only_error(_root(write, text))
    assert (first.summary, first.detail) == (
        "reference does not exist: ${var.regin}",
        "did you mean:\n  ${var.region}\n  ${var.regions}",
    )
    one = only_error(_root(write, text.replace('a: {name: "${var.regin}"}', "a: {name: x}")))
    assert (one.summary, one.detail) == (
        "reference does not exist: ${var.sizes.smal}",
        "did you mean:\n  ${var.sizes.small}",
    )
    # a misspelt variable name is corrected, the rest of the path kept as written
    outer = text.replace('a: {name: "${var.regin}"}', 'a: {name: "${var.size.smal}"}')
    assert only_error(_root(write, outer)).detail == "did you mean:\n  ${var.sizes.smal}"
    other = text.replace('a: {name: "${var.regin}"}', "a: {name: x}").replace("${var.sizes.smal}", "z")
    assert only_error(_root(write, other)).detail == "did you mean:\n  ${workspace.root_path}"


def test_a_doubled_dollar_is_a_literal_reference(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: escapes}
    variables:
      day: {default: monday}
    resources:
      jobs:
        j:
          name: "$${job.start_time} on ${var.day}"
          parameters:
            - {name: p, default: "$${var.day}"}
    """
    bundle = load(_root(write, text))
    job = bundle.resources("jobs")["j"]
    assert job["name"] == "${job.start_time} on monday"
    assert job["parameters"][0]["default"] == "${var.day}"


@pytest.mark.parametrize(
    ("written", "warning"),
    [
        ("${}", "empty variable reference"),
        ("x ${var.a", "unterminated variable reference"),
        ("${1st.key}", 'invalid variable reference ${1st.key}: invalid key "1st"'),
        ("${var.a-}", 'invalid variable reference ${var.a-}: invalid key "a-"'),
        ("${var.a__b-c}", None),  # joined by `_` and `-`: a key (of no variable)
    ],
)
def test_text_that_only_looks_like_a_reference_is_kept_with_a_warning(
    write: Callable[[Files], Path], written: str, warning: str | None
) -> None:
    text = f"""
    bundle: {{name: looks}}
    variables:
      a: {{default: x}}
    resources:
      jobs:
        j: {{name: '{written}'}}
    """
    if warning is None:
        assert only_error(_root(write, text)).summary == f"reference does not exist: {written}"
        return
    bundle = load(_root(write, text))
    assert bundle.resources("jobs")["j"]["name"] == written
    assert [(d.summary, d.path, str(d.location)) for d in bundle.warnings] == [
        (warning, "resources.jobs.j.name", "databricks.yml:6:15")
    ]


def test_a_bundle_name_built_from_variables_is_warned_about(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: "etl-${var.team}"}
    variables:
      team: {default: data}
    """
    bundle = load(_root(write, text))
    assert bundle.get("bundle", "name") == "etl-data"
    (warning,) = bundle.warnings
    assert warning.summary.startswith("Please do not use variable interpolation in the name of your bundle.")
    assert warning.path == "bundle.name"


def test_a_backslash_escapes_a_reference(write: Callable[[Files], Path]) -> None:
    text = r"""
    bundle: {name: slash}
    resources:
      jobs:
        j: {name: 'run \${job.id}'}
    """
    assert load(_root(write, text)).resources("jobs")["j"]["name"] == "run ${job.id}"


def test_a_fraction_where_a_whole_number_belongs_is_dropped_for_the_default(
    write: Callable[[Files], Path],
) -> None:
    text = """
    bundle: {name: frac}
    variables:
      runs: {default: 2.5}
    resources:
      jobs:
        j: {name: j, max_concurrent_runs: "${var.runs}"}
    """
    bundle = load(_root(write, text))
    assert bundle.resources("jobs")["j"]["max_concurrent_runs"] == 1
    assert [(d.summary, d.path) for d in bundle.warnings] == [
        (
            'cannot accurately represent "2.5" as integer due to precision loss',
            "resources.jobs.j.max_concurrent_runs",
        )
    ]


def test_git_fields_left_empty_resolve_to_empty_text(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: nogit}
    resources:
      jobs:
        j: {name: "j-${bundle.git.branch}", tags: {commit: "${bundle.git.commit}"}}
    """
    job = load(_root(write, text)).resources("jobs")["j"]
    assert job["name"] == "j-" and job["tags"] == {"commit": ""}


def test_a_resource_key_may_not_be_built_from_a_variable(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: keyed}
    variables:
      team: {default: data}
    resources:
      pipelines:
        ${var.team}_ingest:
          name: ingest
    """
    diag = only_error(_root(write, text))
    assert diag.summary == 'resource key "${var.team}_ingest" must not contain variable references'
    assert diag.path == "resources.pipelines.${var.team}_ingest"
    assert str(diag.location) == "databricks.yml:7:7"  # where its mapping starts, as the CLI points


def test_saved_values_must_match_the_variable_type(write: Callable[[Files], Path]) -> None:
    files = {
        "databricks.yml": "bundle: {name: saved}\nvariables:\n  sizes: {type: complex}\n  zone: {}\n",
        ".databricks/bundle/default/variable-overrides.json": '{"sizes": "small", "zone": {"a": 1}}',
    }
    root = write(files)
    with pytest.raises(BundleError) as err:
        load(root)
    assert sorted(d.summary for d in err.value.diagnostics) == [
        "variable sizes is of type complex, but the value in the variable file is not a complex type",
        "variable zone is not of type complex, but the value in the variable file is a complex type",
    ]


def test_only_the_first_missing_variable_is_reported_and_a_target_value_is_the_default(
    write: Callable[[Files], Path],
) -> None:
    text = """
    bundle: {name: several}
    variables:
      zone: {}
      catalog: {}
      owner: {default: a}
    targets:
      dev:
        variables:
          owner: b
    """
    diag = only_error(_root(write, text))
    assert diag.summary.startswith("no value assigned to required variable catalog.")
    bundle = load(_root(write, text), catalog="c", zone="z", owner="cli")
    assert bundle.get("variables", "owner") == {"default": "b", "value": "cli"}


def test_a_target_override_left_empty_keeps_the_default(write: Callable[[Files], Path]) -> None:
    text = """
    bundle: {name: empty_override}
    variables:
      prefix: {default: ""}
      region: {default: eu}
    targets:
      dev:
        default: true
        variables:
          prefix:
          region:
    """
    bundle = load(_root(write, text))
    assert bundle.get("variables", "prefix")["value"] == ""
    assert bundle.get("variables", "region")["value"] == "eu"


def test_a_reference_in_the_workspace_host_is_not_resolved_and_stops_validation(
    write: Callable[[Files], Path],
) -> None:
    """The host is needed before variables are: the CLI warns, fails to parse it, and stops."""
    text = """
    bundle: {name: hosted}
    variables:
      host: {default: "https://adb-1.azuredatabricks.net"}
      who: {default: me}
    workspace:
      host: ${var.host}
      profile: ${var.who}
    """
    with pytest.raises(InvalidBundle) as info:
        load(_root(write, text))
    summaries = [(d.severity.value, d.summary, d.path) for d in info.value.diagnostics]
    auth = "Variable interpolation is not supported for fields that configure authentication"
    assert summaries == [
        ("warning", auth, "workspace.host"),
        (
            "error",
            'failed during request visitor: parse "https://${var.host}": invalid character "{" in host name',
            "",
        ),
        ("warning", auth, "workspace.profile"),
    ]
    assert "DATABRICKS_CONFIG_PROFILE" in info.value.diagnostics[2].detail
    printed = info.value.config.plain()
    assert printed["workspace"] == {"host": "${var.host}", "profile": "${var.who}"}
    assert "targets" not in printed and "git" not in printed["bundle"]


@pytest.mark.parametrize(
    ("saved", "where", "message"),
    [
        ("fo", "", "invalid character 'o' in literal false (expecting 'a')"),
        ("", "", "unexpected end of JSON input"),
        ('{"zone": "a" "size": 1}', "1:14", "invalid character '\"' after object key:value pair"),
        ('{\n  "zone": nul\n}', "2:11", "invalid character '\\n' in literal null (expecting 'l')"),
        ('{"zone": [1,]}', "1:13", "invalid character ']' looking for beginning of value"),
        ('{"zone": "a\\q"}', "1:10", "invalid character 'q' in string escape code"),
        ('{"zone": 1.}', "1:10", "invalid character '}' after decimal point in numeric literal"),
        ('{"zone": "a",', "1:14", "unexpected end of JSON input"),
        ('{"zone": NaN}', "1:10", "invalid character 'N' looking for beginning of value"),
    ],
)
def test_a_broken_saved_values_file_is_described_as_the_cli_describes_it(
    write: Callable[[Files], Path], saved: str, where: str, message: str
) -> None:
    root = write({"databricks.yml": VARS, ".databricks/bundle/dev/variable-overrides.json": saved})
    path = root / ".databricks/bundle/dev/variable-overrides.json"
    diag = only_error(root)
    at = f"{path}:{where}" if where else ":0:0"
    assert diag.summary == f"failed to parse variables file {path}: error decoding JSON at {at}: {message}"


def test_only_the_first_value_of_a_saved_values_file_is_read(write: Callable[[Files], Path]) -> None:
    files = {
        "databricks.yml": "bundle: {name: saved}\nvariables:\n  zone: {}\n",
        ".databricks/bundle/default/variable-overrides.json": '{"zone": "eu"} and then some notes',
    }
    assert load(write(files)).get("variables", "zone", "value") == "eu"
