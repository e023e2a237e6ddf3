"""Step 3: load parsed tabs into raw/stg, rebuild the marts (ingest), and the write actions built on it (refresh, mappings, demo)."""
