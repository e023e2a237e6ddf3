-- The distinct (kind, text, type) a field cell of this import can hold: each is parsed once by values.parse.
-- Grain: one row per distinct combination. No parameters; reads the registered frames _raw (non-empty
-- cells as read) and _layout (tab, col, field, kind). Every cell of a field column counts (a header or
-- total row's too: parsed, never joined), and the empty cell ('', 's') of each kind: a superset of the
-- staged cells' texts, found without staging them first.
SELECT DISTINCT l.kind, c.value AS text, c.type
FROM _raw AS c
JOIN _layout AS l ON l.tab = c.tab AND l.col = c.col
UNION
SELECT DISTINCT kind, '' AS text, 's' AS type FROM _layout
