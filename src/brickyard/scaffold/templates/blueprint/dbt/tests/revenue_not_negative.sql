-- A singular test: fails when any day reports negative revenue.
SELECT * FROM {{ ref('daily_revenue') }} WHERE revenue < 0
