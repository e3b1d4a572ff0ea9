#!/usr/bin/env bash
# A real Kubernetes 1.20 control plane on 127.0.0.1, from Debian's packages (docs/kubernetes.md).
#
#   cluster.sh build                 build (or reuse) the binaries in ~/.cache/weaver-kube/VERSION/bin
#   cluster.sh start DIR [OWNER_PID] start etcd, kube-apiserver, controller-manager, scheduler;
#                                    state, logs and DIR/kubeconfig under DIR; with OWNER_PID,
#                                    everything stops when that process dies
#   cluster.sh stop DIR              stop what `start DIR` started
#
# Environment: WEAVER_KUBE_CACHE (default ~/.cache/weaver-kube), WEAVER_KUBE_NODE=1 to start a node
# too (kubelet + containerd + runc, as root; see node.sh).
set -euo pipefail

K8S_VERSION=1.20.2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WEAVER_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weaver-kube}"
BIN="$CACHE/$K8S_VERSION/bin"
BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubelet"

log() { echo "cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }

have_binaries() {
  local b
  for b in $BINARIES; do [ -x "$BIN/$b" ] || return 1; done
}

install_packages() {
  # What the build and the cluster need, from Debian (only as root; otherwise say what is missing).
  local missing="" cmd pkg
  for pair in go:golang-go etcd:etcd-server dpkg-source:dpkg-dev make:make openssl:openssl \
              rsync:rsync; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null || missing="$missing $pkg"
  done
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] \
    || missing="$missing golang-github-modern-go-reflect2-dev"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing$missing"
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
  else
    die "missing Debian packages:$missing (apt-get install them as root)"
  fi
}

build() {
  if have_binaries; then log "binaries cached in $BIN"; return 0; fi
  install_packages
  local work="$CACHE/$K8S_VERSION/build" started
  started=$(date +%s)
  mkdir -p "$work" "$BIN"
  # One build at a time (the pytest fixture and a user may both ask).
  exec 9>"$CACHE/$K8S_VERSION/build.lock"
  flock 9
  if have_binaries; then log "binaries cached in $BIN"; return 0; fi
  local src
  src=$(find "$work" -maxdepth 1 -type d -name "kubernetes-*$K8S_VERSION" | head -n1)
  if [ -z "$src" ]; then
    if ! grep -rqs -e '^deb-src' -e '^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      [ "$(id -u)" = 0 ] || die "apt-get source needs a deb-src entry in /etc/apt/sources.list.d"
      log "adding Debian's bookworm deb-src entry"
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        > /etc/apt/sources.list.d/weaver-kube-src.sources
      apt-get update -qq
    fi
    log "fetching Debian's kubernetes source package"
    (cd "$work" && apt-get source -qq kubernetes >&2)
    src=$(find "$work" -maxdepth 1 -type d -name "kubernetes-*$K8S_VERSION" | head -n1)
    [ -n "$src" ] || die "apt-get source kubernetes did not give $K8S_VERSION"
  fi
  # kube-apiserver 1.20.2 built with Go 1.19 panics encoding pods to JSON with the vendored
  # reflect2 1.0.1; Debian's 1.0.2 fixes it.
  rsync -a --delete /usr/share/gocode/src/github.com/modern-go/reflect2/ \
    "$src/vendor/github.com/modern-go/reflect2/"
  export GOPATH="$CACHE/$K8S_VERSION/gopath" CGO_ENABLED=0 GO111MODULE=off GOFLAGS=
  export GOCACHE="$CACHE/$K8S_VERSION/gocache"
  mkdir -p "$GOPATH/src/k8s.io"
  ln -sfn "$src" "$GOPATH/src/k8s.io/kubernetes"
  cd "$GOPATH/src/k8s.io/kubernetes"
  # The source says it is v1.20.2 (hack/lib/version.sh, as exported by git archive); Debian's
  # 1.20.5+really1.20.2 is 1.20.2 with security patches.
  log "building $BINARIES (code generators first; minutes)"
  make WHAT="cmd/kube-apiserver cmd/kubelet cmd/kube-controller-manager cmd/kube-scheduler" >&2
  local b
  for b in $BINARIES; do cp "_output/bin/$b" "$BIN/$b.tmp" && mv "$BIN/$b.tmp" "$BIN/$b"; done
  log "built in $(( $(date +%s) - started )) s into $BIN"
}

case "${1:-}" in
  build) build ;;
  start|stop) . "$HERE/control-plane.sh"; "$1" "${@:2}" ;;
  *) die "usage: cluster.sh build | start DIR [OWNER_PID] | stop DIR" ;;
esac
