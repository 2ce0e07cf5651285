"""`slac diff` on the terms of language v2: each change classified with its direction for the customer."""

from __future__ import annotations

from pathlib import Path

import pytest

import slac
from slac.change.diff import diff

ROOT = Path(__file__).resolve().parent.parent


def _without_examples(text: str) -> str:
    return text[: text.index("  example en")] + "}\n"


BASE = _without_examples((ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8"))


def kinds(old: str, new: str) -> dict[str, str]:
    a = slac.compile_policy(old, file="old.sla")
    b = slac.compile_policy(new, file="new.sla")
    return {c.term: c.kind for c in diff(a, b).changes}


@pytest.mark.parametrize(
    ("old", "new", "term", "kind"),
    [
        (
            "error_rate above 5% per 5min",
            "error_rate above 10% per 5min",
            "service:object_storage/error_rate",
            "reduction",
        ),
        (
            "error_rate above 5% per 5min",
            "error_rate above 2% per 5min",
            "service:object_storage/error_rate",
            "improvement",
        ),
        ("minimum     outage 1min", "minimum     outage 3min", "availability:minimum_outage", "reduction"),
        ("limit 8h per year", "limit 4h per year", "exclusion:scheduled_maintenance/maintenance_limit", "improvement"),
        ("limit 8h per year", "limit 12h per year", "exclusion:scheduled_maintenance/maintenance_limit", "reduction"),
        ("minimum credit 1 USD per month", "minimum credit 5 USD per month", "minimum_credit:amount", "reduction"),
        ("for 3 consecutive months", "for 2 consecutive months", "termination:months", "improvement"),
        ("below 99.0% for 3", "below 99.5% for 3", "termination:below", "improvement"),
        ("within 2 billing cycles", "within 1 billing cycle", "claim:within_cycles", "reduction"),
        ("    downtime    counted in whole minutes\n", "", "availability:whole_minutes", "improvement"),
    ],
)
def test_direction_of_each_new_term(old: str, new: str, term: str, kind: str) -> None:
    assert old in BASE
    found = kinds(BASE, BASE.replace(old, new))
    assert found.get(term) == kind, found


def test_termination_removed_is_a_reduction() -> None:
    found = kinds(BASE, BASE.replace("  terminate when uptime below 99.0% for 3 consecutive months\n", ""))
    assert found["termination:below"] == "reduction"


def test_same_contract_has_no_changes() -> None:
    assert kinds(BASE, BASE) == {}


def test_a_band_below_the_services_commitment_paying_less_is_a_reduction_for_each_service() -> None:
    """nimbus-cloud's tier has no general uptime, only one per service (99.99 % compute, 99.9 % storage),
    so `below target` means another threshold for each. Such a band paying 5 % instead of 10 % used to
    be no change at all (the target was read as the tier's uptime: none, so the band was left out),
    and `slac diff` let the release pass."""
    band = "when uptime below target       10% of service_charges"
    assert band in BASE
    found = kinds(BASE, BASE.replace(band, band.replace("10%", "5%")))
    assert found == {
        "credit:downtime/bands:standard:compute": "reduction",
        "credit:downtime/bands:standard:object_storage": "reduction",
    }
    # A tier with one uptime for every service compares its bands once, as before.
    same = BASE.replace("    uptime 99.99% for compute\n    uptime 99.9%  for object_storage\n", "    uptime 99.9%\n")
    assert same != BASE
    assert kinds(same, same.replace(band, band.replace("10%", "5%"))) == {"credit:downtime/bands:standard": "reduction"}


def test_slac_diff_of_contracts_with_services_gates_without_figures(tmp_path: Path) -> None:
    """The reference-month figures are one uptime per customer; for a contract with services the diff says
    so in a note and still exits 1 on the reduction (it used to end in a traceback)."""
    from click.testing import CliRunner

    from slac.cli import main

    old, new = tmp_path / "old.sla", tmp_path / "new.sla"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(BASE.replace("below 99.0%        30%", "below 99.0%        20%"), encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "en"])
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output and "no reference-month figures for a contract with services" in out.stderr
    assert "30% of the service charges → 20% of the service charges" in out.stdout


def test_a_lower_commitment_for_one_service_is_a_reduction() -> None:
    """`uptime 99.99% for compute` lowered to 99.95 % promises more downtime for Compute: a term of its own
    (it was no change at all), and the band below that commitment pays over less of the range."""
    found = kinds(BASE, BASE.replace("uptime 99.99% for compute", "uptime 99.95% for compute"))
    assert found == {
        "tier:standard/uptime:compute": "reduction",
        "credit:downtime/bands:standard:compute": "reduction",
    }
    raised = kinds(BASE, BASE.replace("uptime 99.9%  for object_storage", "uptime 99.95% for object_storage"))
    assert raised["tier:standard/uptime:object_storage"] == "improvement"
    # Dropped, with no general uptime of the tier to fall back on: no commitment for the service any more.
    dropped = kinds(BASE, BASE.replace("    uptime 99.9%  for object_storage\n", ""))
    assert dropped["tier:standard/uptime:object_storage"] == "reduction"


def test_a_credit_that_requires_a_condition_pays_less_often_and_the_conditions_text_is_legal_text() -> None:
    """`requires good_standing` added: the credit is owed only when the customer meets it, a reduction;
    removed, an improvement. A new wording of the condition in the contract's language may change what
    it asks: a reduction to read (both were no change at all)."""
    assert "    requires good_standing\n" in BASE
    without = BASE.replace("    requires good_standing\n", "")
    assert kinds(without, BASE) == {"credit:downtime/requires:good_standing": "reduction"}
    assert kinds(BASE, without) == {"credit:downtime/requires:good_standing": "improvement"}
    text = "the customer's account has no invoice more than 30 days overdue"
    assert text in BASE
    assert kinds(BASE, BASE.replace(text, "the customer has paid every invoice")) == {
        "condition:good_standing/text": "reduction"
    }
