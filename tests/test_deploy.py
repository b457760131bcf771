"""The Kubernetes manifests (OPS-2) and the queues they run: what the issue promises of
deploy/kubernetes, read from the files themselves. The schemas and checkov run in .ci/run
(scripts/deploy_check.sh)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from carm_portal.celery import app

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "kubernetes"


def resources():
    out = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            out += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return out


def of_kind(kind):
    return {d["metadata"]["name"]: d for d in resources() if d["kind"] == kind}


def containers(workload):
    return workload["spec"]["template"]["spec"]["containers"]


def queues_of(command):
    """The queues a `celery worker` command line consumes (default: the default queue)."""
    words = command if isinstance(command, list) else shlex.split(command)
    if "-Q" not in words:
        return {settings.CELERY_TASK_DEFAULT_QUEUE}
    return set(words[words.index("-Q") + 1].split(","))


@pytest.mark.spec("OPS-2")
def test_scanning_email_and_statements_each_have_their_own_queue():
    """A flood of notices never delays a virus scan: each kind of task has its queue."""
    app.loader.import_default_modules()  # every app's tasks.py (autodiscovery)
    router = app.amqp.router
    queue = {name: router.route({}, name)["queue"].name for name in app.tasks}
    assert queue["documents.scan_document"] == "scanning"
    assert queue["notices.send_notice_emails"] == "email"
    assert queue["notices.dispatch_notice_emails"] == "email"
    assert queue["finance.issue_statement"] == "statements"
    assert queue["carm_portal.tasks.worker_heartbeat"] == "celery"
    assert len({"scanning", "email", "statements", "celery"}) == len(settings.WORKER_QUEUES)
    project = [n for n in queue if not n.startswith("celery.")]
    assert {queue[n] for n in project} <= set(settings.WORKER_QUEUES)


@pytest.mark.spec("OPS-2")
def test_every_queue_has_a_worker_everywhere_workers_run():
    """Kubernetes has one worker Deployment per queue; `make run` and compose run one
    worker that consumes them all (a task routed to a queue nobody reads never runs)."""
    deployments = of_kind("Deployment")
    consumed = {}
    for name, d in deployments.items():
        command = containers(d)[0].get("command") or []
        if "worker" in command and "celery" in command:
            consumed[name] = queues_of(command)
    assert set().union(*consumed.values()) == set(settings.WORKER_QUEUES)
    assert all(len(q) == 1 for q in consumed.values()), "one queue per worker Deployment"

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert queues_of(compose["services"]["worker"]["command"]) == set(settings.WORKER_QUEUES)
    devserver = (ROOT / "scripts" / "devserver.py").read_text()
    m = re.search(r'"-Q",\s*"([^"]+)"', devserver)
    assert m and set(m.group(1).split(",")) == set(settings.WORKER_QUEUES)


def gunicorn_args(name):
    config = of_kind("ConfigMap")["carm-portal-config"]["data"]
    words = shlex.split(config["GUNICORN_CMD_ARGS"])
    return int(words[words.index(name) + 1])


@pytest.mark.spec("OPS-2")
def test_the_web_deployment():
    """At least 2 replicas, readiness on /healthz, a cheap liveness probe, graceful
    shutdown longer than the longest request, resources, non-root, read-only root
    filesystem, no service-account token."""
    web = of_kind("Deployment")["web"]
    pod = web["spec"]["template"]["spec"]
    (container,) = containers(web)
    assert web["spec"]["replicas"] >= 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert "tcpSocket" in container["livenessProbe"]  # never the back-ends
    timeout, graceful = gunicorn_args("--timeout"), gunicorn_args("--graceful-timeout")
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert graceful > timeout
    assert pod["terminationGracePeriodSeconds"] > pre_stop + graceful
    assert {"requests", "limits"} <= set(container["resources"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["automountServiceAccountToken"] is False
    assert "command" not in container  # the image's CMD and its redacted access log
    # A new pod waits for the migration Job's schema.
    assert pod["initContainers"][0]["command"][-2:] == ["migrate", "--check"]


@pytest.mark.spec("OPS-2")
def test_one_beat_a_migration_job_autoscalers_budgets_policies_and_tls():
    deployments = of_kind("Deployment")
    beat = deployments["beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    job = of_kind("Job")["migrate"]
    assert containers(job)[0]["command"][-2:] == ["migrate", "--noinput"]
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert "migrate-job.yaml" not in kustomization["resources"]  # applied before, on its own

    scaled = {
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler").values()
    }
    workers = {n for n in deployments if n.startswith("worker-")}
    assert {"web"} | workers <= scaled and "beat" not in scaled
    budgets = {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
               for p in of_kind("PodDisruptionBudget").values()}  # fmt: skip
    assert {"web", "clamd"} | workers <= budgets

    policies = of_kind("NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    ingress_rules = [p for p in policies.values() if "Ingress" in p["spec"]["policyTypes"]]
    web_in = [p for p in ingress_rules if p["spec"]["podSelector"] != {}]
    # Inbound: web from the ingress controller only, clamd from web and workers only.
    assert {p["metadata"]["name"] for p in web_in} == {"web-ingress", "clamd-ingress"}
    web_out = policies["web-egress"]["spec"]["egress"]
    ports = {p["port"] for rule in web_out for p in rule["ports"]}
    assert {5432, 6379, 3310} <= ports

    (ingress,) = of_kind("Ingress").values()
    assert ingress["spec"]["tls"][0]["secretName"]
    clamd = deployments["clamd"]
    assert of_kind("Service")["clamd"]["spec"]["ports"][0]["port"] == 3310
    assert containers(clamd)[0]["env"][0] == {"name": "CLAMAV_NO_FRESHCLAMD", "value": "false"}


@pytest.mark.spec("OPS-2")
def test_secrets_are_referenced_never_written():
    """No Secret object, no secret-looking value in the ConfigMap, and every setting that
    production requires comes from the ConfigMap or a secretKeyRef."""
    assert of_kind("Secret") == {}
    config = of_kind("ConfigMap")["carm-portal-config"]["data"]
    assert not [k for k in config if re.search(r"SECRET|PASSWORD|_KEY|TOKEN", k)]
    assert not [v for v in config.values() if re.search(r"://[^/\s:@]+:[^@\s/]+@", v)]
    production = (ROOT / "carm_portal" / "settings" / "production.py").read_text()
    required = set(re.findall(r'env\.(?:str|list|db)\("([A-Z_]+)"\)', production))
    for name, d in {**of_kind("Deployment"), **of_kind("Job")}.items():
        if name == "clamd":
            continue
        for container in containers(d) + d["spec"]["template"]["spec"].get("initContainers", []):
            refs = {e["name"] for e in container["env"] if "secretKeyRef" in e["valueFrom"]}
            assert all("value" not in e for e in container["env"])
            assert required <= refs | set(config), f"{name} misses {required - refs - set(config)}"
            assert "MFA_ENCRYPTION_KEYS" in refs
