"""Ingestion: statistics forms (xlsx, CSV, Google Sheets) into DuckDB. No streamlit here."""
