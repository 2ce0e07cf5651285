"""The policy: its encoding (codec), its schema (schema), the one loader (load) and its view (view).

`build` (AST → policy dict) is the only part that reads the AST; it is imported on first use, so
a runtime service that only loads policy JSON (`slac.policy.load`) never imports the front end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .codec import DAYS, FORMAT_VERSION, content_hash, decimal_str, minor_digits, money_str, to_json
from .load import load
from .schema import PolicyError, load_schema, validate
from .view import PolicyView

if TYPE_CHECKING:  # pragma: no cover
    from .build import build, seconds

__all__ = [
    "DAYS",
    "FORMAT_VERSION",
    "PolicyError",
    "PolicyView",
    "build",
    "content_hash",
    "decimal_str",
    "load",
    "load_schema",
    "minor_digits",
    "money_str",
    "seconds",
    "to_json",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name in ("build", "seconds"):
        import importlib

        # Importing the submodule binds `slac.policy.build` to it; bind the function over it.
        module = importlib.import_module(".build", __name__)
        globals().update(build=module.build, seconds=module.seconds)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
