"""PDF post-processing: deterministic output, merging, outlines, metadata, stamps and how the PDF opens and prints."""
