#!/usr/bin/env bash
# Writes deploy/k8s/base/prometheusrule.yaml, the Prometheus Operator's wrapping of alerts.yml,
# so that the alert rules have one source (alerts.yml) for Compose and Kubernetes alike.
#
#   deploy/prometheus/generate-prometheusrule.sh          # regenerate after editing alerts.yml
#   deploy/prometheus/generate-prometheusrule.sh --check  # fail if the committed file is stale (CI)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_file="$here/alerts.yml"
target="$here/../k8s/base/prometheusrule.yaml"

render() {
  cat <<'HEADER'
# GENERATED from deploy/prometheus/alerts.yml by deploy/prometheus/generate-prometheusrule.sh.
# Do not edit: change alerts.yml and run the script (CI fails when this file is stale).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: notifier
  labels:
    app.kubernetes.io/name: notifier
spec:
HEADER
  # alerts.yml from its `groups:` key on, indented under spec (blank lines stay empty).
  awk 'found || /^groups:/ { found = 1; if ($0 == "") print ""; else print "  " $0 }' "$source_file"
}

case "${1:-}" in
  --check)
    if ! diff -u "$target" <(render); then
      echo "deploy/k8s/base/prometheusrule.yaml is stale: run deploy/prometheus/generate-prometheusrule.sh" >&2
      exit 1
    fi
    ;;
  '')
    render > "$target"
    echo "wrote deploy/k8s/base/prometheusrule.yaml"
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
