-- Reads the shape of the marts as last built (mart.build_shape; none before this was kept). Grain: at most
-- one row. No parameters.
SELECT shape FROM mart.build_shape
