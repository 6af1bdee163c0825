#!/usr/bin/env bash
# promtool on the monitoring kit: the rules parse, each alert fires on the
# series of a station in that condition and not on a healthy one
# (alerts_test.yml names the rules file relative to itself), and the example
# Prometheus configuration parses.
set -euo pipefail
promtool=$1 kit=$2 tests=$3
"$promtool" check rules "$kit/dockd-alerts.yml"
"$promtool" test rules "$tests"
"$promtool" check config --syntax-only "$kit/prometheus.yml"
