# Sourced by cluster.sh: `start DIR [OWNER_PID]` and `stop DIR`. Everything binds 127.0.0.1 only.
# shellcheck shell=bash

free_ports() {
  # N free TCP ports on 127.0.0.1 (held open together, so they differ).
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

spawn() {
  # spawn NAME CMD...: run CMD in its own session, output in DIR/logs/NAME.log, pid in DIR/pids.
  local name="$1"; shift
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >>"$DIR/pids"
}

wait_for() {
  # wait_for WHAT SECONDS CMD...: retry CMD until it succeeds, at most SECONDS.
  local what="$1" limit="$2" deadline; shift 2
  deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [ -n "${OWNER:-}" ] && ! kill -0 "$OWNER" 2>/dev/null; then
      log "the owner (pid $OWNER) is gone while waiting for $what: stopping"
      stop "$DIR"
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "$what not ready after ${limit} s; last log lines:"
      tail -n 20 "$DIR"/logs/*.log >&2 || true
      stop "$DIR"
      exit 1
    fi
    sleep 0.2
  done
}

pki() {
  # A CA, the API server's serving certificate for 127.0.0.1/localhost, service-account keys.
  local p="$DIR/pki"
  mkdir -p "$p"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=weaver-kube-ca" \
    -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$p/apiserver.key" -out "$p/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:%s\n' \
    "$SERVICE_IP" >"$p/san.ext"
  openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
    -days 3650 -extfile "$p/san.ext" -out "$p/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
  openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
}

kubeconfig() {
  # kubeconfig FILE TOKEN
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: weaver-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $DIR/pki/ca.crt
users:
- name: user
  user:
    token: $2
contexts:
- name: weaver-local
  context: {cluster: weaver-local, user: user, namespace: default}
current-context: weaver-local
EOF
  chmod 600 "$1"
}

start() {
  [ $# -ge 1 ] || die "usage: cluster.sh start DIR [OWNER_PID]"
  DIR="$(mkdir -p "$1" && cd "$1" && pwd)"
  local owner="${2:-}"
  [ -s "$DIR/pids" ] && die "$DIR already has a cluster (cluster.sh stop $DIR first)"
  build
  local started etcd_port peer_port
  started=$(date +%s%N)
  mkdir -p "$DIR/logs" "$DIR/etcd"
  : >"$DIR/pids"
  OWNER=$owner
  if [ -n "$owner" ]; then
    # Everything stops when the owner dies (a test run killed, a shell closed), during the start
    # too: the watcher comes first, in its own session, so it outlives a killed process group.
    setsid bash -c 'tail --pid="$1" -f /dev/null; exec "$2" stop "$3"' watcher "$owner" "$HERE/cluster.sh" "$DIR" \
      >"$DIR/logs/watcher.log" 2>&1 < /dev/null &
    echo "$! watcher" >>"$DIR/pids"
  fi
  read -r etcd_port peer_port API_PORT <<<"$(free_ports 3)"
  SERVICE_IP=10.0.0.1
  pki
  ADMIN_TOKEN=$(openssl rand -hex 16)
  NODE_TOKEN=$(openssl rand -hex 16)
  {
    echo "$ADMIN_TOKEN,admin,admin,system:masters"
    echo "$NODE_TOKEN,system:node:$(hostname | tr 'A-Z' 'a-z'),node,system:nodes"
  } >"$DIR/pki/tokens.csv"
  chmod 600 "$DIR/pki/tokens.csv"
  kubeconfig "$DIR/kubeconfig" "$ADMIN_TOKEN"
  kubeconfig "$DIR/kubelet.kubeconfig" "$NODE_TOKEN"

  spawn etcd etcd --name weaver --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "weaver=http://127.0.0.1:$peer_port"
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"

  spawn kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" --insecure-port 0 \
    --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
    --client-ca-file "$DIR/pki/ca.crt" \
    --token-auth-file "$DIR/pki/tokens.csv" --authorization-mode Node,RBAC --anonymous-auth=false \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$DIR/pki/sa.pub" --service-account-signing-key-file "$DIR/pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --kubelet-client-certificate "$DIR/pki/apiserver.crt" --kubelet-client-key "$DIR/pki/apiserver.key"
  wait_for kube-apiserver 60 curl -fsS --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$API_PORT/readyz"

  spawn kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$DIR/kubeconfig" --leader-elect=false --port 0 --secure-port 0 \
    --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/pki/ca.crt" \
    --cluster-signing-cert-file "$DIR/pki/ca.crt" --cluster-signing-key-file "$DIR/pki/ca.key"
  spawn kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$DIR/kubeconfig" --leader-elect=false --port 0 --secure-port 0
  # Ready when the token controller has given the default ServiceAccount its token (pods need it).
  wait_for "the serviceaccount-token controller" 60 sh -c \
    "curl -fsS --cacert '$DIR/pki/ca.crt' -H 'Authorization: Bearer $ADMIN_TOKEN' \
      https://127.0.0.1:$API_PORT/api/v1/namespaces/default/serviceaccounts/default | grep -q '\"secrets\"'"
  if [ "${WEAVER_KUBE_NODE:-0}" = 1 ]; then
    . "$HERE/node.sh"
    start_node
  fi
  echo "https://127.0.0.1:$API_PORT" >"$DIR/server"
  log "cluster up in $(( ($(date +%s%N) - started) / 1000000 )) ms: KUBECONFIG=$DIR/kubeconfig"
}

alive() {
  # A process that exited but was not reaped (a zombie under a container's pid 1) counts as gone.
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

stop() {
  [ $# -ge 1 ] || die "usage: cluster.sh stop DIR"
  DIR="$(cd "$1" 2>/dev/null && pwd)" || { log "no cluster in $1"; return 0; }
  [ -f "$DIR/pids" ] || { log "no cluster in $DIR"; return 0; }
  exec 8>"$DIR/stop.lock"
  flock 8
  [ -f "$DIR/node.sh.state" ] && { . "$HERE/node.sh"; stop_node; }
  local pid name pids="" self=$$ watcher=""
  # Newest first: the scheduler and controllers go before the API server, etcd last.
  while read -r pid name; do
    [ "$name" = watcher ] && { watcher=$pid; continue; }
    pids="$pid $pids"
  done <"$DIR/pids"
  for pid in $pids; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$(( $(date +%s) + 15 ))
  for pid in $pids; do
    while alive "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then log "pid $pid did not stop on SIGTERM: SIGKILL"; kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; break; fi
      sleep 0.05
    done
  done
  # The watcher last, unless it is what is running this.
  if [ -n "$watcher" ] && [ "$watcher" != "$self" ] && [ "$watcher" != "$PPID" ]; then
    kill -TERM -- "-$watcher" 2>/dev/null || kill -TERM "$watcher" 2>/dev/null || true
  fi
  [ -n "${NODE_DIR:-}" ] && reap_shims "$NODE_DIR"
  # The node's leftovers: container rootfs and shm mounts under DIR.
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -f "$DIR/pids" "$DIR/server"
  log "cluster in $DIR stopped"
}
