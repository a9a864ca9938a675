"""The footprint hot paths are index reads on this test's database (SQLite or PostgreSQL).

bench/footprint_plans.py prints the same plans on both databases; this test runs its code on
whichever database the suite uses and fails when an index stops serving a query.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "footprint_plans.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("footprint_plans", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


async def test_recent_visitors_and_the_upsert_use_their_indexes(settings):
    bench = load_bench()
    plans = await bench.run_on(settings.database_url, owners=600, per_owner=20, runs=1)
    described = "\n".join(plans.recent + plans.upsert)
    assert plans.recent_index == "footprint_owner_recent", described
    assert plans.recent_index_only, described
    assert plans.upsert_index == "footprint_owner_visitor_day", described
    assert not plans.upsert_scans_table, described
    assert plans.ok


def test_the_bench_script_explains_itself():
    bench = load_bench()
    args = bench.parse_args(["--owners", "3", "--postgres", "none"])
    assert args.owners == 3 and args.postgres == "none"
