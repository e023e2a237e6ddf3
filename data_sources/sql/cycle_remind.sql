-- Writes cycle.reminders: counts one reminder sent to a unit for a quarter. Parameters: $unit, $quarter, $by, $at.
INSERT INTO cycle.reminders VALUES ($unit, $quarter, $by, $at)
