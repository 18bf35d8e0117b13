CREATE MATERIALIZED VIEW sample_zones_lakeflow AS
SELECT pickup_zip, SUM(fare_amount) AS total_fare
FROM sample_trips_lakeflow
GROUP BY pickup_zip
