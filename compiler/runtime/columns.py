"""Column helpers shared by the evaluator's stages: names to integer codes without a Python loop per row."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np
import numpy.typing as npt

SMALL = 4096  # rows below which plain Python beats importing and calling Arrow


class ByIdentity:
    """Values computed from an object, kept while that object lives (looked up by identity, not equality).

    For arrays, which compare element-wise and so cannot be dictionary keys.
    """

    def __init__(self) -> None:
        self._found: dict[int, tuple[weakref.ref[Any], Any]] = {}

    def get(self, key: Any) -> Any:
        entry = self._found.get(id(key))
        return entry[1] if entry is not None and entry[0]() is key else None

    def put(self, key: Any, value: Any) -> None:
        ident = id(key)

        def forget(ref: weakref.ref[Any]) -> None:
            if ident in self._found and self._found[ident][0] is ref:
                del self._found[ident]

        self._found[ident] = (weakref.ref(key, forget), value)

    def make(self, key: Any, compute: Callable[[Any], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = compute(key)
            self.put(key, value)
        return value


# Object columns whose codes the reader knows (Arrow's dictionary_encode): `values[i] == names[codes[i]]`.
_CODED = ByIdentity()


def remember_codes(values: npt.NDArray[np.object_], names: list[Any], indices: npt.NDArray[Any]) -> None:
    """Record that `values[i] == names[indices[i]]`, so that `codes` maps the few names, not every row.

    `values` becomes read-only: the codes would be wrong after a write.
    """
    values.flags.writeable = False
    _CODED.put(values, (names, indices))


def codes(
    values: npt.NDArray[np.object_], names: list[str], what: str, *, unknown_ok: bool = False
) -> npt.NDArray[np.int64]:
    """Each value's index in `names`; -1 for None (and, with `unknown_ok`, for names not listed).

    Through Arrow's hash lookup for big columns: a Python loop over 1M rows costs ~0.2 s, this
    ~0.05 s. Small ones (an example, a test) stay in Python: importing pyarrow costs more than that,
    and pyarrow imports pandas whenever it is installed. A column the reader encoded
    (`remember_codes`) costs a lookup per distinct value and one `take`.
    """
    known = _CODED.get(values)
    if known is not None:
        listed, indices = known
        table = codes(_objects(listed), names, what, unknown_ok=unknown_ok)
        return table[indices]
    if len(values) < SMALL:
        index = {name: i for i, name in enumerate(names)}
        out = np.array([index.get(v, -1) if v is not None else -1 for v in values.tolist()], dtype=np.int64)
        if not unknown_ok:
            for v, code in zip(values.tolist(), out.tolist(), strict=True):
                if code < 0 and v is not None:
                    raise ValueError(f"unknown {what} {v!r}; the readers check names first")
        return out
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values, type=pa.string(), from_pandas=True)
    found = pc.index_in(text, value_set=pa.array(names, type=pa.string()))
    out = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    if not unknown_ok:
        bad = (out < 0) & text.is_valid().to_numpy(zero_copy_only=False)
        if bad.any():
            raise ValueError(f"unknown {what} {values[int(np.argmax(bad))]!r}; the readers check names first")
    return out


def truthy(values: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """`values.astype(bool)` (None and "" false): through the reader's codes when it remembered them
    (`remember_codes`), a lookup per distinct value and one `take`, not a truth test per row."""
    known = _CODED.get(values)
    if known is None:
        return values.astype(bool)
    names, indices = known
    return np.array([bool(name) for name in names], dtype=bool)[indices]


_WORKER: Any = None


def in_background(work: Callable[..., Any], *args: Any) -> Future[Any]:
    """`work(*args)` in slac's one background thread (made on first use), as a future.

    One thread for every such task (reading files ahead, making the breaches' JSON text), which run
    one after another: the main thread is the other core's work. An executor's thread, which exit
    waits for (a Ctrl-C mid-parse ends when the parse does): a daemon thread, not waited for, let
    slac segfault at exit while pyarrow parsed in it.
    """
    global _WORKER
    if _WORKER is None:
        from concurrent.futures import ThreadPoolExecutor

        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slac-background")
    future: Future[Any] = _WORKER.submit(work, *args)
    return future


class _WithoutPandas:
    """A module finder under which `import pandas` fails as if pandas were not installed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".")[0] == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name=name)


def hide_pandas() -> Callable[[], None]:
    """Make `import pandas` fail in this process, as if pandas were not installed; returns the undo.

    pyarrow imports pandas (≈1 s) whenever it is installed, the first time it converts Python or
    numpy values (`pa.array` of anything, a literal in a compute call), only to ask whether they are
    pandas objects; the readers and the evaluator never hand it any. `slac evaluate` with the numpy
    engine hides pandas for the command (its report is the same bytes either way). Nothing is hidden
    when pandas is imported already.
    """
    if "pandas" in sys.modules:
        return lambda: None
    finder = _WithoutPandas()
    sys.meta_path.insert(0, finder)

    def undo() -> None:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)

    return undo


def sort_order(*keys: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Indexes that sort rows by the given columns, first column first, all ascending (object columns are str)."""
    n = len(keys[0])
    if n < SMALL:
        columns = [k.tolist() for k in keys]
        return np.array(sorted(range(n), key=lambda i: tuple(c[i] for c in columns)), dtype=np.int64)
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table(
        {f"k{j}": pa.array(k, type=pa.string()) if k.dtype == object else pa.array(k) for j, k in enumerate(keys)}
    )
    order = pc.sort_indices(table, sort_keys=[(f"k{j}", "ascending") for j in range(len(keys))])
    return np.asarray(order.to_numpy(), dtype=np.int64)


def _objects(values: list[Any]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
