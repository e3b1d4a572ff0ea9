# Sourced by control-plane.sh when WEAVER_KUBE_NODE=1: a node on this machine (root only).
# containerd (its own socket and state under DIR), runc, CNI bridge + host-local + loopback (the
# kubelet reports the node Ready only when the runtime's network is ready; pods on it reach the
# API server through the api-socket relay), and the kubelet on 127.0.0.1.
# The pause image is made here (busybox-static, one OCI layer) and imported with ctr.
# shellcheck shell=bash

PAUSE_IMAGE=weaver.local/pause:1

node_packages() {
  local missing=""
  command -v containerd >/dev/null || missing="$missing containerd"
  command -v runc >/dev/null || missing="$missing runc"
  [ -x /usr/lib/cni/bridge ] || missing="$missing containernetworking-plugins"
  [ -x /usr/bin/busybox ] || [ -x /bin/busybox ] || missing="$missing busybox-static"
  [ -z "$missing" ] && return 0
  [ "$(id -u)" = 0 ] || die "the node needs root and:$missing"
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
}

start_node() {
  [ "$(id -u)" = 0 ] || die "the node (kubelet + containerd) needs root"
  node_packages
  local n="$DIR/node" kubelet_port
  mkdir -p "$n/containerd" "$n/cni" "$n/kubelet"
  NODE_NAME=$(hostname | tr 'A-Z' 'a-z')
  read -r kubelet_port <<<"$(free_ports 1)"
  cat >"$n/cni/10-weaver.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "weaver", "plugins": [
  {"type": "bridge", "bridge": "weaver0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.0.0/24"}]], "dataDir": "$n/cni-ipam"}},
  {"type": "loopback"}]}
EOF
  cat >"$n/containerd.toml" <<EOF
version = 2
root = "$n/containerd/root"
state = "$n/containerd/state"
[grpc]
  address = "$n/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: runc cannot set the sandbox's -998 (docs/kubernetes.md).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$n/cni"
EOF
  spawn containerd containerd --config "$n/containerd.toml"
  wait_for containerd 30 ctr --address "$n/containerd.sock" version
  local busybox
  busybox=$(command -v busybox)
  python3 "$HERE/../../src/python/weaver/deployers/kube/oci.py" "$n/pause.tar" "$PAUSE_IMAGE" \
    '["/bin/busybox", "sleep", "2147483647"]' "bin/busybox=$busybox" >/dev/null
  ctr --address "$n/containerd.sock" -n k8s.io images import "$n/pause.tar" >&2
  spawn kubelet "$BIN/kubelet" --kubeconfig "$DIR/kubelet.kubeconfig" \
    --container-runtime remote --container-runtime-endpoint "unix://$n/containerd.sock" \
    --root-dir "$n/kubelet" --cert-dir "$n/kubelet/pki" --hostname-override "$NODE_NAME" \
    --node-ip 127.0.0.1 --address 127.0.0.1 --port "$kubelet_port" --read-only-port 0 --healthz-port 0 \
    --client-ca-file "$DIR/pki/ca.crt" --authorization-mode AlwaysAllow --anonymous-auth=false \
    --cgroup-driver cgroupfs --cgroups-per-qos=false --enforce-node-allocatable "" --fail-swap-on=false \
    --eviction-hard "" --image-gc-high-threshold 100 --register-node=true --oom-score-adj 0
  # Pods on the pod network reach the API server (127.0.0.1 only) through this Unix socket,
  # mounted into them ([kube] api_socket; src/python/weaver/deployers/kube/apisocket.py).
  mkdir -p "$n/api"
  spawn api-socket python3 "$HERE/../../src/python/weaver/deployers/kube/apisocket.py" "$n/api/api.sock" \
    "127.0.0.1:$API_PORT"
  wait_for "the API socket" 30 test -S "$n/api/api.sock"
  echo "$n" >"$DIR/node.sh.state"
  wait_for "the node's registration" 60 node_address
  wait_for "the node" 120 node_ready
}

node_address() {
  # The kubelet refuses a loopback --node-ip ("nodeIP can't be loopback"), so it reports no
  # address, and a host-network pod then gets no podIP (status.podIP comes from the node's
  # InternalIP): weaver's envelope could not route to it. The node's status is set here instead;
  # the kubelet keeps what it cannot compute itself. Fails until the node has registered.
  local api="https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME"
  curl -fsS --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "$api" >/dev/null || return 1
  curl -fsS --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" -X PATCH \
    -H 'Content-Type: application/merge-patch+json' "$api/status" \
    -d "{\"status\": {\"addresses\": [{\"type\": \"InternalIP\", \"address\": \"127.0.0.1\"},
         {\"type\": \"Hostname\", \"address\": \"$NODE_NAME\"}]}}" >/dev/null
}

node_ready() {
  curl -fsS --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME" | python3 -c '
import json, sys
conditions = {c["type"]: c["status"] for c in json.load(sys.stdin)["status"].get("conditions", [])}
sys.exit(conditions.get("Ready") != "True")'
}

stop_node() {
  # The kubelet stops with the other processes; here, the pods' containers. Sets NODE_DIR for
  # reap_shims, which runs once containerd has stopped.
  local n
  n=$(cat "$DIR/node.sh.state")
  NODE_DIR=$n
  if [ -S "$n/containerd.sock" ]; then
    local task
    for task in $(ctr --address "$n/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$n/containerd.sock" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
  fi
  rm -f "$DIR/node.sh.state"
}

reap_shims() {
  # A container's shim (containerd-shim-runc-v2, in its own session) outlives containerd: kill the
  # ones serving this node's socket, so a stopped node leaves no process behind.
  local n=$1 pid cmd deadline
  for pid in $(pgrep -f containerd-shim-runc-v2 || true); do
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    case "$cmd" in *"-address $n/containerd.sock"*) kill -KILL "$pid" 2>/dev/null || true ;; esac
  done
  deadline=$(( $(date +%s) + 10 ))
  while pgrep -f -- "-address $n/containerd.sock" >/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "shims of $n did not exit"; return 0; }
    sleep 0.05
  done
}
