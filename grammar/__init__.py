"""The contract grammar (`sla.lark`) and its table of known syntax mistakes, shipped as package data."""
