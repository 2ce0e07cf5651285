"""Runtime: load a compiled policy and evaluate it over event data (stdlib + numpy/pyarrow only)."""
