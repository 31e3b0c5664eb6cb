#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench-report.py CONSOLE_LOG OUT_DIR: turn the benchmark guest's lines into
a table with the ratios that matter, results.csv, results.json and
latency.svg (the latency distributions) in OUT_DIR."""

import csv
import json
import math
import os
import re
import sys

LINE = re.compile(r"umd_bench: case=(\S+) n=(\d+) p50=(\d+) p99=(\d+) rps=(\d+) q=([\d,]+)")
BLOB = re.compile(r"umd_bench: blob=(\S+) bytes=(\d+)")
CLOCK = re.compile(r"umd-bench: clocksource (\S+)")

# Letters of the cases, for the table.
LABELS = {
    "raw_echo": "(a) raw umd_send_recv(), 4-byte echo",
    "c_echo": "(b) C umd_mgmt_send_recv(), 4-byte echo",
    "rust_echo": "(c) Rust UmdMgmt::send_recv(), 4-byte echo",
    "c_sample_128k": "(d) C, 4-byte request, 128 KiB reply",
    "rust_sample_128k": "(d) Rust, 4-byte request, 128 KiB reply",
    "spawn_echo": "(e) a handler started per request, 4-byte echo",
    "seed_echo_interleaved": "C, seed protocol, 4-byte echo (interleaved with the next)",
    "framed_echo": "C umd_mgmt_call(), framed 4-byte echo",
    "framed_reply_4k": "C umd_mgmt_call(), 4-byte request, 4 KiB reply",
    "framed_reply_128k": "C umd_mgmt_call(), 4-byte request, 128 KiB reply",
    "rust_framed_echo": "Rust UmdMgmt::call(), framed 4-byte echo (interleaved with the next)",
    "c_framed_echo_interleaved": "C umd_mgmt_call(), framed 4-byte echo, from the Rust module",
    "rust_fixture_cold_start": "Rust no_std fixture (echo mode): load to first reply",
    "rust_fixture_restart": "Rust no_std fixture (echo mode): restart after kill",
    "c_handler_cold_start": "C glibc static handler: load to first reply",
    "c_handler_restart": "C glibc static handler: restart after kill",
}


def parse(path):
    cases, blobs, clock = {}, {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = CLOCK.search(line)
            if m:
                clock = m.group(1)
            m = LINE.search(line)
            if m:
                name, n, p50, p99, rps, q = m.groups()
                cases[name] = {"n": int(n), "p50_ns": int(p50), "p99_ns": int(p99),
                               "rps": int(rps), "quantiles_ns": [int(x) for x in q.split(",")]}
            m = BLOB.search(line)
            if m:
                blobs[m.group(1)] = int(m.group(2))
    return cases, blobs, clock


def ratio(cases, a, b, key="p50_ns"):
    if a in cases and b in cases and cases[b][key]:
        return cases[a][key] / cases[b][key]
    return None


def svg(cases, path):
    """Latency CDFs on a log scale, one line per round-trip case."""
    names = [n for n in ("raw_echo", "c_echo", "rust_echo", "c_sample_128k",
                         "rust_sample_128k", "spawn_echo") if n in cases]
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    w, h, left, bottom, top, right = 760, 420, 60, 50, 20, 250
    values = [v for n in names for v in cases[n]["quantiles_ns"] if v > 0]
    lo, hi = math.log10(min(values)), math.log10(max(values))
    lo, hi = math.floor(lo), math.ceil(hi)
    x = lambda ns: left + (math.log10(max(ns, 1)) - lo) / (hi - lo) * (w - left - right)
    y = lambda frac: h - bottom - frac * (h - bottom - top)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="14">Round-trip latency, cumulative (x log scale)</text>']
    for d in range(lo, hi + 1):
        xs = x(10 ** d)
        out.append(f'<line x1="{xs:.1f}" y1="{y(0)}" x2="{xs:.1f}" y2="{y(1)}" stroke="#ddd"/>')
        label = {3: "1 us", 4: "10 us", 5: "100 us", 6: "1 ms", 7: "10 ms", 8: "100 ms"}.get(d, f"1e{d} ns")
        out.append(f'<text x="{xs:.1f}" y="{h - bottom + 16}" text-anchor="middle">{label}</text>')
    for frac in (0, 0.5, 1):
        out.append(f'<text x="{left - 6}" y="{y(frac) + 4:.1f}" text-anchor="end">{int(frac * 100)}%</text>')
    out.append(f'<line x1="{left}" y1="{y(0)}" x2="{w - right}" y2="{y(0)}" stroke="black"/>')
    for i, name in enumerate(names):
        q = cases[name]["quantiles_ns"]
        pts = " ".join(f"{x(v):.1f},{y(j / (len(q) - 1)):.1f}" for j, v in enumerate(q))
        c = colours[i % len(colours)]
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        out.append(f'<text x="{w - right + 10}" y="{top + 20 + 18 * i}" fill="{c}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    log, out = sys.argv[1], sys.argv[2]
    cases, blobs, clock = parse(log)
    if not cases:
        sys.exit("bench-report: no results in " + log)
    if not clock or "jiffies" in clock:
        sys.exit(f"bench-report: the guest timed with clocksource {clock}, too coarse")
    print(f"guest clocksource: {clock}")
    os.makedirs(out, exist_ok=True)

    print(f"{'case':52} {'n':>5} {'p50 us':>10} {'p99 us':>10} {'req/s':>9}")
    for name, r in cases.items():
        print(f"{LABELS.get(name, name):52} {r['n']:5} {r['p50_ns'] / 1000:10.1f} "
              f"{r['p99_ns'] / 1000:10.1f} {r['rps']:9}")
    ratios = {
        "b/a (library over raw pipes)": ratio(cases, "c_echo", "raw_echo"),
        "c/b (Rust over C)": ratio(cases, "rust_echo", "c_echo"),
        "d Rust/C (128 KiB)": ratio(cases, "rust_sample_128k", "c_sample_128k"),
        "e/b (helper per request over UMD)": ratio(cases, "spawn_echo", "c_echo"),
        "framed/seed 4-byte echo (interleaved)": ratio(cases, "framed_echo", "seed_echo_interleaved"),
        "Rust/C framed 4-byte echo (interleaved)": ratio(cases, "rust_framed_echo", "c_framed_echo_interleaved"),
        "framed 4 KiB reply / framed echo": ratio(cases, "framed_reply_4k", "framed_echo"),
        "framed 128 KiB reply / framed echo": ratio(cases, "framed_reply_128k", "framed_echo"),
        "C/Rust handler, load to first reply": ratio(cases, "c_handler_cold_start", "rust_fixture_cold_start"),
        "C/Rust handler, restart": ratio(cases, "c_handler_restart", "rust_fixture_restart"),
    }
    print("\nratios of p50 latency:")
    for name, value in ratios.items():
        print(f"  {name:40} {'n/a' if value is None else f'{value:.2f}'}")
    print("\nhandler blobs:")
    for name, size in blobs.items():
        print(f"  {name:40} {size} bytes")

    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"clocksource": clock, "cases": cases, "ratios": ratios,
                   "blobs": blobs}, f, indent=2)
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "n", "p50_ns", "p99_ns", "rps"])
        for name, r in cases.items():
            w.writerow([name, r["n"], r["p50_ns"], r["p99_ns"], r["rps"]])
    svg(cases, os.path.join(out, "latency.svg"))
    print(f"\nresults: {out}/results.csv, results.json, latency.svg")


if __name__ == "__main__":
    main()
