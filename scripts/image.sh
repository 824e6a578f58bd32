#!/usr/bin/env bash
# `make image`: builds the Dockerfile with podman, starts the image and smoke-tests it (health, one real PDF,
# fonts). Works where no container registry is reachable: the debian:bookworm-slim base is made with
# debootstrap from the host's Debian mirror, once, and reused. Idempotent; run as root on Debian 12.
# Host-specific things (the CA bundle of an intercepting proxy, local package indexes) are build-time mounts
# only, never written into the Dockerfile or the image.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${GONGWEN_IMAGE:-localhost/gongwen}
BASE=docker.io/library/debian:bookworm-slim
SUITE=bookworm
# NOTE: on this kind of host crun cannot set cgroups or rlimits (environment.md §8); runc with explicit
# limits can. A normal Docker or podman host needs neither option.
RUNTIME=(--runtime /usr/sbin/runc)
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
HOST_CA=/etc/ssl/certs/ca-certificates.crt
BUILD_LOG=${TMPDIR:-/var/tmp}/gongwen-image-build.log
PACKAGES=(podman runc debootstrap debian-archive-keyring ca-certificates python3 poppler-utils)

log() { printf 'image: %s\n' "$*" >&2; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

work=$(mktemp -d /var/tmp/gongwen-image.XXXXXX)
container=""
cleanup() {
  local status=$?
  if [ -n "$container" ]; then
    podman "${RUNTIME[@]}" rm --force --time 10 "$container" >/dev/null 2>&1 || log "could not remove $container"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. packages ------------------------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${missing[*]}; run as root (or install them)"
    exit 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. the base image ------------------------------------------------------------------------------------
# The host's apt sources for SUITE, SUITE-updates and SUITE-security, as one-line "URI SUITE" pairs
# (deb822 .sources files and classic sources.list lines alike).
host_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    sed -E 's/\[[^]]*\]//' "$file" | awk '$1 == "deb" { print $2, $3 }'
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
        }
        if (types !~ /(^|[ \t])deb([ \t]|$)/) next
        n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
        for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print u[a], s[b]
      }' "$file"
  done
}

make_base() {
  local sources mirror rootfs
  sources=$(host_sources | awk -v s="$SUITE" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | sort -u)
  mirror=${GONGWEN_DEBIAN_MIRROR:-$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")}
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs="$work/rootfs"
  log "making $BASE: debootstrap --variant=minbase $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    return 1
  }
  # The same apt sources as the host (main only), so the image gets the packages `make setup` gets.
  awk '{ print "deb", $1, $2, "main" }' <<<"${sources:-$mirror $SUITE}" >"$rootfs/etc/apt/sources.list"
  # What the official -slim variant does (debuerreotype): no documentation, manuals or translations in
  # later installs either, and apt keeps no downloaded packages.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$rootfs"
}

if podman image exists "$BASE"; then
  log "reusing $BASE ($(podman image inspect --format '{{.Id}}' "$BASE" | cut -c1-12))"
  base_seconds=0
else
  started=$(now)
  make_base
  base_seconds=$(seconds_since "$started")
  log "made $BASE in ${base_seconds} s"
fi

