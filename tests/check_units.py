#!/usr/bin/python3
"""check_units.py FILE.h5...: every dataset of a servesim file (study or plan) carries CF-like units
that match what its name says (seconds for *_s, 1/s for rates, USD/h for hourly prices, 1/month for
*_per_month, ...), "" for text, and "1" only for counts, fractions and keys without a unit.
Exit 1 with one line per offending dataset."""
import sys

import h5py

COUNTS = {"1", "1/s", "s", "USD", "USD/h", "W", "GB", "h"}  # counts, fractions, swept and sampled keys


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def want(name: str, ds: h5py.Dataset) -> set:
    n = name.split("/")[-1]
    rules = [
        (ds.dtype.kind in "OSU", {""}),
        (n.endswith(("tok_s", "req_s", "_per_s")), {"1/s"}),
        (n.endswith("_s"), {"s"}),
        ("per_month" in n, {"1/month"}),
        (n in ("usd_per_hour", "usd_per_hour_tco") or n.endswith("usd_per_gpu_hour"), {"USD/h"}),
        (n.startswith("usd_per_") or n == "api_usd_per_1m_output", {"USD"}),
        (n.endswith(("_w", "_w_mean")), {"W"}),
        ("kwh" in n, {"kWh"}),
        (n.startswith("co2_kg"), {"kg"}),
        (n.endswith("gpu_hours"), {"h"}),
    ]
    return next((units for hit, units in rules if hit), COUNTS)


def main() -> int:
    bad = []
    for path in sys.argv[1:]:
        with h5py.File(path, "r") as f:
            def visit(name, ds):
                if not isinstance(ds, h5py.Dataset):
                    return
                u = text(ds.attrs["units"]) if "units" in ds.attrs else None
                if u not in want(name, ds):
                    bad.append(f"{path}:/{name}: units {u!r}, want one of {sorted(want(name, ds))}")
            f.visititems(visit)
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
