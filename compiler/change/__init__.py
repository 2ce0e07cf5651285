"""Contract change: the term-by-term diff of two policies, its impact figures and the changelog."""
