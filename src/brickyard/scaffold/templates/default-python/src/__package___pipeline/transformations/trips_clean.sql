-- Clean trips: no zero-distance rides, fares of at least the minimum.
CREATE OR REFRESH MATERIALIZED VIEW trips_clean (
  CONSTRAINT positive_distance EXPECT (trip_distance > 0) ON VIOLATION DROP ROW
)
COMMENT "Trips that pass the quality rules"
AS SELECT trip_id, fare_amount, trip_distance, pickup_zip
FROM trips_raw
WHERE fare_amount >= 2.5
