"""Typography of GB/T 9704-2012 公文: units, grid, dates, numbers, punctuation, titles."""
