"""What a declared name says of itself, in every language of the contract: for hover and completion.

A tier, calendar, service, channel, credit or priority has a display name (`name en "Compute" zh "计算服务"`),
a priority also a description; a defined term and a condition have their definition, a clause and an
exclusion their text. The texts are shown as written, in the order written (the first language is
the original), each marked with its language.
"""

from __future__ import annotations

from .. import nodes as n
from .analysis import Analysis

LONGEST = 300  # characters of one text shown; a longer one ends in "…"

# The label of each text a name carries, in English and Chinese.
LABELS = {
    "name": ("name", "名称"),
    "description": ("description", "说明"),
    "definition": ("definition", "定义"),
    "title": ("title", "标题"),
    "text": ("text", "文字"),
}
TEXT_OF = {"term": "definition", "condition": "definition", "clause": "text", "exclusion": "text"}


def texts_of(analysis: Analysis, kind: str, value: str) -> list[tuple[str, n.Texts]]:
    """(label, texts) of the declaration of `value`, in the order they are shown."""
    decl = analysis.declaration(kind, value)
    statement = decl.statement if decl is not None else None
    found: list[tuple[str, n.Texts]] = []
    if isinstance(statement, n.NamedBlock):
        display = statement.texts(n.DisplayName)
        if display is not None:
            found.append(("name", display))
        described = statement.first(n.Description)
        if described is not None:
            found.append(("description", described.texts))
    elif isinstance(statement, n.TextBlock):
        title = getattr(statement, "title", None)
        if isinstance(title, n.Title):
            found.append(("title", title.texts))
        found.append((TEXT_OF.get(kind, "text"), statement.texts))
    return found


def display_names(analysis: Analysis, kind: str, value: str) -> list[str]:
    """The display names of `value` in the languages written (`["Compute", "计算服务"]`), or []."""
    return [
        t.value for label, texts in texts_of(analysis, kind, value) if label in ("name", "title") for t in texts.items
    ]


def describe(analysis: Analysis, kind: str, value: str, zh: bool) -> str | None:
    """Markdown of the name's texts, one line per label: `name: **en** Compute · **zh** 计算服务`."""
    lines = []
    for label, texts in texts_of(analysis, kind, value):
        shown = " · ".join(f"**{t.lang.value}** {_short(t.value)}" for t in texts.items)
        lines.append(f"{LABELS[label][1 if zh else 0]}{'：' if zh else ': '}{shown}")
    return "\n\n".join(lines) or None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST else text[: LONGEST - 1].rstrip() + "…"
