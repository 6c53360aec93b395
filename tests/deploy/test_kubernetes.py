"""deploy/k8s: validated offline against the Kubernetes schemas, then against our rules."""

import copy
import re

import kubernetes_validate
import pytest
import yaml

from shared.env import MIN_SECRET_BYTES
from tests.deploy import support

# The oldest and the newest minor versions worth supporting; the package ships both schemas.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
APPS = ("users", "feed", "notifications")
NAMESPACE = "social"
# Relays and consumers (deploy/k8s/events.yaml): name -> (image's service, manage.py command).
EVENT_WORKERS = {
    "users-relay": ("users", "relay_events"),
    "feed-relay": ("feed", "relay_events"),
    "users-consumer": ("users", "consume_events"),
    "feed-consumer": ("feed", "consume_events"),
    "notifications-consumer": ("notifications", "consume_events"),
}
# The services that run shared.events (their Secrets carry BROKER_URL).
EVENT_SERVICES = ("users", "feed", "notifications")
# Custom resources of operators the cluster runs: not in the Kubernetes schemas, checked below.
OPERATOR_API_GROUPS = ("rabbitmq.com/",)


def containers(workload: dict, *, init: bool = True) -> list[dict]:
    spec = support.pod_spec(workload)
    return [*(spec.get("initContainers", []) if init else []), *spec["containers"]]


def kustomization() -> dict:
    return yaml.safe_load((support.K8S_DIR / "kustomization.yaml").read_text())


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_matches_the_kubernetes_schema(version):
    for path, doc in support.k8s_documents(include_templates=True):
        if doc["apiVersion"].startswith(OPERATOR_API_GROUPS):
            continue
        # Strict: an unknown field (a typo Kubernetes would silently drop) is an error too.
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name} {doc['kind']}/{doc['metadata']['name']}: {error.message}")


