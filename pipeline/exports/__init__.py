"""Exports: a REFI-QDA project and codebook for QDA tools, tables, and a drafted report.

All of them read the warehouse through `pipeline.queries` and apply the codebook the way the
viewer does (names, descriptions, headings, sub-themes, merges, themes set aside).
"""
