#!/usr/bin/env python3
"""Growth figures and an SVG plot for bench/soak-faults.sh.

usage: soak-plot.py samples.tsv sink.log out.svg load_seconds

Prints one line: heap_base heap_end heap_growth_pct rss_base rss_end rss_growth_pct samples
(MiB; base = median of minutes 5-10 of the load, end = median of its last 5 minutes; with a load
shorter than 10 minutes, the second quarter and the last quarter). The SVG has two panels over time:
heap after a full GC and RSS (MiB), and the exporter queues (otlphttp's queue in MiB and
remote_write's pending samples in thousands, both from /metrics; loki.write's backlog, accepted
minus delivered log records, in thousands), with the sinks' fault windows shaded.
"""
import statistics
import sys


def read_samples(path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) != len(header):
                continue
            rows.append(dict(zip(header, cells)))
    return rows


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def read_faults(path):
    out = []
    with open(path) as f:
        for line in f:
            if not line.startswith("fault "):
                continue
            kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            out.append((kv["endpoint"], int(kv["start_ms"]) / 1000, int(kv["end_ms"]) / 1000, kv["kind"]))
    return out


def window_median(rows, key, lo, hi):
    vals = [num(r[key]) for r in rows if lo <= num(r["t"]) < hi and num(r[key])]
    return statistics.median(vals) / 1024 if vals else 0.0


def growth(base, end):
    return (end / base - 1) * 100 if base > 0 else 0.0


def polyline(points, x, y, color, dash=""):
    pts = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points if v is not None)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline fill="none" stroke="{color}" stroke-width="1.5"{extra} points="{pts}"/>'


def panel(top, height, width, left, series, tmax, title, unit, faults):
    """series: list of (label, color, [(t, v)])"""
    vmax = max([v for _, _, pts in series for _, v in pts if v is not None] + [1.0]) * 1.1
    x = lambda t: left + (width - left - 20) * t / tmax
    y = lambda v: top + height - height * v / vmax
    out = [f'<text x="{left}" y="{top - 8}" font-size="13" font-weight="bold">{title}</text>']
    colors = {"otlp": "#fde0dd", "loki": "#e0ecf4", "rw": "#e5f5e0"}
    lanes = {"otlp": 0, "loki": 1, "rw": 2}
    for endpoint, s, e, _ in faults:
        if s > tmax:
            continue
        lane = height / 3
        out.append(f'<rect x="{x(s):.1f}" y="{top + lanes[endpoint] * lane:.1f}" width="{max(1.0, x(min(e, tmax)) - x(s)):.1f}"'
                   f' height="{lane:.1f}" fill="{colors[endpoint]}"/>')
    out.append(f'<rect x="{left}" y="{top}" width="{width - left - 20}" height="{height}" fill="none" stroke="#888"/>')
    for i in range(5):
        v = vmax * i / 4
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.0f}</text>')
        out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>')
    step = 300 if tmax > 900 else 60
    t = 0
    while t <= tmax:
        out.append(f'<text x="{x(t):.1f}" y="{top + height + 14}" font-size="11" text-anchor="middle">{t // 60:.0f}</text>')
        t += step
    out.append(f'<text x="{left - 44}" y="{top + height / 2}" font-size="11" transform="rotate(-90 {left - 44} {top + height / 2})"'
               f' text-anchor="middle">{unit}</text>')
    lx = left + 10
    for label, color, pts in series:
        out.append(polyline(pts, x, y, color))
        out.append(f'<rect x="{lx}" y="{top + 6}" width="12" height="3" fill="{color}"/>')
        out.append(f'<text x="{lx + 16}" y="{top + 12}" font-size="11">{label}</text>')
        lx += 16 + 7 * len(label) + 14
    return out


def main():
    samples, sink_log, svg_path, load_seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rows = read_samples(samples)
    load = [r for r in rows if r["phase"] == "load"]
    if load_seconds >= 600:
        base_lo, base_hi, end_lo = 300, 600, load_seconds - 300
    else:
        base_lo, base_hi, end_lo = load_seconds / 4, load_seconds / 2, load_seconds * 3 / 4
    hb = window_median(load, "heap_after_gc_kib", base_lo, base_hi)
    he = window_median(load, "heap_after_gc_kib", end_lo, load_seconds + 1)
    rb = window_median(load, "rss_kib", base_lo, base_hi)
    re_ = window_median(load, "rss_kib", end_lo, load_seconds + 1)
    print(f"{hb:.1f} {he:.1f} {growth(hb, he):.1f} {rb:.1f} {re_:.1f} {growth(rb, re_):.1f} {len(load)}")

    faults = read_faults(sink_log)
    tmax = max([num(r["t"]) for r in rows] + [1.0])
    mib = lambda key: [(num(r["t"]), (num(r[key]) / 1024) if num(r[key]) is not None else None) for r in rows]
    thousands = lambda key: [(num(r["t"]), (num(r[key]) / 1000) if num(r[key]) is not None else None) for r in rows]
    q_bytes = [(num(r["t"]), (num(r["q_traces_bytes"]) / 1048576) if num(r["q_traces_bytes"]) is not None else None)
               for r in rows]
    logs_backlog = [(num(r["t"]), (num(r["accepted_logs"]) - num(r["delivered_logs"])) / 1000)
                    if num(r["accepted_logs"]) is not None and num(r["delivered_logs"]) is not None else (num(r["t"]), None)
                    for r in rows]
    width, left = 900, 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="560" font-family="sans-serif">',
             '<rect width="100%" height="100%" fill="white"/>']
    parts += panel(40, 200, width, left, [("RSS", "#d62728", mib("rss_kib")),
                                           ("heap after full GC", "#1f77b4", mib("heap_after_gc_kib"))],
                   tmax, "Collector memory (MiB)", "MiB", faults)
    parts += panel(300, 200, width, left, [("otlphttp queue (MiB)", "#9467bd", q_bytes),
                                            ("loki backlog (k records)", "#2ca02c", logs_backlog),
                                            ("remote_write pending (k samples)", "#ff7f0e", thousands("pending_samples"))],
                   tmax, "Exporter queues", "size", faults)
    parts.append(f'<text x="{width / 2}" y="530" font-size="12" text-anchor="middle">minutes since the load started;'
                 ' shaded: fault windows (top lane traces sink, middle Loki, bottom remote write)</text>')
    parts.append("</svg>")
    with open(svg_path, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
