"""The form kit: the statistics form (phụ lục) as an .xlsx that never needs repair, and its QR code.

    python -m outputs form-kit --plan 000 --period 2026-Q3 --out phu_luc.xlsx [--link URL --qr qr.png]
    python -m data_sources form-kit …   (the same command: the administrators' documented front door)

Uses the catalog (``core.catalog``, ``core.form``) and the reader's own unit list and value rules
(``data_sources.parse``); never ui or streamlit.
"""

from .command import add_parser as add_form_kit_parser
from .command import run as run_form_kit
from .form import FormKit, build_form, roster_units, write_qr

__all__ = ["FormKit", "add_form_kit_parser", "build_form", "roster_units", "run_form_kit", "write_qr"]