# --- 3. build ---------------------------------------------------------------------------------------------
# pip inside the build is configured as on this host (`pip config list` of the project's .venv, else of
# python3 -m pip): its index, extra indexes and find-links, and the host's CA bundle, which an intercepting
# HTTPS proxy needs. It is all one read-only directory mounted at pip's global configuration directory, with
# local index directories mounted inside it; of a mount, only the empty mount point stays in the image.
PIP_DIR=/etc/xdg/pip
pip_settings() {
  local pip
  if [ -x .venv/bin/python ]; then pip=(.venv/bin/python -m pip); else pip=(python3 -m pip); fi
  "${pip[@]}" config list 2>/dev/null || true
}
mkdir -p "$work/pip"
build_mounts=(-v "$work/pip:$PIP_DIR:ro")
{
  echo "[global]"
  if [ -f "$HOST_CA" ]; then
    cp "$HOST_CA" "$work/pip/ca-certificates.crt"
    echo "cert = $PIP_DIR/ca-certificates.crt"
  fi
  declare -A seen=()
  local_dirs=0
  while IFS= read -r line; do
    key=${line%%=*}
    key=${key##*.}
    value=${line#*=}
    value=${value#\'}
    value=${value%\'}
    case $key in
      index-url | extra-index-url | find-links | trusted-host | default-timeout) ;;
      *) continue ;;
    esac
    # `pip config list` prints the environment's values first, and they win.
    [ -z "${seen[$key]:-}" ] || continue
    seen[$key]=1
    locations=()
    for location in $value; do
      directory=${location#file://}
      if [ "$key" != trusted-host ] && [ "${directory:0:1}" = / ] && [ -d "$directory" ]; then
        # A file:// index names its simple/ directory; its links point at ../../files beside it.
        suffix=""
        if [ "$(basename "$directory")" = simple ]; then
          suffix=/simple
          directory=$(dirname "$directory")
        fi
        local_dirs=$((local_dirs + 1))
        mkdir "$work/pip/local-$local_dirs"
        build_mounts+=(-v "$directory:$PIP_DIR/local-$local_dirs:ro")
        location=$PIP_DIR/local-$local_dirs$suffix
        [ "$key" = find-links ] || location=file://$location
      fi
      locations+=("$location")
    done
    echo "$key = ${locations[*]}"
  done < <(pip_settings)
} >"$work/pip/pip.conf"

revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The build copies the working tree: a tag must not claim a commit the image differs from.
if [ "$revision" != unknown ] && ! git diff --quiet HEAD -- Dockerfile .dockerignore pyproject.toml README.md \
  scripts/setup-system.sh service schemas templates fonts; then
  revision=$revision-dirty
fi
tags=(-t "$IMAGE:dev")
[ "$revision" = unknown ] || tags+=(-t "$IMAGE:$revision")
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE:dev" 2>/dev/null || true)
log "building $IMAGE:dev ($revision)"
started=$(now)
# --format docker keeps the Dockerfile's HEALTHCHECK (OCI images have no such field).
podman build --isolation chroot --pull=never --format docker "${build_mounts[@]}" "${tags[@]}" -f Dockerfile . \
  >"$BUILD_LOG" 2>&1 || {
  tail -n 60 "$BUILD_LOG" >&2
  log "build failed; the whole log is in $BUILD_LOG"
  exit 1
}
build_seconds=$(seconds_since "$started")
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE:dev")
log "built in ${build_seconds} s, $((image_bytes / 1000000)) MB"
# The image this build replaced, and tags of earlier revisions, go; the build cache (its layers) stays.
for tag in $(podman images --format '{{.Repository}}:{{.Tag}}' --filter "reference=$IMAGE"); do
  case $tag in "$IMAGE:dev" | "$IMAGE:$revision") ;; *) podman rmi "$tag" >/dev/null ;; esac
done
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE:dev")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi

# --- 4. run -----------------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
name="gongwen-image-smoke-$$"
started=$(now)
# NOTE: without systemd podman cannot schedule the image's HEALTHCHECK and says so on every run; the check
# itself is run once below, by hand.
container=$(podman "${RUNTIME[@]}" run --detach --name "$name" "${LIMITS[@]}" \
  --publish "127.0.0.1:$port:8000" "$IMAGE:dev" 2>"$work/run.log") || {
  cat "$work/run.log" >&2
  exit 1
}
log "started $name on 127.0.0.1:$port"
if ! ready_seconds=$(python3 scripts/image_smoke.py ready "http://127.0.0.1:$port" --started "$started"); then
  podman logs --tail 40 "$container" >&2 || true
  exit 1
fi
log "ready after ${ready_seconds} s"

# --- 5. smoke test ----------------------------------------------------------------------------------------
log "the image's HEALTHCHECK"
podman "${RUNTIME[@]}" healthcheck run "$container" >&2
log "gongwen fonts check"
podman exec "$container" gongwen fonts check >&2
key=$(podman exec "$container" gongwen keys create --name image-smoke --role clerk 2>/dev/null)
if ! pdf_summary=$(GONGWEN_SMOKE_KEY=$key python3 scripts/image_smoke.py document "http://127.0.0.1:$port" \
  --body schemas/examples/meeting-notice.json --out "$work/smoke.pdf"); then
  podman logs --tail 40 "$container" >&2 || true
  exit 1
fi

# --- 6. summary -------------------------------------------------------------------------------------------
cat <<EOF
image: $IMAGE:dev ($revision), $((image_bytes / 1000000)) MB
image: base ${base_seconds} s (0: reused), build ${build_seconds} s, podman run to /readyz ${ready_seconds} s
image: $pdf_summary
image: HEALTHCHECK, /healthz, /readyz (every check ok, LibreOffice running) and gongwen fonts check passed
EOF
