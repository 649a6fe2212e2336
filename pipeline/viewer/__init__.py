"""The Streamlit viewer's plumbing: cached reads through the query layer, charts, filters.

Pages (`app_pages/`) only lay things out; everything they show comes from here.
"""
