#!/usr/bin/python3
"""check_reference_arithmetic.py: recomputes the arithmetic of the five public cost write-ups of
docs/references.md (named by their short names there) from their own inputs, with the formulas of
docs/cost.md, and prints one Markdown table per post: the post's figure, the recomputed figure, the
formula, and a verdict.

Every input below is quoted from the post (the `post` column); nothing is taken from servesim's
simulation. Verdict: "ok" when the post's figure is within its own rounding (3%), else the ratio.
Usage: /usr/bin/python3 tools/check_reference_arithmetic.py > /tmp/tables.md
"""
import sys

H_MONTH_730 = 8760 / 12  # servesim's month
H_MONTH_720 = 24 * 30    # the month most posts use


def per_1m(usd_per_hour, tok_s, util=1.0):
    """Self-hosted $ per 1M output tokens: hourly / (tok/s x 3600) x 1e6 / utilisation."""
    return usd_per_hour / (tok_s * 3600) * 1e6 / util


def breakeven_tokens(monthly_usd, api_usd_per_1m):
    """Tokens per month at which the API bill equals the fixed monthly cost."""
    return monthly_usd / (api_usd_per_1m / 1e6)


def api_usd(n_in, n_out, p_in, p_out):
    return n_in / 1e6 * p_in + n_out / 1e6 * p_out


def verdict(post, recomputed, tol=0.03):
    if post is None:
        return "no figure given"
    if recomputed == 0:
        return "ok" if post == 0 else "WRONG"
    r = post / recomputed
    if abs(r - 1) <= tol:
        return "ok"
    return f"**WRONG** (post is {r:.3g}x)"


def fmt(v):
    if isinstance(v, str):
        return v
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}B"
    if a >= 1e6:
        return f"{v / 1e6:.4g}M"
    if a >= 1e4:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.1f}"
    if a >= 1:
        return f"{v:.3f}"
    return f"{v:.4g}"


def table(title, rows):
    out = [f"### {title}", "", "| item | post says | recomputed | formula (inputs from the post) | verdict |",
           "|---|---|---|---|---|"]
    for item, post, rec, formula, *note in rows:
        v = note[0] if note else verdict(post, rec)
        out.append(f"| {item} | {fmt(post)} | {fmt(rec)} | {formula} | {v} |")
    return "\n".join(out) + "\n"


def post_405b():
    rows = []
    cfgs = [  # name, $/h, monthly 24/7, monthly 50%, tok/s batch 8, $/1M claimed, "x cheaper" claimed
        ("AWS p4d 8xA100", 32.77, 23594, 11797, 52, 1.74, 8.6),
        ("Lambda 8xA100", 10.32, 7430, 3715, 52, 0.55, 27),
        ("RunPod 8xH100", 23.60, 16992, 8496, 95, 0.69, 22),
        ("RunPod 4xA100 4-bit", 5.80, 4176, 2088, 28, 0.57, 26),
    ]
    for name, h, m, m50, tok, c, x in cfgs:
        rows.append((f"{name}: monthly 24/7", m, h * H_MONTH_720, f"{h} x 720 h (x 730 h: {fmt(h * H_MONTH_730)})"))
        rows.append((f"{name}: monthly at 50%", m50, h * H_MONTH_720 * 0.5, f"{h} x 720 h x 0.5"))
        rows.append((f"{name}: $/1M output", c, per_1m(h, tok), f"{h} / ({tok} x 3600) x 1e6"))
        rows.append((f"{name}: vs GPT-4o $15/M", f"{x}x cheaper", f"{per_1m(h, tok) / 15:.2f}x dearer",
                     f"{fmt(per_1m(h, tok))} / 15", "**WRONG**: self-hosting is dearer than GPT-4o"))
    for api, p, claim in [("GPT-4o $15/M", 15, 495e3), ("Together 405B $3.50/M", 3.50, 2.5e6),
                          ("Fireworks 405B $3.00/M", 3.00, 3.0e6)]:
        rows.append((f"break-even vs {api} (Lambda $7,430/month)", claim, breakeven_tokens(7430, p),
                     f"7430 / ({p} / 1e6)"))
    rows.append(("break-even vs GPT-4o mini $0.60/M", "never", breakeven_tokens(7430, 0.60),
                 "7430 / (0.60 / 1e6)", "ok in effect: 12.4B tokens/month is 92x what the GPUs can make"))
    cap = 52 * 3600 * H_MONTH_720
    rows.append(("Lambda 8xA100 capacity at 52 tok/s, 24/7", None, cap, "52 x 3600 x 720",
                 "every break-even above exceeds this: at the post's throughput self-hosting never breaks even"))
    rows.append(("true cost with hidden costs (Lambda)", "12,000-20,000",
                 f"{fmt(7430 + 2000 + 100 + 200 + 3000)}-{fmt(7430 + 8000 + 500 + 500 + 15000)}",
                 "7430 + the post's hidden-cost table (low, high)", "low end ok; high end understated"))
    rows.append(("FP16 weights", 810, 405e9 * 2 / 1e9, "405e9 x 2 bytes, GB"))
    rows.append(("min 80 GB GPUs, FP16 with KV (880 GB)", 11, 880 / 80, "880 / 80"))
    return table("405b-cloud-vs-self-hosted", rows)


