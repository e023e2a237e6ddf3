"""Streamlit-only helpers: data access with caching, filters, widgets."""
