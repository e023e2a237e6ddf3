"""Documents and messages the product writes for people, beside ``ui/``: the periodic report
(.docx/PDF), the form kit (.xlsx), the printable «phiếu» of a unit's personal link, the reminder
e-mails. They read through ``queries`` and write through ``data_sources``; ``ui`` and the command
lines call them. Never imports streamlit."""
