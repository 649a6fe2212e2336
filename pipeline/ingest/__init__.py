"""Reading files into documents: formats, layout, canonical text, metadata."""