def post_real_cost():
    rows = []
    rows.append(("headline: A100 at $0.34/h", 0.05, per_1m(0.34, 150), "0.34 / (150 x 3600) x 1e6 (the post's own 150 tok/s)"))
    rows.append(("subtitle: 70B on an A100", 0.17, per_1m(0.09, 150), "the spot row: 0.09 / (150 x 3600) x 1e6"))
    rows.append(("'50x to 200x' vs GPT-4o $2.50-$10", "50-200x",
                 f"{2.5 / per_1m(0.34, 150):.1f}-{10 / per_1m(0.34, 150):.1f}x", "2.50 and 10 over 0.63",
                 "**WRONG** (follows from the wrong $0.05)"))
    rows.append(("bandwidth bound, 70B 4-bit on A100", 57, 2000 / 35, "2000 GB/s / 35 GB"))
    for name, h, tok, c in [("70B 4-bit A100 (Vultr)", 0.34, 150, 0.63), ("70B 4-bit A100 spot", 0.09, 150, 0.17),
                            ("70B FP16 H200", 1.84, 200, 2.56), ("8B FP16 RTX 4090", 0.39, 280, 0.39),
                            ("8B FP16 RTX 4090 spot", 0.17, 280, 0.17)]:
        rows.append((f"table: {name}", c, per_1m(h, tok), f"{h} / ({tok} x 3600) x 1e6"))
    rows.append(("spot A100 vs GPT-4 Turbo $30", 176, 30 / 0.17, "30 / 0.17"))
    for u, c, x in [(1.0, 0.63, 16), (0.5, 1.26, 8), (0.2, 3.15, 3), (0.05, 12.60, None)]:
        rows.append((f"utilisation trap: {u:.0%}", c, per_1m(0.34, 150, u), f"0.63 / {u}"))
        if x:
            rows.append((f"utilisation trap: {u:.0%} vs GPT-4o $10", x, 10 / per_1m(0.34, 150, u), f"10 / {fmt(per_1m(0.34, 150, u))}", "ok (rounded down)"))
    rows.append(("utilisation trap: 5% vs GPT-4o", "API is cheaper", f"{per_1m(0.34, 150, 0.05):.2f} > 10", "", "ok"))
    rows.append(("break-even utilisation vs GPT-4o $10", "8-10%", per_1m(0.34, 150) / 10, "0.63 / 10",
                 "**WRONG**: 6.3%"))
    rows.append(("break-even output tokens per hour", "50,000-100,000", 0.34 / (10 / 1e6), "0.34 $/h / ($10 / 1e6)",
                 "**WRONG**: 34,000 tokens/h"))
    rows.append(("100M tokens/day at GPT-4o output $10", 30000, 100 * 10, "100 x 10 $/day (at GPT-4 Turbo $30: 3,000)"))
    a100s = 100e6 / 86400 / 150
    rows.append(("same on spot A100s, $/day", 510, 100 * per_1m(0.09, 150),
                 f"100M x $0.167/1M ({a100s:.1f} A100s busy; 8 x 0.09 x 24 = {8 * 0.09 * 24:.2f})"))
    rows.append(("$0.34/h per month", 245, 0.34 * H_MONTH_720, "0.34 x 720"))
    rows.append(("one A100's output at 150 tok/s, $ of GPT-4o output/month", "> 5,000",
                 150 * 3600 * H_MONTH_720 / 1e6 * 10, "150 x 3600 x 720 / 1e6 x $10",
                 "**does not follow**: one A100 makes at most $3,888/month of GPT-4o output"))
    return table("real-cost-per-token", rows)


