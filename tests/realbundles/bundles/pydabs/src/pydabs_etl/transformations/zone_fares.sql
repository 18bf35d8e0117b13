CREATE MATERIALIZED VIEW zone_fares AS
SELECT pickup_zip, avg(fare_amount) AS average_fare, count(*) AS trips
FROM trips
GROUP BY pickup_zip
