#!/usr/bin/python3
"""sweep.py: a sweep run from Python through the servesim binding (python/servesim, the C API over
ctypes), plotted: output throughput and P99 TTFT against the arrival rate, one line per GPU, with the
95% CI band of each point, from the study's xarray Dataset.

    tools/sweep.py [SCENARIO.yaml] [-o sweep.png] [--gpus h100-sxm-80gb a100-sxm-80gb]
                   [--rates 1 2 4 8 12] [--replicates 8] [--set KEY=VALUE ...]

The scenario (default scenarios/default.yaml) is loaded once per GPU with deployment.gpu set, the
rate axis replaced and the GPU price taken from hwdb's rows for that GPU; every number drawn is read from the Dataset (/summary), none recomputed here.
In a checkout the binding is python/ and the library build/libservesim.so.1 ($SERVESIM_LIBRARY
overrides); an installed prefix needs PYTHONPATH=PREFIX/lib/python3/dist-packages only.
"""
import argparse
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "python"))
if "SERVESIM_LIBRARY" not in os.environ and os.path.exists(os.path.join(REPO, "build", "libservesim.so.1")):
    os.environ["SERVESIM_LIBRARY"] = os.path.join(REPO, "build", "libservesim.so.1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import servesim  # noqa: E402

RATE = "workload.arrival.rate_per_s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default=os.path.join(REPO, "scenarios", "default.yaml"))
    ap.add_argument("-o", "--output", default="sweep.png")
    ap.add_argument("--gpus", nargs="+", default=["h100-sxm-80gb", "a100-sxm-80gb"])
    ap.add_argument("--rates", nargs="+", type=float, default=[1, 2, 4, 8, 12])
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more overrides")
    a = ap.parse_args()

    fig, (ax_tok, ax_ttft) = plt.subplots(1, 2, figsize=(11, 4.2))
    for gpu in a.gpus:
        sets = [f"deployment.gpu={gpu}", f"replicates={a.replicates}",
                f"sweep.{RATE}=[{', '.join(f'{r:g}' for r in a.rates)}]",
                "pricing.usd_per_gpu_hour=~"] + a.set  # a scenario's price is for its own GPU: use hwdb's rows
        try:
            ds = servesim.run(a.scenario, sets=sets)
        except servesim.ServesimError as e:
            sys.exit(f"sweep.py: {gpu}: {e}")
        rate = ds[f"point_{RATE}"].values
        for ax, metric in ((ax_tok, "output_tok_s"), (ax_ttft, "ttft_p99_s")):
            s = ds[f"summary_{metric}"]
            mean, lo, hi = (s.sel(stat=k).values for k in ("mean", "ci95_lo", "ci95_hi"))
            line, = ax.plot(rate, mean, marker="o", label=gpu)  # NaN (saturated) points leave gaps
            ax.fill_between(rate, lo, hi, color=line.get_color(), alpha=0.2)
        print(f"{gpu}: {len(rate)} rates x {ds.sizes['replicate']} replicates, hwdb {ds.attrs['hwdb_sha256'][:12]}")
    ax_tok.set(xlabel="arrival rate (req/s)", ylabel="output tok/s", title="Throughput (mean, 95% CI)")
    ax_ttft.set(xlabel="arrival rate (req/s)", ylabel="P99 TTFT (s)",
                title="P99 TTFT (saturated points left out)")
    for ax in (ax_tok, ax_ttft):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
