"""Event inputs of language v2: customers' `fee` and condition columns, incidents' `service`/`region`,
`charges` and `requests` files (beside the v1 readers in `inputs`, whose checks they reuse).

* customers: `customer, tier, fee` (the fee for one billing period; `monthly_fee` is accepted for
  monthly billing), optional `currency`, and one true/false column per condition of the contract
  (a missing condition column is an error naming it);
* incidents: the v1 columns plus optional `service` and `region` (empty: every service / region);
  a service must be declared, a region may be given only for a service measured per region;
* charges: `customer, service, region, amount` (region empty for a service not measured per region);
* requests: `service, region, start, total, failed` (whole numbers, failed ≤ total).

Every bad row raises `EventError` with the file, row and column, as the v1 readers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from .columns import remember_codes
from .events import Charges, Customers, Events, Incidents, Requests, Tickets
from .inputs import (
    _AMOUNT,
    _NUMBER,
    EventError,
    _encoded,
    _flags,
    _known,
    _objects,
    _Problems,
    _required_text,
    _show,
    _text,
    _times,
    _unique,
    read_incidents,
    read_tickets,
)
from .readers import open_source
from .request_rules import NOT_ABOVE, OPTIONAL, REQUEST_RULES, REQUIRED
from .ticket_rules import FORM, rule

__all__ = ["EventError", "read_events_v2"]


def read_events_v2(
    policy: Any,
    *,
    customers: str | Path,
    tickets: str | Path | None,
    incidents: str | Path,
    charges: str | Path | None = None,
    requests: str | Path | None = None,
) -> Events:
    raw: Mapping[str, Any] = getattr(policy, "raw", policy)
    cust = read_customers_v2(customers, raw)
    return Events(
        customers=cust,
        tickets=read_tickets(tickets, raw, customers=cust) if tickets is not None else _no_tickets(),
        incidents=read_scoped_incidents(incidents, raw, customers=cust),
        charges=read_charges(charges, raw, customers=cust) if charges is not None else None,
        requests=read_requests(requests, raw) if requests is not None else None,
    )


def _no_tickets() -> Tickets:
    empty = _objects_list([])
    none = np.zeros(0, dtype=np.int64)
    return Tickets(empty, empty, empty, none, none, np.zeros(0, dtype=bool), empty, none, "")


def _objects_list(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def read_customers_v2(path: str | Path, policy: Mapping[str, Any]) -> Customers:
    conditions = [c["id"] for c in policy.get("conditions", [])]
    probe = open_source(path, ("customer", "tier"), ("fee", "monthly_fee", "currency", *conditions))
    fee_column = "fee" if probe.has("fee") or policy["billing"] != "monthly" else "monthly_fee"
    src = open_source(path, ("customer", "tier", fee_column, *conditions), ("currency",))
    p = _Problems(src)
    ids = _required_text(src, p, "customer")
    id_objects = _objects(ids, distinct=True)
    _unique(src, p, "customer", ids, id_objects, "customer")
    tiers = _required_text(src, p, "tier")
    _known(p, "tier", tiers, [t["id"] for t in policy["tiers"]], "tier")
    fees = _text(src, fee_column)
    p.first(
        pc.invert(pc.match_substring_regex(fees, _AMOUNT)),
        fee_column,
        lambda i: f"{_show(fees, i)} is not an amount of money; write a plain number like 1000 or 1000.50",
    )
    if src.has("currency"):
        cur = _text(src, "currency")
        code = policy["currency"]["code"]
        p.first(
            pc.and_(pc.not_equal(cur, ""), pc.not_equal(cur, code)),
            "currency",
            lambda i: f"the fee is in {_show(cur, i)} but the contract's currency is {code}",
        )
    met = {name: _flags(src, p, name) for name in conditions}
    p.raise_first()
    return Customers(
        id=id_objects,
        tier=_objects(tiers),
        fee=tuple(Decimal(f) for f in fees.to_pylist()),
        row=src.rows,
        source=src.path,
        conditions=met,
    )


def _scope_columns(src: Any, p: _Problems, policy: Mapping[str, Any], *, required: bool) -> tuple[Any, Any]:
    """The `service` and `region` columns as objects (None where empty), checked against the services.

    Each distinct (service, region) pair is checked once, at the first row it appears on (so the
    earliest bad row is named, as a check of every row would); the columns' codes are remembered
    (`columns.remember_codes`), so that the evaluator groups 1M request rows without hashing each.
    """
    services = {s["id"]: s for s in policy.get("services", [])}
    s_enc, r_enc = _encoded(_text(src, "service")), _encoded(_text(src, "region"))
    s_names = [x or None for x in s_enc.dictionary.to_pylist()]
    r_names = [x or None for x in r_enc.dictionary.to_pylist()]
    si = np.asarray(s_enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    ri = np.asarray(r_enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    width = max(1, len(r_names))
    pairs, firsts = np.unique(si * width + ri, return_index=True)
    for code, i in zip(pairs.tolist(), firsts.tolist(), strict=True):
        s, r = s_names[code // width], r_names[code % width]
        if s is None:
            if required:
                p.add(i, "service", "the service is empty; name one of " + ", ".join(services))
            elif r is not None:
                p.add(i, "region", "a region needs its service: fill in the `service` column too")
            continue
        if s not in services:
            p.add(i, "service", f"{s!r} is not a service of the contract; it has " + (", ".join(services) or "none"))
        elif services[s]["per_region"] and r is None and required:
            p.add(i, "region", f"service {s!r} is measured per region: give the region")
        elif not services[s]["per_region"] and r is not None:
            p.add(i, "region", f"service {s!r} is not measured per region: leave the region empty")
    svc, reg = _objects_list(s_names)[si], _objects_list(r_names)[ri]
    remember_codes(svc, s_names, si)
    remember_codes(reg, r_names, ri)
    return svc, reg


def read_scoped_incidents(path: str | Path, policy: Mapping[str, Any], *, customers: Customers) -> Incidents:
    base = read_incidents(path, policy, customers=customers)
    src = open_source(path, ("id",), ("service", "region"))
    if not src.has("service") and not src.has("region"):
        return base
    p = _Problems(src)
    svc, reg = _scope_columns(src, p, policy, required=False)
    p.raise_first()
    return Incidents(
        base.id, base.start, base.end, base.cause, base.announced, base.customers, base.row, base.source, svc, reg
    )


def read_charges(path: str | Path, policy: Mapping[str, Any], *, customers: Customers) -> Charges:
    src = open_source(path, ("customer", "service", "amount"), ("region",))
    p = _Problems(src)
    cust = _required_text(src, p, "customer")
    _known(p, "customer", cust, customers.id.tolist(), "customer", where=f" in {customers.source or 'the customers'}")
    svc, reg = _scope_columns(src, p, policy, required=True)
    amounts = _text(src, "amount")
    p.first(
        pc.invert(pc.match_substring_regex(amounts, _AMOUNT)),
        "amount",
        lambda i: f"{_show(amounts, i)} is not an amount of money; write a plain number like 1000 or 1000.50",
    )
    p.raise_first()
    return Charges(
        customer=_objects(cust),
        service=svc,
        region=reg,
        amount=tuple(Decimal(a) for a in amounts.to_pylist()),
        row=src.rows,
        source=src.path,
    )


def read_requests(path: str | Path, policy: Mapping[str, Any]) -> Requests:
    """The requests file, checked by its rules (`request_rules.REQUEST_RULES`, in their order)."""
    src = open_source(path, REQUIRED, OPTIONAL)
    p = _Problems(src)
    svc, reg = _scope_columns(src, p, policy, required=True)
    start = _times(src, p, "start", required=True)
    counts = {}
    for name in ("total", "failed"):
        counts[name] = _counts(src, p, rule(REQUEST_RULES, FORM, name))
    above = rule(REQUEST_RULES, NOT_ABOVE, "failed")
    p.first(counts[above.column] > counts[above.columns[1]], above.column, lambda i: above.message)
    p.raise_first()
    return Requests(svc, reg, start, counts["total"], counts["failed"], src.rows, src.path)


def _counts(src: Any, p: _Problems, count: Any) -> np.ndarray:
    """The column of whole numbers of a FORM rule as int64 (0 where refused: the reader raises then)."""
    text = _text(src, count.column)
    ok = pc.match_substring_regex(text, count.form)
    p.first(pc.invert(ok), count.column, lambda i: count.words(value=_show(text, i)))
    fits = ok.to_numpy(zero_copy_only=False)
    values = np.zeros(len(fits), dtype=np.int64)
    values[:] = [int(v) if k else 0 for v, k in zip(text.to_pylist(), fits, strict=True)]
    return values


assert _NUMBER  # the v1 number pattern is the fee's; re-exported for readers that check both
