"""Passage vectors: the embedding models and embedding what is new."""
