"""Reads OMB result files the way OpenMessaging Benchmark's chart script does and draws them with
pygal (Debian's python3-pygal): every series it charts over time, every quantile map, grouped by
workload. Exits non-zero when a field is missing or not what the chart script expects.

usage: python3 omb-chart-check.py OUT_DIR RESULT.json [RESULT.json ...]
"""
import json
import math
import os
import sys

import pygal

TIME_SERIES = [
    'publishLatency99pct',
    'publishDelayLatency99pct',
    'publishRate',
    'endToEndLatency95pct',
    'consumeRate',
    'endToEndLatencyAvg',
]
QUANTILES = [
    'aggregatedPublishLatencyQuantiles',
    'aggregatedPublishDelayLatencyQuantiles',
    'aggregatedEndToEndLatencyQuantiles',
]


def main(out_dir, files):
    by_workload = {}
    for name in files:
        with open(name) as f:
            result = json.load(f)
        by_workload.setdefault(result['workload'], []).append(result)
    drawn = 0
    for workload, results in by_workload.items():
        safe = workload.replace('/', '-')
        for field in TIME_SERIES:
            chart = pygal.XY(dots_size=.3, legend_at_bottom=True)
            chart.title = field
            values = []
            for r in results:
                series = r[field]
                assert isinstance(series, list), field
                # One value per 10 s reporting interval, as OMB reports.
                chart.add(r['driver'], [(10 * i, float(v)) for i, v in enumerate(series)])
                values.extend(float(v) for v in series)
            chart.range = (0, max(values) * 1.2)
            chart.render_to_file(os.path.join(out_dir, '%s - %s.svg' % (safe, field)))
            drawn += 1
        for field in QUANTILES:
            chart = pygal.XY(legend_at_bottom=True, show_dots=True, dots_size=.3)
            chart.title = field
            for r in results:
                points = sorted((float(q), float(v)) for q, v in r[field].items())
                chart.add(r['driver'], [(math.log10(100 / (100 - q)), v) for q, v in points if q <= 99.999])
            chart.render_to_file(os.path.join(out_dir, '%s - %s.svg' % (safe, field)))
            drawn += 1
    print('drew %d charts' % drawn)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
