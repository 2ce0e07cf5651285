"""JSON Schemas shipped with the package (read through importlib.resources)."""
