"""The document's sections, in order: each a function `(builder, probe=False)`.

With `probe=True` a section says whether it exists (never depending on a section number); without,
it returns `(intro blocks, [(clause heading, clause blocks), ...])`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .compensation import compensation
from .examples import examples
from .front import definitions, scope
from .standards import standards
from .terms import general, limitations, third_party

SectionBuilder = Callable[..., Any]

SECTIONS: tuple[tuple[str, SectionBuilder], ...] = (
    ("definitions", definitions),
    ("scope", scope),
    ("standards", standards),
    ("compensation", compensation),
    ("limitations", limitations),
    ("general", general),
    ("third_party", third_party),
    ("examples", examples),
)
