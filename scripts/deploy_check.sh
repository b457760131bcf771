#!/usr/bin/env bash
# OPS-1 and OPS-2 in CI (make deploy-check): every Kubernetes manifest against the schemas
# of a current Kubernetes (kubernetes-validate, offline, strict), then checkov on the
# Dockerfile and the manifests. Every check checkov skips has its reason in the file that
# skips it (checkov.io/skipN annotations; "# checkov:skip=" in the Dockerfile).
# Needs .venv-tools (make tools).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TOOLS=.venv-tools/bin
K8S_VERSION=1.37.0

# kustomization.yaml is kustomize's file, not a Kubernetes resource.
mapfile -t manifests < <(find deploy/kubernetes -name '*.yaml' ! -name kustomization.yaml | sort)
echo "kubernetes-validate ${K8S_VERSION}: ${#manifests[@]} files"
"$TOOLS/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "${manifests[@]}"
# Every file of the kustomization exists and every manifest is in it (or is the Job).
"$TOOLS/python" - <<'PY'
import sys, yaml
from pathlib import Path
base = Path("deploy/kubernetes")
listed = set(yaml.safe_load((base / "kustomization.yaml").read_text())["resources"])
present = {p.name for p in base.glob("*.yaml")} - {"kustomization.yaml", "migrate-job.yaml"}
if listed != present:
    sys.exit(f"kustomization.yaml resources {sorted(listed)} != files {sorted(present)}")
print(f"kustomization.yaml: {len(listed)} files, migrate-job.yaml applied before (ADR 0013)")
PY

echo "checkov (no download: no Prisma Cloud, offline)"
"$TOOLS/checkov" --quiet --compact --skip-download --framework kubernetes dockerfile \
  -d deploy/kubernetes -f Dockerfile
