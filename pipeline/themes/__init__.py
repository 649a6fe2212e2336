"""Discovering themes and keeping their identities: fit, labels, codebook, runs."""
