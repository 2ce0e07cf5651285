"""The policy: AST → policy dict (build), canonical JSON and hashes, the schema, the one loader."""

from .build import (
    FORMAT_VERSION,
    PolicyError,
    build,
    content_hash,
    decimal_str,
    load_schema,
    minor_digits,
    money_str,
    seconds,
    to_json,
    validate,
)

__all__ = [
    "FORMAT_VERSION",
    "PolicyError",
    "build",
    "content_hash",
    "decimal_str",
    "load_schema",
    "minor_digits",
    "money_str",
    "seconds",
    "to_json",
    "validate",
]
