-- Writes nothing: caps DuckDB's memory for an import far beyond a province's quarter (more than
-- ingest.BIG_IMPORT cells, a 50 MB CSV has 9 million), so the whole process stays under 1 GB (make bench:
-- limits); DuckDB spills what does not fit to a temporary file beside the version. An ordinary import keeps
-- DuckDB's default (a national quarter's 1,3 million cells peak at about 800 MB, and a cap slows it by 10 %).
-- No parameters.
SET memory_limit = '256MB';
