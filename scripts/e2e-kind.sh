#!/usr/bin/env bash
# Brings up the Vault (or OpenBao) Helm chart in HA raft mode with TLS on an existing cluster
# (kind in .github/workflows/e2e-kind.yml) for the portable end-to-end tests, in small steps.
# The init, join and unseal steps are run against the sandbox by a test, so they are known to
# work before a workflow depends on them.
#
#   scripts/e2e-kind.sh certs DIR NAMESPACE       CA + server certificate (pods, services, localhost)
#   scripts/e2e-kind.sh secret DIR NAMESPACE      the vault-tls Secret from DIR
#   scripts/e2e-kind.sh values vault|openbao      Helm values: HA raft, TLS, retry_join
#   scripts/e2e-kind.sh init NAMESPACE OUT        vault operator init on vault-0 into OUT (0600, never overwritten)
#   scripts/e2e-kind.sh unseal NAMESPACE INIT     join (if needed) and unseal every pod, keys through stdin
#   scripts/e2e-kind.sh wait-ready NAMESPACE N    until N pods are Ready
#
# Keys and tokens never go on a command line: keys reach `vault write sys/unseal key=-` on stdin.
set -euo pipefail

die() { echo "e2e-kind: $*" >&2; exit 1; }
cli='if command -v vault >/dev/null 2>&1; then exec vault "$@"; else exec bao "$@"; fi'
# Joins the leader given as $1, trusting the CA the pods mount.
join='ca=/vault/userconfig/vault-tls/ca.crt; v=bao; command -v vault >/dev/null 2>&1 && v=vault; exec $v operator raft join -leader-ca-cert="$(cat $ca)" "$1"'

# The Vault CLI in pod $2 of namespace $1, the rest as its arguments (stdin passed through).
in_pod() {
  local ns=$1 pod=$2; shift 2
  kubectl exec -i -n "$ns" "$pod" -- sh -c "$cli" vault "$@"
}

pods() {
  kubectl get pods -n "$1" -l 'app.kubernetes.io/name in (vault, openbao),component=server' \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort -t- -k2 -n
}

case "${1:-}" in
certs)
  dir=${2:?DIR} ns=${3:?NAMESPACE}
  mkdir -p "$dir"
  umask 077
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=kubectl-vault e2e CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  sans="DNS:localhost,IP:127.0.0.1"
  for svc in vault vault-active vault-standby vault-internal openbao openbao-active openbao-standby openbao-internal; do
    sans="$sans,DNS:$svc,DNS:$svc.$ns,DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local"
  done
  for hl in vault-internal openbao-internal; do
    sans="$sans,DNS:*.$hl,DNS:*.$hl.$ns.svc,DNS:*.$hl.$ns.svc.cluster.local"
  done
  openssl req -newkey rsa:2048 -nodes -subj "/CN=vault.$ns.svc" -keyout "$dir/tls.key" \
    -out "$dir/tls.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$sans" > "$dir/ext.cnf"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/ext.cnf" -out "$dir/tls.crt" 2>/dev/null
  ;;
secret)
  dir=${2:?DIR} ns=${3:?NAMESPACE}
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f -
  kubectl create secret generic vault-tls -n "$ns" --from-file=tls.crt="$dir/tls.crt" \
    --from-file=tls.key="$dir/tls.key" --from-file=ca.crt="$dir/ca.crt"
  ;;
values)
  chart=${2:?vault|openbao}
  case "$chart" in vault) bin=vault ;; openbao) bin=bao ;; *) die "values: vault or openbao" ;; esac
  cat <<VALUES
global:
  tlsDisable: false
injector:
  enabled: false
server:
  extraEnvironmentVars:
    VAULT_CACERT: /vault/userconfig/vault-tls/ca.crt
    BAO_CACERT: /vault/userconfig/vault-tls/ca.crt
  volumes:
    - name: userconfig-vault-tls
      secret:
        defaultMode: 420
        secretName: vault-tls
  volumeMounts:
    - mountPath: /vault/userconfig/vault-tls
      name: userconfig-vault-tls
      readOnly: true
  ha:
    enabled: true
    replicas: 3
    raft:
      enabled: true
      setNodeId: true
      config: |
        ui = false
        listener "tcp" {
          address = "[::]:8200"
          cluster_address = "[::]:8201"
          tls_cert_file = "/vault/userconfig/vault-tls/tls.crt"
          tls_key_file = "/vault/userconfig/vault-tls/tls.key"
          tls_client_ca_file = "/vault/userconfig/vault-tls/ca.crt"
        }
        storage "raft" {
          path = "/vault/data"
          retry_join {
            leader_api_addr = "https://$chart-0.$chart-internal:8200"
            leader_ca_cert_file = "/vault/userconfig/vault-tls/ca.crt"
          }
          retry_join {
            leader_api_addr = "https://$chart-1.$chart-internal:8200"
            leader_ca_cert_file = "/vault/userconfig/vault-tls/ca.crt"
          }
          retry_join {
            leader_api_addr = "https://$chart-2.$chart-internal:8200"
            leader_ca_cert_file = "/vault/userconfig/vault-tls/ca.crt"
          }
        }
        service_registration "kubernetes" {}
        telemetry {
          prometheus_retention_time = "30s"
          disable_hostname = true
        }
# ($bin is the server binary of this chart.)
VALUES
  ;;
init)
  ns=${2:?NAMESPACE} out=${3:?OUT}
  [ -e "$out" ] && die "init: $out exists; not overwriting it"
  first=$(pods "$ns" | head -n1)
  [ -n "$first" ] || die "init: no Vault pod in namespace $ns"
  umask 077
  in_pod "$ns" "$first" operator init -key-shares=5 -key-threshold=3 -format=json > "$out.partial"
  mv "$out.partial" "$out"
  ;;
unseal)
  ns=${2:?NAMESPACE} init=${3:?INIT}
  threshold=$(jq -r '.unseal_threshold' "$init")
  first=$(pods "$ns" | head -n1)
  leader_ip=$(kubectl get pod -n "$ns" "$first" -o jsonpath='{.status.podIP}')
  for pod in $(pods "$ns"); do
    state=$(in_pod "$ns" "$pod" status -format=json || true)
    if [ "$(jq -r '.initialized' <<<"$state")" != true ] && [ "$pod" != "$first" ]; then
      # Without retry_join (or before it fires): join the first pod's raft cluster, by its
      # name under the headless service, else by its address.
      for leader in "https://$first.${first%-*}-internal:8200" "https://$leader_ip:8200"; do
        kubectl exec -n "$ns" "$pod" -- sh -c "$join" join "$leader" >/dev/null 2>&1 && break
      done
    fi
    for i in $(seq 0 $((threshold - 1))); do
      [ "$(in_pod "$ns" "$pod" status -format=json | jq -r '.sealed' || true)" = false ] && break
      # `operator unseal` wants a terminal; `write … key=-` reads the key from stdin.
      jq -j ".unseal_keys_b64[$i]" "$init" | in_pod "$ns" "$pod" write -format=json sys/unseal key=- >/dev/null
    done
  done
  ;;
wait-ready)
  ns=${2:?NAMESPACE} n=${3:?N}
  for _ in $(seq 1 120); do
    ready=$(kubectl get pods -n "$ns" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True || true)
    [ "$ready" -ge "$n" ] && exit 0
    sleep 5
  done
  die "wait-ready: fewer than $n pods Ready in $ns"
  ;;
*)
  sed -n '2,14p' "$0" >&2
  exit 1
  ;;
esac
