# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The benchmark's report: medians and ratios (summarize, compare), the
markdown table, the CSV files and the plot (write_outputs writes them all)."""

import csv
import json
import os

from .common import ALL_SCENARIOS, BASELINE, REFERENCES, median

SCENARIO_TITLE = {
    "S1": "S1 tx to the kernel (Mpps the kernel counted)",
    "S2": "S2 rx from the kernel under a generator (Mpps DPDK received)",
    "S2d": "S2d rx drain of a pre-filled kernel queue (Mpps)",
    "S3": "S3 TCP through testpmd io forwarding (Gbit/s, iperf3)",
    "S5": "S5 wake-up latency through dpdk-rtap-intr-fwd (us) and its idle CPU",
    "S6": "S6 TCP through Open vSwitch, a netdev bridge (Gbit/s, iperf3)",
}
# scenarios measured in Gbit/s by iperf3
TCP = ("S3", "S6")
# S5's points: the forwarder asked to sleep on rx interrupts, or --poll
S5_POINTS = ["intr", "poll"]


def _ratio(a, b):
    return a / b if a is not None and b else None


def summarize(records, pmd_labels, limit=0.05, drop_contended=False, x_rtap=False):
    """One row per (scenario, point, pmd) with median/min/max and ratios
    (to net_tap, to the ceiling and, with x_rtap, to net_rtap).

    With drop_contended, repetitions flagged for interference are left out
    of a point as long as at least one clean repetition remains.
    """
    groups = {}
    for r in records:
        groups.setdefault((r["scenario"], r["point"], r["pmd"]), []).append(r)
    rows = []
    for (sc, point, pmd), recs in groups.items():
        flagged = [r for r in recs if r.get("foreign_cpu", 0) > limit]
        if drop_contended and len(flagged) < len(recs):
            recs = [r for r in recs if r not in flagged]
            n_flagged_used = 0
        else:
            n_flagged_used = len(flagged)
        key = {"S3": "gbps", "S5": "lat_us", "S6": "gbps"}.get(sc, "mpps")
        vals = [r[key] for r in recs if r.get(key) is not None]
        cyc = [r["cycles"] for r in recs if r.get("cycles") is not None]
        row = {"scenario": sc, "point": point, "pmd": pmd, "metric": key,
               "unit": {"gbps": "Gbit/s", "lat_us": "us"}.get(key, "Mpps"), "n": len(vals),
               "median": median(vals), "min": min(vals) if vals else None,
               "max": max(vals) if vals else None,
               "cycles_median": median(cyc), "cycles_min": min(cyc) if cyc else None,
               "cycles_max": max(cyc) if cyc else None,
               "foreign_cpu_max": max(r.get("foreign_cpu", 0) for r in recs),
               "n_flagged": n_flagged_used, "n_dropped": len(flagged) - n_flagged_used}
        if sc == "S2":
            row["offered_mpps"] = median([r["offered_mpps"] for r in recs])
            row["fraction"] = median([r["fraction"] for r in recs if r["fraction"] is not None])
            row["kernel_drops"] = median([r["kernel_drops"] for r in recs])
            row["kernel_drop_fraction"] = median(
                [r["kernel_drops"] / r["offered"] for r in recs if r["offered"]])
            row["lost_fraction"] = median(
                [1 - r["received"] / r["offered"] for r in recs if r["offered"]])
        if sc == "S2d":
            row["testpmd_cycles_median"] = median([r["testpmd_cycles"] for r in recs
                                                   if r.get("testpmd_cycles") is not None])
        if sc in TCP:
            row["retransmits"] = median([r["retransmits"] for r in recs
                                         if r.get("retransmits") is not None])
        if sc == "S5":
            for k in ("p99_us", "idle_cpu", "lost", "late", "user_median_us"):
                row[k + "_median"] = median([r[k] for r in recs if r.get(k) is not None])
            row["sleeps_per_frame"] = median([r["sleeps"] / r["frames"] for r in recs
                                              if r.get("frames")])
            # what the forwarder ran: "interrupt", "poll", or both if repetitions differed
            row["mode"] = "/".join(sorted({r["mode"] for r in recs}))
            row["why"] = "; ".join(sorted({r["why"] for r in recs if r.get("why")}))
        rows.append(row)
    index = {(r["scenario"], r["point"], r["pmd"]): r for r in rows}
    # (scenario, row) of each scenario's ceiling: the veth pair of S3 for S6 too
    ceiling_of = {"S1": ("S1", "raw"), "S2d": ("S2d", "raw"), "S3": ("S3", "veth"),
                  "S6": ("S3", "veth")}
    for r in rows:
        def at(pmd, sc=r["scenario"]):
            return index.get((sc, r["point"], pmd), {})
        ceil_sc, ceil_pmd = ceiling_of.get(r["scenario"], (None, None))
        base, ceil = at(BASELINE), at(ceil_pmd, ceil_sc)
        r["ratio_net_tap"] = _ratio(r["median"], base.get("median"))
        r["cycles_ratio_net_tap"] = _ratio(r["cycles_median"], base.get("cycles_median"))
        r["ratio_ceiling"] = _ratio(r["median"], ceil.get("median"))
        if x_rtap:
            r["ratio_net_rtap"] = _ratio(r["median"], at("net_rtap").get("median"))
            r["cycles_ratio_net_rtap"] = _ratio(r["cycles_median"],
                                                at("net_rtap").get("cycles_median"))
    order = {p: i for i, p in enumerate(list(pmd_labels) + REFERENCES)}

    def sortkey(r):
        pt = r["point"]
        if r["scenario"] == "S5":
            n = S5_POINTS.index(pt) if pt in S5_POINTS else 99
        else:
            n = int(pt[1:]) if pt.startswith("P") else int(pt)
        return (ALL_SCENARIOS.index(r["scenario"]), n, order.get(r["pmd"], 99))
    rows.sort(key=sortkey)
    return rows


def compare(rows, path):
    """Add ratio_prev (and cycles_ratio_prev) against an earlier results.json."""
    with open(path) as f:
        prev = {(r["scenario"], r["point"], r["pmd"]): r for r in json.load(f)["summary"]}
    for r in rows:
        p = prev.get((r["scenario"], r["point"], r["pmd"]))
        r["ratio_prev"] = (r["median"] / p["median"]
                           if p and p.get("median") and r["median"] is not None else None)
        r["cycles_ratio_prev"] = (r["cycles_median"] / p["cycles_median"]
                                  if p and p.get("cycles_median") and r["cycles_median"]
                                  else None)


def fmt(v, digits=3):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    return "%.*g" % (digits, v)


def markdown(rows, meta, limit):
    out = ["# net_rtap benchmark", "",
           "%s, kernel %s, %s, %d repetition(s), window %.1f s, DPDK lcore on core %d, "
           "generator/iperf3 on core %d. Median and min-max over repetitions; x tap = ratio "
           "of medians to net_tap; x ceil = to the raw io_uring program (S1, S2d) or a veth "
           "pair (S3, S6). cyc/pkt = TSC cycles per packet on the forwarding lcore "
           "(testpmd --record-core-cycles; raw: the program's own loop), lower is better."
           % (meta["date"], meta["kernel"], meta["mode"], meta["reps"], meta["window"],
              meta["fwd_core"], meta["main_core"]), "",
           "net_rtap under test: %s (installed %s, sha256 %s), tree %s%s."
           % (meta["driver"]["so"], meta["driver"]["so_mtime"], meta["driver"]["so_sha256"],
              meta["driver"].get("git", "?"),
              " - OLDER THAN THE SOURCES" if meta["driver"].get("stale") else ""), ""]
    builds = meta.get("rtap_so") or {}
    if builds:
        out += ["Other builds of net_rtap, each in a row of its own: its library stood in "
                "for the installed one in DPDK's PMD directory while the row's testpmd "
                "started (S5's forwarder is given it with -d instead). x rtap = ratio of "
                "medians to net_rtap (the installed build).", ""]
        out += ["- %s: %s (modified %s, sha256 %s)" % (label, b["so"], b["so_mtime"],
                                                       b["so_sha256"])
                for label, b in builds.items()] + [""]
    for sc in ("S1", "S2", "S2d", "S3", "S6"):
        srows = [r for r in rows if r["scenario"] == sc]
        if not srows:
            continue
        out += ["## " + SCENARIO_TITLE[sc], ""]
        prev = "compare" in meta
        head = ["point", "PMD", "median", "min-max", "x tap"] + (["x rtap"] if builds else [])
        head += ["x ceil"] + (["x prev"] if prev else [])
        if sc not in TCP:
            head += ["cyc/pkt", "cyc x tap"] + (["cyc x rtap"] if builds else [])
            head += ["cyc x prev"] if prev else []
        if sc == "S2":
            head += ["offered Mpps", "% received", "% lost", "kernel drops"]
        if sc == "S2d":
            head += ["testpmd cyc/pkt"]
        if sc in TCP:
            head += ["retransmits"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in srows:
            flag = " !%d" % r["n_flagged"] if r["n_flagged"] else ""
            pt = r["point"] + (" B" if sc not in TCP else "")
            cells = [pt, r["pmd"], fmt(r["median"]) + flag,
                     "%s-%s" % (fmt(r["min"]), fmt(r["max"])), fmt(r["ratio_net_tap"], 2)]
            cells += [fmt(r.get("ratio_net_rtap"), 2)] if builds else []
            cells += [fmt(r["ratio_ceiling"], 2)]
            cells += [fmt(r.get("ratio_prev"), 2)] if prev else []
            if sc not in TCP:
                cells += [fmt(r["cycles_median"], 4), fmt(r["cycles_ratio_net_tap"], 2)]
                cells += [fmt(r.get("cycles_ratio_net_rtap"), 2)] if builds else []
                cells += [fmt(r.get("cycles_ratio_prev"), 2)] if prev else []
            if sc == "S2":
                cells += [fmt(r["offered_mpps"]),
                          "%.1f" % (100 * r["fraction"]) if r["fraction"] is not None else "-",
                          "%.1f" % (100 * r["lost_fraction"]),
                          "%.0f (%.1f%%)" % (r["kernel_drops"], 100 * r["kernel_drop_fraction"])]
            if sc in TCP:
                cells += [fmt(r.get("retransmits"))]
            if sc == "S2d":
                cells += [fmt(r.get("testpmd_cycles_median"), 4)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        if sc == "S2d":
            out += ["S2d cyc/pkt is TSC Hz / drain rate (the lcore polls flat out during a "
                    "drain); testpmd cyc/pkt counts only bursts that returned packets, so it "
                    "misses work a PMD does in empty polls or kernel task work. S2d covers "
                    "the TAP PMDs only (for af_packet/af_xdp the kernel's receive work happens "
                    "at enqueue time on the generator core).", ""]
            if any(r["pmd"] in ("raw-mshot", "raw-readv") for r in srows):
                out += ["raw is the raw program's one-shot io_uring reads (as net_rtap "
                        "reads), the ceiling; for reference, raw-mshot is one multishot read "
                        "over provided buffers and raw-readv one readv() per frame (as "
                        "net_tap); their cyc/pkt is the program's own loop.", ""]
        if sc == "S6":
            out += ["S6: Debian's ovs-vswitchd-dpdk, its PMD thread on the forwarding core; "
                    "every port with options:n_rxq=2 (net_tap needs it), whatever the PMD; "
                    "x ceil is the S3 veth pair.", ""]
        if sc == "S2":
            out += ["S2 cyc/pkt is testpmd's figure (bursts that returned packets only).", ""]
    out += s5_markdown([r for r in rows if r["scenario"] == "S5"], meta)
    if any(r["n_flagged"] for r in rows):
        out += ["`!k`: in k of the repetitions used, processes outside the benchmark used "
                "more than %.0f%% of a core the scenario depends on (see runs.csv: "
                "foreign_fwd_core, foreign_main_core): treat the number with care%s."
                % (100 * limit, "" if meta.get("drop_contended") else
                   "; --drop-contended leaves such repetitions out"), ""]
    if meta.get("drop_contended"):
        out += ["Repetitions left out for interference (--drop-contended): %d."
                % sum(r["n_dropped"] for r in rows), ""]
    if meta.get("failures"):
        out += ["## Failures", ""] + ["- " + f.split("\n")[0] for f in meta["failures"]] + [""]
    return "\n".join(out)


def s5_markdown(rows, meta):
    """S5's table: latency and idle CPU per PMD and mode, lower is better."""
    if not rows:
        return []
    out = ["## " + SCENARIO_TITLE["S5"], "",
           "A frame every %s us written on the kernel side of port 0, timed until the kernel "
           "receives it on the kernel side of port 1 (devtools/bench/wake.c: AF_PACKET, "
           "SO_TIMESTAMPNS), %s frames per repetition; then %s s idle. intr: the forwarder "
           "sleeps on rx interrupts after its idle polls (or polls where the PMD has none: "
           "see ran as); poll: --poll. idle CPU: all the forwarder's threads, share of a core. "
           "Lower is better."
           % (meta.get("wake_gap_us", "?"), meta.get("wake_frames", "?"),
              meta.get("idle_window", "?")), "",
           "| point | PMD | ran as | median us | min-max | p99 us | idle CPU % | lost | "
           "sleeps/frame |", "|" + "---|" * 9]
    for r in rows:
        flag = " !%d" % r["n_flagged"] if r["n_flagged"] else ""
        idle = r.get("idle_cpu_median")
        out.append("| %s | %s | %s | %s%s | %s-%s | %s | %s | %s | %s |" % (
            r["point"], r["pmd"], r["mode"], fmt(r["median"]), flag, fmt(r["min"]),
            fmt(r["max"]), fmt(r.get("p99_us_median")),
            "%.2f" % (100 * idle) if idle is not None else "-", fmt(r.get("lost_median")),
            fmt(r.get("sleeps_per_frame"), 2)))
    out.append("")
    whys = ["- %s %s: %s" % (r["pmd"], r["point"], r["why"]) for r in rows
            if r.get("why") and r["point"] == "intr"]
    if whys:
        out += ["Polled instead of sleeping (the forwarder's reason):", ""] + whys + [""]
    return out


