{#- Supplied by brickyard when dbt runs on the local engine (dbt-spark): dbt-databricks'
    materializations and incremental strategies that dbt-spark lacks, kept to what they leave
    behind. Not part of the user's project; see brickyard/dbt/local_macros.py. -#}

{% materialization materialized_view, adapter='spark' %}
  {{ log(brickyard_local_note('materialized_view', 'a table, rebuilt on every run'), info=True) }}
  {{ return(materialization_table_spark()) }}
{% endmaterialization %}


{% materialization streaming_table, adapter='spark' %}
  {{ log(brickyard_local_note('streaming_table', 'a table of every row its source holds, rebuilt on every run'), info=True) }}
  {%- set identifier = model['alias'] -%}
  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
  {%- set target_relation = api.Relation.create(identifier=identifier, schema=schema, database=database, type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {%- if old_relation is not none and not (old_relation.is_delta and config.get('file_format') == 'delta') -%}
    {{ adapter.drop_relation(old_relation) }}
  {%- endif -%}
  {%- call statement('main') -%}
    {{ create_table_as(False, target_relation, brickyard_unstream(compiled_code)) }}
  {%- endcall -%}
  {% do apply_grants(target_relation, config.get('grants'), should_revoke(old_relation, full_refresh_mode=True)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{% macro brickyard_local_note(materialized, built_as) %}
  {{ return('brickyard: ' ~ this ~ ' is materialized=' ~ materialized ~ ' on Databricks; the local engine builds it as ' ~ built_as) }}
{% endmacro %}


{% macro brickyard_unstream(code) %}
  {#- `FROM STREAM(t)` / `FROM STREAM t` read `t`: a batch read of the same rows. -#}
  {%- set code = modules.re.sub('(?i)\\b(from|join)\\s+stream\\s*\\(\\s*([^()]+?)\\s*\\)', '\\1 \\2', code) -%}
  {%- set code = modules.re.sub('(?i)\\b(from|join)\\s+stream\\s+(?=[`\\w])', '\\1 ', code) -%}
  {{ return(code) }}
{% endmacro %}


{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
  {%- if raw_strategy == 'replace_where' -%}
    {%- if file_format != 'delta' -%}
      {{ exceptions.raise_compiler_error('incremental_strategy replace_where needs file_format delta, not ' ~ file_format) }}
    {%- endif -%}
    {{ return(raw_strategy) }}
  {%- endif -%}
  {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
  {%- if strategy == 'replace_where' -%}
    {%- set predicates = [] if incremental_predicates is none else ([incremental_predicates] if incremental_predicates is string else incremental_predicates) -%}
    insert into {{ target }}
    {% if predicates %}replace where {{ predicates | join(' and ') }}{% endif %}
    select * from {{ source }}
  {%- else -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
  {%- endif -%}
{% endmacro %}
