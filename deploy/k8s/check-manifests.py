#!/usr/bin/env python3
"""Checks rendered notifier manifests for mistakes that kustomize itself lets through.

    kubectl kustomize deploy/k8s/overlays/example | python3 deploy/k8s/check-manifests.py

Kustomize proves the YAML renders; this proves it hangs together: Services, PodDisruptionBudgets
and the ServiceMonitor select pods and ports that exist, every referenced ConfigMap and Secret is
there, each workload is locked down (non-root, read-only root filesystem, no capabilities) and has
resources and the health probes, the consumer's grace period covers its shutdown, at most one
autoscaler drives a Deployment, KEDA watches the stream the workers really use, and no secret
sits in a ConfigMap.

Exit status 0 when every check passes, 1 otherwise (each failure printed on its own line).
"""

import re
import sys

import yaml

# The consumer's drain: its shutdown grace (NOTIFIER_SHUTDOWN_GRACE, 25 s by default) plus the
# reader's blocking read (up to 6 s) and JVM exit; terminationGracePeriodSeconds must leave this.
DEFAULT_SHUTDOWN_GRACE_SECONDS = 25
DRAIN_MARGIN_SECONDS = 10
# The scrape jobs the alert rules and dashboard name (ServiceMonitor: job = Service name).
EXPECTED_METRICS_SERVICES = {"notifier-producer", "notifier-consumer"}
WORKLOAD_KINDS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}

problems = []


def fail(message):
    problems.append(message)


def selects(selector, labels):
    """Whether a matchLabels-style selector (dict) selects these labels."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def pod_labels(obj):
    return obj["spec"]["template"]["metadata"].get("labels", {})


def check_workload(obj, by_kind):
    name = f'{obj["kind"]}/{obj["metadata"]["name"]}'
    spec = pod_spec(obj)
    if spec.get("automountServiceAccountToken") is not False:
        fail(f"{name}: automountServiceAccountToken must be false (no Kubernetes API use)")
    pod_sc = spec.get("securityContext", {})
    if pod_sc.get("runAsNonRoot") is not True:
        fail(f"{name}: pod securityContext.runAsNonRoot must be true")
    if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        fail(f"{name}: pod seccompProfile must be RuntimeDefault")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for c in spec.get("containers", []):
        cname = f'{name} container {c["name"]}'
        sc = c.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{cname}: readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{cname}: allowPrivilegeEscalation must be false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            fail(f"{cname}: capabilities must drop ALL")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
            fail(f"{cname}: /tmp must be an emptyDir (the root filesystem is read-only)")
        res = c.get("resources", {})
        for key in ("cpu", "memory"):
            if key not in res.get("requests", {}):
                fail(f"{cname}: resources.requests.{key} missing")
        if "memory" not in res.get("limits", {}):
            fail(f"{cname}: resources.limits.memory missing")
        for ref in c.get("envFrom", []):
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if key in ref and ref[key]["name"] not in by_kind.get(kind, {}):
                    if kind == "Secret" and allow_missing_secrets:
                        continue
                    fail(f'{cname}: envFrom {kind} {ref[key]["name"]} is not in the output')
        if obj["kind"] == "Deployment":
            ports = {p.get("name") for p in c.get("ports", [])}
            for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
                http = c.get(probe, {}).get("httpGet", {})
                if http.get("path") != path:
                    fail(f"{cname}: {probe} must GET {path}")
                if http.get("port") not in ports:
                    fail(f"{cname}: {probe} port {http.get('port')!r} is not a container port")
    if obj["kind"] == "Deployment" and pod_labels(obj).get("app.kubernetes.io/component") == "consumer":
        grace = spec.get("terminationGracePeriodSeconds", 30)
        drain = shutdown_grace_seconds(spec, by_kind)
        if grace < drain + DRAIN_MARGIN_SECONDS:
            fail(f"{name}: terminationGracePeriodSeconds {grace} < {drain + DRAIN_MARGIN_SECONDS} "
                 f"({drain} s shutdown grace + read timeout + margin)")


def seconds(text):
    """The CLI's short durations (250ms, 30s, 5m, 2h) and ISO ones (PT30S), in whole seconds."""
    m = re.fullmatch(r"\s*(\d+)\s*(ms|s|m|h)\s*", text, re.IGNORECASE)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        return {"ms": n / 1000, "s": n, "m": 60 * n, "h": 3600 * n}[unit]
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text.strip(), re.IGNORECASE)
    if m and any(m.groups()):
        h, mi, se = (int(g or 0) for g in m.groups())
        return 3600 * h + 60 * mi + se
    fail(f"cannot read the duration {text!r}")
    return DEFAULT_SHUTDOWN_GRACE_SECONDS


def shutdown_grace_seconds(spec, by_kind):
    """NOTIFIER_SHUTDOWN_GRACE as the consumer container sees it: env wins over envFrom."""
    value = None
    for c in spec.get("containers", []):
        for ref in c.get("envFrom", []):
            cm = by_kind.get("ConfigMap", {}).get(ref.get("configMapRef", {}).get("name"))
            if cm and "NOTIFIER_SHUTDOWN_GRACE" in cm.get("data", {}):
                value = cm["data"]["NOTIFIER_SHUTDOWN_GRACE"]
        for env in c.get("env", []):
            if env.get("name") == "NOTIFIER_SHUTDOWN_GRACE" and "value" in env:
                value = env["value"]
    return DEFAULT_SHUTDOWN_GRACE_SECONDS if value in (None, "") else seconds(value)


