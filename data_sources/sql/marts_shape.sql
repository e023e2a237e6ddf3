-- Writes mart.build_shape: the shape of the marts this build wrote (data_sources/load/ingest.py MARTS_SHAPE).
-- A later build computes only the keys it touches when the shape is the same; else it builds everything.
-- Parameters: $shape.
CREATE OR REPLACE TABLE mart.build_shape AS SELECT CAST($shape AS INTEGER) AS shape
