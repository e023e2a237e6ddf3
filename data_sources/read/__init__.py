"""Step 1 of the pipeline: bring a source's cells in as they are (files, Google Sheets). Knows nothing of the form."""