def post_breakeven_tco():
    rows = []
    c = per_1m(3 * 2, 2500)
    rows.append(("H100x2, $3/GPU-h, 2500 tok/s", 0.67, c, "(3 x 2) / (2500 x 3600 / 1e6)"))
    rows.append(("break-even utilisation vs Scout $0.66", 1.0, c / 0.66, "0.6667 / 0.66",
                 "ok, but it is 1.01: at 100% self-hosting is still 1% dearer (the post's code clips it to 1)"))
    rows.append(("same at 5000 tok/s", 0.5, per_1m(6, 5000) / 0.66, "0.3333 / 0.66"))
    mix = 0.66 + 3 * 0.17
    rows.append(("Scout per 1M output with 3 input tokens per output token", None, mix, "0.66 + 3 x 0.17",
                 "not in the post: input tokens raise the API side too"))
    return table("break-even-api-vs-self-hosting-tco", rows)


def post_breakdown():
    rows = []
    rows.append(("4 x H100 on-demand $/h", 10, 4 * 2.50, "4 x 2.50"))
    rows.append(("4 x H100 reserved $/h", 6.40, 4 * 1.60, "4 x 1.60"))
    rows.append(("tokens per hour", 12.24e6, 3400 * 3600, "3400 x 3600"))
    rows.append(("on-demand $/1M", 0.82, per_1m(10, 3400), "10 / 12.24"))
    rows.append(("reserved $/1M", 0.52, per_1m(6.4, 3400), "6.40 / 12.24"))
    rows.append(("+30% overhead, low", 0.68, per_1m(6.4, 3400) * 1.3, "0.5229 x 1.3"))
    rows.append(("+30% overhead, high", 1.07, per_1m(10, 3400) * 1.3, "0.8170 x 1.3", "ok (1.07 is 0.82 x 1.3 rounded up)"))
    rows.append(("savings vs API", "10-15x", f"{10 / 1.062:.1f}-{15 / 0.680:.1f}x", "$10-15 over $0.68-1.06",
                 "roughly (the range is 9.4-22x)"))
    rows.append(("monthly GPU cost, reserved", 4608, 6.40 * H_MONTH_720, "6.40 x 720 (x 730: 4,672)"))
    rows.append(("monthly capacity", 8935e6, 12.24e6 * H_MONTH_730, "12.24M x 730",
                 "ok, but mixes 730 h with the 720 h of the cost line"))
    rows.append(("100%: self-host $/1M", 0.52, 4608 / 8935, "4608 / 8935"))
    rows.append(("100%: break-even volume", 0.46e6, breakeven_tokens(4608, 10), "4608 / (10 / 1e6)"))
    rows.append(("30%: effective $/1M", 1.72, 4608 / (8935 * 0.3), "4608 / 2680.5"))
    rows.append(("30%: break-even volume", 1.5e6, breakeven_tokens(4608, 10), "4608 / (10 / 1e6): does not depend on utilisation"))
    rows.append(("10%: effective $/1M", 5.15, 4608 / (8935 * 0.1), "4608 / 893.5"))
    rows.append(("10%: break-even volume", 4.6e6, breakeven_tokens(4608, 10), "4608 / (10 / 1e6)"))
    rows.append(("break-even utilisation vs $10", "> 25% (rule of thumb)", (4608 / 8935) / 10, "0.5157 / 10",
                 "**WRONG**: 5.2%, i.e. 461M tokens/month"))
    return table("cost-per-token-breakdown", rows)


