"""Step 4: write a new database version and swap the published link atomically."""
