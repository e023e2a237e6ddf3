"""Step 2: find the form in a tab (layout), read each cell by the spec's rules (values, periods) and match units."""
