#!/usr/bin/env bash
# The benchmark's stand-in for the Terragrunt homelab's generate-apps.sh, written for this project
# (the original script is not in this repository): it reads manifests/cluster/kustomization.yaml
# and writes one Argo CD Application per listed service into manifests/bootstrap with the
# namespace and sync-wave maps, then the kustomization listing them. The same shape as the
# original: a loop that writes each file with `cat` and a heredoc.
set -euo pipefail
CLUSTER_DIR="manifests/cluster"
BOOTSTRAP_DIR="manifests/bootstrap"
REPO_URL="${REPO_URL:-https://github.com/acme/homelab}"
REVISION="${REVISION:-main}"
declare -A namespace_map=([app-00003]=app-00003-system [app-00004]=app-00004-system)
declare -A sync_wave_map=([app-00000]=0 [app-00001]=1 [app-00002]=2 [app-00003]=2 [app-00004]=3 [app-00005]=4)

mkdir -p "$BOOTSTRAP_DIR"
services=$(sed -n 's/^[[:space:]]*-[[:space:]]*\([^#[:space:]]*\).*/\1/p' "$CLUSTER_DIR/kustomization.yaml")
resources=""
for svc in $services; do
  svc="${svc#./}"
  svc="${svc%/}"
  ns="${namespace_map[$svc]:-$svc}"
  wave="${sync_wave_map[$svc]:-10}"
  cat >"$BOOTSTRAP_DIR/${svc}-app.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${svc}
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "${wave}"
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  destination:
    server: https://kubernetes.default.svc
    namespace: ${ns}
  project: default
  source:
    path: ${CLUSTER_DIR}/${svc}
    repoURL: ${REPO_URL}
    targetRevision: ${REVISION}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    retry:
      backoff:
        duration: 30s
        factor: 2
        maxDuration: 2m
      limit: 5
YAML
  resources+="  - ${svc}-app.yaml"$'\n'
done
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n%s' "$resources" >"$BOOTSTRAP_DIR/kustomization.yaml"
