"""Findings: qualitative evidence synthesis for locality reviews."""

__version__ = "0.1.0"
