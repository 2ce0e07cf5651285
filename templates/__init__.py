"""Renderer templates and string catalogues, shipped as package data (filled by the renderer)."""
