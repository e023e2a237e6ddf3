"""The form kit: the statistics form (phụ lục) as an .xlsx that never needs repair, and its QR code.

    python -m data_sources form-kit --plan 000 --period 2026-Q3 --out phu_luc.xlsx [--link URL --qr qr.png]

Uses the catalog (``core.catalog``) and the official unit list; never queries, ui or streamlit.
"""

from .form import FormKit, build_form, roster_units, write_qr

__all__ = ["FormKit", "build_form", "roster_units", "write_qr"]
