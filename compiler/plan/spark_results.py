"""`ticket_results` in Spark over a `tickets` view Spark read itself, streamed back as the duckdb
engine's native read does (`slac.plan.native.streamed_results`, the same shape of result).

The report needs of an unbreached ticket only its customer, state and exclusion, so Spark groups
those into counts; a breached ticket (not excluded) comes back whole, with what its breach entry
shows. One query, one Spark job: the grouping key of a breached ticket is its (unique) id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.engines import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Customers, Tickets
    from ..runtime.policy import Policy

CARRY = ("id", "priority", "opened", "responded", "src_row")


def streamed_results(
    spark: Any,
    policy: Policy,
    customers: Customers,
    per: Period,
    as_of_us: int,
    views: list[str],
    progress: Callable[[int], None] | None = None,
) -> tuple[TicketResults, Tickets]:
    """`TicketResults` listing the breached tickets first (`index` into the returned `Tickets`, which
    holds just them), then one entry per other ticket rebuilt from the counts (what `assemble` reads
    of them — customer, state, excluded — is exact)."""
    from ..runtime.evaluate import BREACHED, UNMEASURED, TicketResults
    from .calendars import calendar_table
    from .inputs import params_table
    from .native import breached_of
    from .spark_sql import run_script
    from .tickets_sql import ticket_results_sql

    for name, table in (
        ("params", params_table(per.start, per.end, as_of_us)),
        ("calendar_open", calendar_table(policy, per.start, per.end, strict=False)),
    ):
        spark.createDataFrame(table).createOrReplaceTempView(name)
        views.append(name)
    # A measured ticket without a deadline in the calendar table (past the holiday data) comes back whole too.
    keep = "(q.state = 1 AND NOT q.excluded) OR (q.state <> 3 AND (q.deadline IS NULL OR q.decided IS NULL))"
    plan = ticket_results_sql(policy, ("c.position", *(f"t.{c}" for c in CARRY)))
    values = ("effective", "deadline", "decided", "line", *CARRY[1:])
    query = f"""SELECT r.position, r.state, r.excluded, r.kept AS id, count(*) AS n,
  {", ".join(f"max(r.{c}) AS {c}" for c in values)}
FROM (SELECT q.*, CASE WHEN {keep} THEN q.id END AS kept FROM ({plan}) q) r
GROUP BY r.position, r.state, r.excluded, r.kept"""
    table = run_script(spark, query).toArrow()
    kept = table.filter(table.column("id").is_valid())
    counted = table.filter(table.column("id").is_null())
    state_kept = np.asarray(kept.column("state").to_numpy(), dtype=np.int8)
    missing = (kept.column("deadline").is_null().to_numpy(zero_copy_only=False)) | (
        kept.column("decided").is_null().to_numpy(zero_copy_only=False)
    )
    beyond = (state_kept != UNMEASURED) & missing
    if beyond.any():
        ident = kept.column("id")[int(np.argmax(beyond))].as_py()
        raise UsageError(
            f"ticket {ident!r}: its deadline lies past the holiday data of the contract's calendars; "
            "evaluate a period the calendars cover"
        )
    counts = np.zeros((len(customers.id), 4, 2), dtype=np.int64)
    key = (
        np.asarray(counted.column("position").to_numpy(), dtype=np.int64) * 4
        + np.asarray(counted.column("state").to_numpy(), dtype=np.int64)
    ) * 2 + np.asarray(counted.column("excluded").to_numpy(zero_copy_only=False), dtype=np.int64)
    np.add.at(counts.reshape(-1), key, np.asarray(counted.column("n").to_numpy(), dtype=np.int64))
    breached, tickets = breached_of(policy, customers, kept, "src_row")
    k = len(breached["position"])
    flat = counts.reshape(-1)
    groups = np.flatnonzero(flat)
    sizes = flat[groups]
    position, state, excluded = np.unravel_index(groups, counts.shape)
    total = k + int(sizes.sum())
    if progress is not None:
        progress(total)

    def column(first: Any, dtype: Any) -> Any:
        out = np.zeros(total, dtype=dtype)
        out[:k] = first
        return out

    results = TicketResults(
        index=column(np.arange(k), np.int64),
        customer=np.concatenate([breached["position"], np.repeat(position, sizes)]).astype(np.int64),
        effective=column(breached["effective"], np.int64),
        deadline=column(breached["deadline"], np.int64),
        state=np.concatenate([np.full(k, BREACHED), np.repeat(state, sizes)]).astype(np.int8),
        excluded=np.concatenate([np.zeros(k, dtype=bool), np.repeat(excluded.astype(bool), sizes)]),
        line=column(breached["line"], np.int64),
    )
    return results, tickets