def main():
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
    if not docs:
        fail("no manifests on standard input")
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d

    deployments = by_kind.get("Deployment", {})
    for kind in WORKLOAD_KINDS:
        for obj in by_kind.get(kind, {}).values():
            check_workload(obj, by_kind)

    images = {c["image"] for k in WORKLOAD_KINDS for o in by_kind.get(k, {}).values()
              for c in pod_spec(o)["containers"]}
    if len(images) > 1:
        fail(f"every role must run the same image, found {sorted(images)}")

    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    if len(namespaces) > 1:
        fail(f"resources are spread over namespaces {sorted(map(str, namespaces))}")

    services = by_kind.get("Service", {})
    for s in services.values():
        targets = [d for d in deployments.values() if selects(s["spec"].get("selector"), pod_labels(d))]
        if not targets:
            fail(f'Service/{s["metadata"]["name"]}: its selector matches no Deployment')
        for port in s["spec"].get("ports", []):
            for d in targets:
                names = {p.get("name") for c in pod_spec(d)["containers"] for p in c.get("ports", [])}
                if isinstance(port.get("targetPort"), str) and port["targetPort"] not in names:
                    fail(f'Service/{s["metadata"]["name"]}: targetPort {port["targetPort"]} '
                         f'is not a port of Deployment/{d["metadata"]["name"]}')

    for p in by_kind.get("PodDisruptionBudget", {}).values():
        selector = p["spec"].get("selector", {}).get("matchLabels")
        if not any(selects(selector, pod_labels(d)) for d in deployments.values()):
            fail(f'PodDisruptionBudget/{p["metadata"]["name"]}: its selector matches no Deployment')

    for m in by_kind.get("ServiceMonitor", {}).values():
        selector = m["spec"].get("selector", {}).get("matchLabels")
        matched = [s for s in services.values() if selects(selector, s["metadata"].get("labels", {}))]
        missing = EXPECTED_METRICS_SERVICES - {s["metadata"]["name"] for s in matched}
        if missing:
            fail(f'ServiceMonitor/{m["metadata"]["name"]}: does not select {sorted(missing)} '
                 "(the alert rules' job names)")
        for ep in m["spec"].get("endpoints", []):
            for s in matched:
                if ep.get("port") not in {p.get("name") for p in s["spec"].get("ports", [])}:
                    fail(f'ServiceMonitor/{m["metadata"]["name"]}: port {ep.get("port")} '
                         f'is not a port of Service/{s["metadata"]["name"]}')

    for r in by_kind.get("PrometheusRule", {}).values():
        rules = [rule for g in r["spec"].get("groups", []) for rule in g.get("rules", [])]
        if not rules:
            fail(f'PrometheusRule/{r["metadata"]["name"]}: has no rules')

    scaled = {}
    for kind in ("ScaledObject", "HorizontalPodAutoscaler"):
        for a in by_kind.get(kind, {}).values():
            target = a["spec"]["scaleTargetRef"]["name"]
            scaled.setdefault(target, []).append(f'{kind}/{a["metadata"]["name"]}')
            if target not in deployments:
                fail(f'{kind}/{a["metadata"]["name"]}: scales Deployment/{target}, which is not there')
            elif "replicas" in deployments[target]["spec"]:
                fail(f"Deployment/{target}: has spec.replicas although {kind} owns its size")
    for target, owners in scaled.items():
        if len(owners) > 1:
            fail(f"Deployment/{target}: several autoscalers {owners}; apply only one component")

    for cm in by_kind.get("ConfigMap", {}).values():
        for key in cm.get("data", {}):
            if any(word in key for word in ("PASSWORD", "SECRET", "ENCRYPTION_KEY")):
                fail(f'ConfigMap/{cm["metadata"]["name"]}: {key} is a secret; it belongs in a Secret')

    namespace_key = "notifier"
    for cm in by_kind.get("ConfigMap", {}).values():
        namespace_key = cm.get("data", {}).get("NOTIFIER_REDIS_NAMESPACE", namespace_key)
    auths = by_kind.get("TriggerAuthentication", {})
    for so in by_kind.get("ScaledObject", {}).values():
        for t in so["spec"].get("triggers", []):
            if t["type"] != "redis-streams":
                continue
            meta = t.get("metadata", {})
            if meta.get("stream") != "{%s}:ready" % namespace_key:
                fail(f'ScaledObject/{so["metadata"]["name"]}: watches stream {meta.get("stream")!r}, '
                     f'the workers use {{{namespace_key}}}:ready')
            if "streamLength" in meta and "consumerGroup" in meta:
                fail(f'ScaledObject/{so["metadata"]["name"]}: with consumerGroup KEDA ignores '
                     "streamLength and scales on pending entries")
            ref = t.get("authenticationRef", {}).get("name")
            if ref and ref not in auths:
                fail(f'ScaledObject/{so["metadata"]["name"]}: TriggerAuthentication {ref} is not there')
    for auth in auths.values():
        for ref in auth["spec"].get("secretTargetRef", []):
            secret = by_kind.get("Secret", {}).get(ref["name"])
            if secret is None:
                if not allow_missing_secrets:
                    fail(f'TriggerAuthentication/{auth["metadata"]["name"]}: Secret {ref["name"]} '
                         "is not in the output")
            elif ref["key"] not in {**secret.get("data", {}), **secret.get("stringData", {})}:
                fail(f'TriggerAuthentication/{auth["metadata"]["name"]}: Secret {ref["name"]} '
                     f'has no key {ref["key"]}')

    for p in problems:
        print(f"manifest check: {p}", file=sys.stderr)
    kinds = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items()))
    print(f"manifest check: {len(docs)} objects ({kinds}): "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


# A Secret may legitimately come from the cluster's secret store instead of the manifests.
allow_missing_secrets = "--allow-missing-secrets" in sys.argv[1:]

if __name__ == "__main__":
    sys.exit(main())