CSV_FIELDS = ["scenario", "point", "pmd", "metric", "unit", "n", "median", "min", "max",
              "ratio_net_tap", "ratio_ceiling", "cycles_median", "cycles_min", "cycles_max",
              "cycles_ratio_net_tap", "offered_mpps", "fraction", "kernel_drops",
              "kernel_drop_fraction", "lost_fraction", "retransmits", "foreign_cpu_max",
              "testpmd_cycles_median", "n_flagged", "n_dropped", "ratio_prev",
              "cycles_ratio_prev", "p99_us_median", "idle_cpu_median", "lost_median",
              "sleeps_per_frame", "mode", "why"]


def write_csv(path, rows, fields):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()})


def plot(rows, path, meta, pmd_labels):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(pmd_labels) + REFERENCES
    palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    colors = {lab: palette[i % len(palette)] for i, lab in enumerate(pmd_labels)}
    colors["raw"] = colors["veth"] = "#7f7f7f"
    colors["raw-mshot"], colors["raw-readv"] = "#a9a9a9", "#d3d3d3"

    def tick(sc, pt):
        return pt if pt.startswith("P") else "%s B" % pt

    # (title, scenarios whose rows form the x groups, value, group label)
    panels = [("S1 tx to the kernel (Mpps, kernel-counted)", ["S1"], "median", tick),
              ("S2 rx under the generator (Mpps; tick: offered)", ["S2"], "median", tick),
              ("S2d rx drain of a full TAP queue (Mpps)", ["S2d"], "median", tick),
              ("TCP via testpmd io (S3) and OVS (S6) (Gbit/s)", ["S3", "S6"], "median",
               lambda sc, pt: "%s %s" % (sc, pt)),
              ("tx cycles/packet, forwarding lcore (S1)", ["S1"], "cycles", tick),
              ("rx cycles/packet, forwarding lcore", ["S2", "S2d"], "cycles",
               lambda sc, pt: "%s %s B" % (sc, pt))]
    fig, axes = plt.subplots(2, 3, figsize=(18, 9.5))
    for ax, (title, scs, what, name) in zip(axes.flat, panels):
        srows = [r for r in rows if r["scenario"] in scs and
                 (r["median"] if what == "median" else r["cycles_median"]) is not None]
        groups = []
        for r in srows:
            g = (r["scenario"], r["point"])
            if g not in groups:
                groups.append(g)
        present = [lab for lab in labels if any(r["pmd"] == lab for r in srows)]
        if not srows:
            ax.set_axis_off()
            ax.set_title(title + ": not run")
            continue
        width = 0.8 / len(present)
        for j, lab in enumerate(present):
            xs, ys, lo, hi, off = [], [], [], [], []
            for i, g in enumerate(groups):
                r = next((x for x in srows if (x["scenario"], x["point"]) == g and
                          x["pmd"] == lab), None)
                if not r:
                    continue
                if what == "cycles":
                    v, a, b = r["cycles_median"], r["cycles_min"], r["cycles_max"]
                else:
                    v, a, b = r["median"], r["min"], r["max"]
                xs.append(i - 0.4 + width * (j + 0.5))
                ys.append(v)
                lo.append(v - a)
                hi.append(b - v)
                off.append(r.get("offered_mpps") if what == "median" else None)
            hatch = {"raw": "//", "veth": "//", "raw-mshot": "..", "raw-readv": ".."}.get(lab)
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=lab, color=colors[lab],
                   hatch=hatch, edgecolor="black", linewidth=0.5)
            for x, y, h in zip(xs, ys, hi):
                ax.annotate(fmt(y, 3), (x, y + h), ha="center", va="bottom", fontsize=7,
                            rotation=90, xytext=(0, 2), textcoords="offset points")
            pts = [(x, o) for x, o in zip(xs, off) if o is not None]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker="v", s=30,
                           color="black", zorder=3, label="offered" if j == 0 else None)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([name(*g) for g in groups])
        ax.set_title(title, fontsize=10)
        ax.margins(y=0.25)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("net_rtap benchmark - %s, kernel %s, %s mode, %d rep(s); bars: median, "
                 "whiskers: min-max; hatched: ceilings (raw io_uring, veth), dotted: raw "
                 "references"
                 % (meta["date"], meta["kernel"], meta["mode"], meta["reps"]))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(cfg, meta, records):
    """results.json, runs.csv, summary.csv/.md and bench.png; returns the markdown."""
    meta["drop_contended"] = cfg.drop_contended
    x_rtap = bool(meta.get("rtap_so"))
    rows = summarize(records, meta["pmds"], cfg.foreign_limit, cfg.drop_contended, x_rtap)
    if cfg.compare:
        compare(rows, cfg.compare)
        meta["compare"] = cfg.compare
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": rows, "runs": records}, f, indent=1)
    run_fields = sorted({k for r in records for k in r} - {"foreign_who"})
    first = ["rep", "scenario", "point", "pmd", "mpps", "gbps", "cycles"]
    write_csv(os.path.join(cfg.out, "runs.csv"), records,
              first + [k for k in run_fields if k not in first])
    write_csv(os.path.join(cfg.out, "summary.csv"), rows,
              CSV_FIELDS + (["ratio_net_rtap", "cycles_ratio_net_rtap"] if x_rtap else []))
    md = markdown(rows, meta, cfg.foreign_limit)
    with open(os.path.join(cfg.out, "summary.md"), "w") as f:
        f.write(md + "\n")
    if rows:
        plot(rows, os.path.join(cfg.out, "bench.png"), meta, meta["pmds"])
    return md
