{% macro money(expression) -%}
  CAST(ROUND({{ expression }}, 2) AS DECIMAL(18, 2))
{%- endmacro %}
