"""The duckdb engine's record check refuses exactly the ids the runtime's reader does not take as they are
(slac.plan.inputs.tickets_problems_sql, issue 15): empty, with a NUL, over limits.MAX_FIELD_CHARS bytes,
or with at either end a character up to U+0020, U+0085 or a Unicode separator (Zs, Zl, Zp) — for every
code point at either end of an id, checked against an oracle written from those words (unicodedata)."""

from __future__ import annotations

import unicodedata

import pyarrow as pa

from slac import limits
from slac.plan.duck import session
from slac.plan.inputs import id_problem


def _edge(c: str) -> bool:
    return ord(c) <= 0x20 or c == "\x85" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def _refused(text: str) -> bool:
    """The oracle: whether the runtime's reader would not take this id as it is."""
    too_long = len(text) > limits.MAX_FIELD_CHARS  # characters, not bytes
    return text == "" or "\0" in text or too_long or _edge(text[0]) or _edge(text[-1])


def _ids() -> list[str]:
    points = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    ids = [*points, *(f"a{c}" for c in points), *(f"{c}b" for c in points), *(f"a{c}b" for c in points[:0x3100])]
    long_ok = "x" * limits.MAX_FIELD_CHARS
    return [
        *ids,
        "",
        "ab",
        "a\0b",
        "\0",
        long_ok,
        long_ok + "y",
        "é" * (limits.MAX_FIELD_CHARS // 2 + 1),
        "é" * limits.MAX_FIELD_CHARS,  # taken: the limit is in characters, this is twice as many bytes
        "é" * (limits.MAX_FIELD_CHARS + 1),
        "\u00e9x\u3000",
    ]


def test_the_id_check_refuses_exactly_the_ids_the_reader_does_not_take() -> None:
    ids = _ids()
    table = pa.table({"i": pa.array(range(len(ids)), pa.int64()), "id": pa.array(ids, pa.string())})
    with session() as con:
        con.register("ids", table)
        found = con.execute(f"SELECT list(t.i ORDER BY t.i) FROM ids t WHERE {id_problem('t.id')}").fetchall()[0][0]
    expected = [i for i, text in enumerate(ids) if _refused(text)]
    assert sorted(found or []) == expected
    assert 0x3000 in expected and 0x20 in expected and 0x61 not in expected  # refused: U+3000, space; taken: "a"