def test_schema_check_rejects_a_misspelt_probe():
    deployment = copy.deepcopy(support.k8s_find("Deployment", "users"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)


def test_kustomization_applies_every_manifest_but_the_secret_template():
    listed = set(kustomization()["resources"])
    on_disk = {p.name for p in support.K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk - {"secrets.template.yaml"}
    assert kustomization()["namespace"] == NAMESPACE


def test_every_image_is_set_by_the_kustomization():
    images = {entry["name"] for entry in kustomization()["images"]}
    used = {
        c["image"]
        for _, doc in support.k8s_documents()
        if doc["kind"] in support.WORKLOAD_KINDS
        for c in containers(doc)
    }
    assert (
        used
        == images
        == {
            "social-users",
            "social-feed",
            "social-notifications",
            "social-gateway",
        }
    )


@pytest.mark.parametrize("app", APPS)
def test_service_deployment_has_probes_on_the_health_endpoints(app):
    [container] = containers(support.k8s_find("Deployment", app), init=False)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8000}
    expected = {
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
        "startupProbe": "/healthz",
    }
    for probe, path in expected.items():
        get = container[probe]["httpGet"]
        assert (get["path"], get["port"]) == (path, "http")
        # Django validates Host; the kubelet would send the pod's address, which is not allowed.
        assert {"name": "Host", "value": "localhost"} in get["httpHeaders"]
    allowed = next(e["value"] for e in container["env"] if e["name"] == "ALLOWED_HOSTS")
    assert {"localhost", app} <= set(allowed.split(","))


def test_every_container_has_resource_requests_and_limits():
    for path, doc in support.k8s_documents():
        if doc["kind"] not in support.WORKLOAD_KINDS:
            continue
        for container in containers(doc):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= resources.get(bound, {}).keys(), (
                    f"{path.name}: {container['name']} lacks {bound}"
                )


@pytest.mark.parametrize("app", [*APPS, "gateway"])
def test_each_deployment_has_an_autoscaler_and_a_service(app):
    deployment = support.k8s_find("Deployment", app)
    hpa = support.k8s_find("HorizontalPodAutoscaler", app)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": app,
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = support.k8s_find("Service", app)
    assert service["spec"]["selector"].items() <= labels.items()
    assert (
        support.k8s_find("PodDisruptionBudget", app)["spec"]["selector"]["matchLabels"]
        == (deployment["spec"]["selector"]["matchLabels"])
    )


@pytest.mark.parametrize("app", APPS)
def test_gateway_balances_over_every_ready_pod_of_each_service(app):
    env = support.k8s_find("ConfigMap", "gateway-env")["data"]
    upstream = env[f"{app.upper()}_UPSTREAM"]
    host, port, flag = re.split(r"[:\s]+", upstream)
    assert (host, port, flag) == (f"{app}-pods.{NAMESPACE}.svc.cluster.local", "8000", "resolve")
    headless = support.k8s_find("Service", f"{app}-pods")
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["selector"] == support.k8s_find("Service", app)["spec"]["selector"]
    assert env["GATEWAY_RESOLVER"] == "kube-dns.kube-system.svc.cluster.local"


def test_gateway_configmap_provides_every_template_placeholder():
    env = support.k8s_find("ConfigMap", "gateway-env")["data"]
    assert support.template_placeholders() - env.keys() == set()
    [container] = containers(support.k8s_find("Deployment", "gateway"))
    assert container["envFrom"] == [{"configMapRef": {"name": "gateway-env"}}]
    probes = {container[p]["httpGet"]["path"] for p in ("livenessProbe", "readinessProbe")}
    assert probes == {"/healthz"}


@pytest.mark.parametrize("app", APPS)
def test_a_job_migrates_each_service_and_its_pods_wait_for_it(app):
    job = support.k8s_find("Job", f"{app}-migrate")
    [migrate] = containers(job)
    assert migrate["image"] == f"social-{app}"
    # Migrations, then the exchange and the service's queues: declared before any relay publishes.
    if app in EVENT_SERVICES:
        assert migrate["command"][:2] == ["sh", "-c"]
        assert migrate["command"][2] == (
            "python manage.py migrate --noinput && python manage.py consume_events --declare"
        )
    else:
        assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    names = [app, *(name for name, (svc, _) in EVENT_WORKERS.items() if svc == app)]
    if app == "feed":
        names.append("trimmer")
    for workload in (support.k8s_find("Deployment", name) for name in names):
        [wait] = support.pod_spec(workload)["initContainers"]
        assert wait["image"] == f"social-{app}"
        assert "manage.py migrate --check" in wait["command"][-1]


@pytest.mark.parametrize("name", EVENT_WORKERS)
def test_relays_and_consumers_are_deployments_that_scale_by_replica_count(name):
    service, command = EVENT_WORKERS[name]
    worker = support.k8s_find("Deployment", name)
    [container] = containers(worker, init=False)
    assert container["image"] == f"social-{service}"
    assert container["command"] == ["python", "manage.py", command]
    # Several at once are safe (SKIP LOCKED batches, applied-event ids): rolled, not recreated.
    assert worker["spec"]["replicas"] >= 2
    assert worker["spec"].get("strategy", {}).get("type", "RollingUpdate") == "RollingUpdate"
    assert {"secretRef": {"name": f"{service}-secrets"}} in container["envFrom"]
    assert {"configMapRef": {"name": "social-config"}} in container["envFrom"]


def test_rabbitmq_is_a_three_node_operator_cluster_with_quorum_queues():
    cluster = support.k8s_find("RabbitmqCluster", "social-rabbitmq")
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    spec = cluster["spec"]
    assert spec["replicas"] == 3
    assert spec["persistence"]["storage"]
    assert {"cpu", "memory"} <= spec["resources"]["limits"].keys()
    assert "cluster_partition_handling = pause_minority" in spec["rabbitmq"]["additionalConfig"]
    anti = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti[0]["topologyKey"] == "kubernetes.io/hostname"
    assert support.k8s_find("ConfigMap", "social-config")["data"]["EVENTS_QUEUE_TYPE"] == "quorum"
    for app in EVENT_SERVICES:
        url = support.k8s_find("Secret", f"{app}-secrets")["stringData"]["BROKER_URL"]
        assert url.endswith("@social-rabbitmq.social.svc:5672/")


def test_the_mailer_sends_from_the_users_image_with_the_users_secrets():
    mailer = support.k8s_find("Deployment", "mailer")
    [container] = containers(mailer, init=False)
    assert container["image"] == "social-users"
    assert container["command"] == ["python", "manage.py", "send_mail"]
    assert {"secretRef": {"name": "users-secrets"}} in container["envFrom"]
    [wait] = support.pod_spec(mailer)["initContainers"]
    assert "manage.py migrate --check" in wait["command"][-1]


def test_the_trimmer_is_a_single_replica_of_the_feed_image_trimming_hourly():
    trimmer = support.k8s_find("Deployment", "trimmer")
    [container] = containers(trimmer, init=False)
    assert container["image"] == "social-feed"
    assert container["command"] == [
        "python", "manage.py", "trim_timeline_inboxes", "--every", "3600"
    ]  # fmt: skip
    assert trimmer["spec"]["replicas"] == 1
    assert {"configMapRef": {"name": "social-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "feed-secrets"}} in container["envFrom"]


def test_django_pods_run_as_the_images_non_root_user():
    for _, doc in support.k8s_documents():
        if doc["kind"] not in support.WORKLOAD_KINDS or doc["metadata"]["name"] == "gateway":
            continue
        context = support.pod_spec(doc)["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == 10001
        for container in containers(doc):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_secrets_come_only_from_secret_objects_never_from_manifest_values():
    for path, doc in support.k8s_documents():
        assert doc["kind"] != "Secret", f"{path.name} holds a Secret: keep them out of the repo"
        if doc["kind"] == "ConfigMap":
            for key in doc["data"]:
                assert not support.SECRET_NAME.search(key), f"{path.name}: {key} is a secret"
        if doc["kind"] not in support.WORKLOAD_KINDS:
            continue
        for container in containers(doc):
            for entry in container.get("env", []):
                assert not support.SECRET_NAME.search(entry["name"]), entry
                assert not entry["name"].endswith("DATABASE_URL"), entry


@pytest.mark.parametrize("app", APPS)
def test_secret_template_names_every_secret_the_service_needs_with_placeholders_only(app):
    secret = support.k8s_find("Secret", f"{app}-secrets")
    # The database's URL, and the users service's SMTP server (its credentials inside).
    needed = support.required_secrets(app) | {f"{app.upper()}_DATABASE_URL"}
    if app in EVENT_SERVICES:
        needed.add("BROKER_URL")
    if app == "users":
        needed.add("EMAIL_URL")
    assert set(secret["stringData"]) == needed
    for key, value in secret["stringData"].items():
        if key in support.required_secrets(app):
            # No value to mistake for a secret, and applied unedited the template must not
            # start: the settings demand 32 bytes.
            assert value == "", key
            assert len(value.encode()) < MIN_SECRET_BYTES, key
        else:
            assert "REPLACE_ME" in value, key
    # Every pod of the service reads this Secret.
    workloads = [support.k8s_find("Deployment", app), support.k8s_find("Job", f"{app}-migrate")]
    for workload in workloads:
        for container in containers(workload):
            assert {"secretRef": {"name": f"{app}-secrets"}} in container["envFrom"]


# --- Pod Security Standards, drains, upkeep ------------------------------------------------------

# The volume types the "restricted" Pod Security Standard allows.
RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
}  # fmt: skip


def test_every_pod_passes_the_restricted_pod_security_standard():
    """The rules of https://kubernetes.io/docs/concepts/security/pod-security-standards/
    (restricted, v1.30+), checked on every workload, the gateway's nginx included."""
    for path, doc in support.k8s_documents():
        if doc["kind"] not in support.WORKLOAD_KINDS:
            continue
        name = f"{path.name} {doc['kind']}/{doc['metadata']['name']}"
        spec = support.pod_spec(doc)
        pod = spec.get("securityContext", {})
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= RESTRICTED_VOLUMES, (name, volume)
        for container in containers(doc):
            context = container.get("securityContext", {})
            assert context.get("privileged") is not True, name
            assert context.get("allowPrivilegeEscalation") is False, name
            assert "ALL" in context.get("capabilities", {}).get("drop", []), name
            assert set(context.get("capabilities", {}).get("add", [])) <= {"NET_BIND_SERVICE"}
            assert context.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, name
            assert context.get("runAsUser", pod.get("runAsUser")) != 0, name
            seccomp = context.get("seccompProfile", pod.get("seccompProfile", {}))
            assert seccomp.get("type") in ("RuntimeDefault", "Localhost"), name
            assert all("hostPort" not in port for port in container.get("ports", [])), name


def test_the_gateway_runs_unprivileged_nginx_on_a_read_only_root():
    gateway = support.k8s_find("Deployment", "gateway")
    [container] = containers(gateway)
    assert support.pod_spec(gateway)["securityContext"]["runAsUser"] == 101
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # The only places nginx writes: the rendered configuration and its temporary files.
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert set(mounts) == {"/etc/nginx/conf.d", "/tmp"}  # noqa: S108 - the emptyDir mounts
    main = (support.REPO / "gateway" / "docker" / "nginx.conf").read_text()
    assert "pid /tmp/nginx.pid;" in main
    assert re.search(r"^user ", main, re.M) is None
    dockerfile = (support.REPO / "gateway" / "Dockerfile").read_text()
    assert re.search(r"^USER 101:101$", dockerfile, re.M)


def nginx_seconds(directive: str, path) -> int:
    match = re.search(rf"\b{directive}[ =]([0-9]+)s\b", path.read_text())
    assert match, f"{directive} not in {path.name}"
    return int(match.group(1))


def pre_stop_sleep(container: dict) -> int:
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep", command
    return int(command[1])


# The cluster DNS (CoreDNS's kubernetes plugin) answers with a 5 s TTL by default.
CLUSTER_DNS_TTL_SECONDS = 5


@pytest.mark.parametrize("app", APPS)
def test_a_service_pod_drains_before_gunicorn_stops_and_stops_before_it_is_killed(app):
    """The gateway re-resolves the service every `valid` seconds: a pod leaving the endpoints
    must keep serving until the gateway can no longer pick it, then gunicorn gets its graceful
    timeout for the requests in flight, all inside the termination grace period."""
    import shared.gunicorn_conf

    deployment = support.k8s_find("Deployment", app)
    [container] = containers(deployment, init=False)
    resolver = support.REPO / "gateway" / "docker" / "resolver.conf.template"
    drain = pre_stop_sleep(container)
    assert drain > nginx_seconds("valid", resolver) + CLUSTER_DNS_TTL_SECONDS
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    graceful = int(env.get("GUNICORN_GRACEFUL_TIMEOUT", shared.gunicorn_conf.graceful_timeout))
    grace = support.pod_spec(deployment)["terminationGracePeriodSeconds"]
    assert grace > drain + graceful


def test_the_gateway_drains_and_lets_every_proxied_request_finish_before_it_is_killed():
    gateway = support.k8s_find("Deployment", "gateway")
    [container] = containers(gateway)
    template = support.REPO / "gateway" / "templates" / "gateway.conf.template"
    main = support.REPO / "gateway" / "docker" / "nginx.conf"
    shutdown = nginx_seconds("worker_shutdown_timeout", main)
    assert shutdown >= nginx_seconds("proxy_read_timeout", template)
    grace = support.pod_spec(gateway)["terminationGracePeriodSeconds"]
    assert grace > pre_stop_sleep(container) + shutdown


@pytest.mark.parametrize("app", APPS)
def test_a_cronjob_runs_each_services_periodic_jobs_hourly(app):
    cronjob = support.k8s_find("CronJob", f"{app}-jobs")
    [container] = containers(cronjob)
    assert container["image"] == f"social-{app}"
    assert container["command"] == ["python", "manage.py", "run_periodic_jobs", "--once"]
    assert re.fullmatch(r"[0-9]+ \* \* \* \*", cronjob["spec"]["schedule"])
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert {"secretRef": {"name": f"{app}-secrets"}} in container["envFrom"]


@pytest.mark.parametrize("app", APPS)
def test_service_pods_are_annotated_for_prometheus_to_scrape_their_metrics(app):
    deployment = support.k8s_find("Deployment", app)
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    [container] = containers(deployment, init=False)
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port),
        "prometheus.io/path": "/metrics",
    }


@pytest.mark.parametrize(
    ("app", "callers"),
    [
        ("users", {"gateway", "feed", "feed-consumer", "trimmer", "feed-jobs"}),
        ("feed", {"gateway"}),
        ("notifications", {"gateway"}),
    ],
)
def test_only_the_gateway_and_the_internal_callers_reach_a_service(app, callers):
    policy = support.k8s_find("NetworkPolicy", app)
    spec = policy["spec"]
    assert spec["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": app}}
    assert spec["policyTypes"] == ["Ingress"]
    [rule] = spec["ingress"]
    pods = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for peer in rule["from"]
        if "podSelector" in peer
    }
    assert pods == callers
    # Every caller named is a workload whose pods carry that label.
    pod_labels = set()
    for _, doc in support.k8s_documents(include_templates=True):
        if doc["kind"] in support.WORKLOAD_KINDS:
            template = (
                doc["spec"]["jobTemplate"]["spec"]["template"]
                if doc["kind"] == "CronJob"
                else doc["spec"]["template"]
            )
            pod_labels.add(template["metadata"]["labels"].get("app.kubernetes.io/name"))
    assert callers <= pod_labels, callers - pod_labels
    assert [port["port"] for port in rule["ports"]] == ["http"]
