-- The pages that link to Apache Spark the most.
CREATE OR REFRESH MATERIALIZED VIEW top_spark_referrers
COMMENT "A table containing the top pages linking to the Apache Spark page."
AS SELECT
  previous_page_title AS referrer,
  click_count
FROM clickstream_prepared
WHERE current_page_title = 'Apache_Spark'
ORDER BY click_count DESC
LIMIT 10;
