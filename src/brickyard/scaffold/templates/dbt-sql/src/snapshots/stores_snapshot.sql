{% snapshot stores_snapshot %}
{{ config(unique_key='store_id', strategy='check', check_cols=['city'], target_schema=target.schema) }}
select * from {{ ref('stores') }}
{% endsnapshot %}
