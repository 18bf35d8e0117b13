{% snapshot customer_tiers %}
{{ config(unique_key='customer_id', strategy='check', check_cols=['tier'], target_schema=target.schema) }}
SELECT customer_id, tier FROM {{ source('pipeline', 'customer_scores') }}
{% endsnapshot %}
