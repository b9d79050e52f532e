"""Text handling: reading input files, German sentence segmentation, typography."""
