{% snapshot customers_snapshot %}
{{ config(target_schema='dbt_snap', unique_key='id', strategy='check', check_cols=['name', 'city']) }}
select * from {{ ref('customers') }}
{% endsnapshot %}
