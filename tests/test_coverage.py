"""The figures behind "how sure is this?" are the protection benchmark's, as measured: each
leave-one-out run's lowest and highest share of people no longer recognised by the encoder left
out of the cloak, and how often the verdict said "protected" while that encoder still matched."""

from __future__ import annotations

import json

import pytest
from _app_fixtures import ROOT

from photoguard import coverage

RESULTS = ROOT / "benchmarks" / "results" / "protection.json"


@pytest.mark.skipif(not RESULTS.exists(), reason="benchmarks/results/protection.json is not in this copy")
def test_the_table_is_what_the_benchmark_measured():
    runs = json.loads(RESULTS.read_text())
    for row in coverage.LEAVE_ONE_OUT:
        run = runs[f"LOO {row.encoder}"]
        assert row.encoder not in run["attacked"]
        records = run["records"]
        assert len(records) == coverage.PEOPLE
        channels = [c for c in records[0]["matched"] if c != "clean"]
        shares = [round(100 * sum(not r["matched"][c][row.encoder] for r in records) / len(records)) for c in channels]
        wrong = sum(
            not r["verification_recognised"] and any(r["matched"][c][row.encoder] for c in channels) for r in records
        )
        assert (row.low, row.high, row.said_protected) == (min(shares), max(shares), wrong), row
    assert (ROOT / coverage.SOURCE).exists()


def test_the_ranges():
    assert coverage.transfer_range() == (67, 94)
    assert coverage.said_protected_range() == (1, 5)


def test_the_readme_says_the_same():
    readme = (ROOT / "README.md").read_text()
    assert " ".join(coverage.not_covered().split()) in " ".join(readme.split())