def post_claude():
    rows = []
    call = api_usd(800, 400, 0.80, 4.00)
    rows.append(("Haiku call, 800 in + 400 out", "roughly 0.0024", call, "800 x 0.80/1e6 + 400 x 4/1e6",
                 "**WRONG** by 7%: $0.00224"))
    rows.append(("50,000 calls/month", 120, 50000 * call, "50,000 x 0.00224"))
    rows.append(("500,000 calls/month", 1200, 500000 * call, "500,000 x 0.00224"))
    rows.append(("RTX 4090 $0.44/h, 24/7", 316, 0.44 * H_MONTH_720, "0.44 x 720"))
    toks = 80 * 0.5 * 3600 * H_MONTH_720
    rows.append(("tokens/month at 80 tok/s, 50%", 104e9, toks, "80 x 0.5 x 3600 x 720"))
    rows.append(("effective $/1K tokens", "well under 0.001", 0.44 * H_MONTH_720 / toks * 1e3, "316.8 / 103.7M x 1e3",
                 "**WRONG**: $0.0031/1K (3x the bound)"))
    rows.append(("break-even vs Haiku $4/M output", 80e6, breakeven_tokens(0.44 * H_MONTH_720, 4), "316.8 / (4 / 1e6)"))
    rows.append(("... per day", 2.6e6, breakeven_tokens(0.44 * H_MONTH_720, 4) / 30, "/ 30"))
    rows.append(("2 x A100 at $2.49/h, monthly", 3600, 2 * 2.49 * H_MONTH_720, "2 x 2.49 x 720"))
    be = breakeven_tokens(2 * 2.49 * H_MONTH_720, 15)
    rows.append(("break-even vs Sonnet $15/M output", 240e6, be, "3585.6 / (15 / 1e6)"))
    rows.append(("aggregate tok/s needed to make that volume 24/7", None, be / (H_MONTH_720 * 3600),
                 "239M / (720 x 3600)", "the post's 40-60 tok/s per user must batch to >= 92 tok/s"))
    rows.append(("400 W at $0.15/kWh, continuous, per month", 43, 0.4 * 0.15 * H_MONTH_730, "0.4 kW x 730 h x 0.15"))
    rows.append(("400 W at $0.10/kWh, per month", 43, 0.4 * 0.10 * H_MONTH_730, "0.4 kW x 730 h x 0.10",
                 "the post's $43 holds at $0.15 only; its own $0.10 gives $29"))
    rows.append(("TCO total, low", 500, 250 + 200 + 50, "250 + 200 + 50"))
    rows.append(("TCO total, high", 850, 300 + 400 + 150, "300 + 400 + 150"))
    rows.append(("break-even vs Haiku, 7-8B TCO", "100-200M", f"{fmt(breakeven_tokens(500, 4))}-{fmt(breakeven_tokens(850, 4))}",
                 "$500-850 / ($4 / 1e6)", "ok"))
    rows.append(("A10G at 60% uptime, implied $/h", "250-300/month", f"{250 / (H_MONTH_720 * 0.6):.2f}-{300 / (H_MONTH_720 * 0.6):.2f}",
                 "250-300 / (720 x 0.6)", "no RunPod A10G price is given; AWS on-demand $1.00-1.20 gives $432-518"))
    return table("self-hosting-vs-claude-api", rows)


def main():
    sys.stdout.write("\n".join([post_405b(), post_real_cost(), post_breakeven_tco(), post_breakdown(), post_claude()]))


if __name__ == "__main__":
    main()
