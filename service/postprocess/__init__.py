"""PDF post-processing: deterministic output now; merging, outlines, metadata and stamps later."""
