"""Statistics for synthesis over review counts."""
