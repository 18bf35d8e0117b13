SELECT
  s.tier,
  r.region,
  COUNT(*) AS customers,
  {{ money('SUM(s.revenue)') }} AS revenue,
  ROUND(AVG(s.churn_risk), 3) AS avg_churn_risk
FROM {{ source('pipeline', 'customer_scores') }} AS s
LEFT JOIN {{ ref('customer_regions') }} AS r
  ON CAST(SUBSTRING(s.customer_id, 2) AS INT) % 4 = r.region_id
GROUP BY s.tier, r.region
