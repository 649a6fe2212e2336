"""Documents into quotable passages: segmentation, speaker turns, redaction for display."""
