#!/usr/bin/env bash
# Runs ON the EC2 host (deploy.sh drives it over ssh); each step is safe to repeat.
#
#   host.sh install-docker                       Docker engine, Compose and Buildx plugins, rsync
#   host.sh write-env --public-host NAME [--env-file PATH]
#                                                .env from env.template, secrets generated here;
#                                                an existing file is kept as it is
#   host.sh up [--scale-feed N]                  build, start, migrate, wait for the gateway
#   host.sh createsuperuser                      interactive, in the users service
set -euo pipefail

# Pinned plugin releases; their published checksums are verified before anything is installed.
COMPOSE_VERSION=v5.5.1
BUILDX_VERSION=v0.37.1

# Streamed through `ssh host bash -s` for install-docker, the script has no file of its own.
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
COMPOSE_FILE=docker-compose-prod.yml

say() { printf '==> %s\n' "$*"; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

sudo_if_needed() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# --- install-docker ---------------------------------------------------------------------------

install_packages() {
    # shellcheck disable=SC1091
    . /etc/os-release
    case "${ID:-}:${VERSION_ID:-}" in
        amzn:2023*) sudo_if_needed dnf install -y docker rsync ;;
        amzn:2) sudo_if_needed yum install -y docker rsync ;;
        *) die "expected Amazon Linux 2023 (or 2), found ${PRETTY_NAME:-an unknown system}" ;;
    esac
}

# install_plugin NAME URL_BASE ASSET: download ASSET and its release's checksums.txt, verify, install.
install_plugin() {
    local name=$1 base=$2 asset=$3 dir=/usr/local/lib/docker/cli-plugins tmp expected
    tmp="$(mktemp -d)"
    curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset"
    curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt"
    expected="$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")"
    [[ -n $expected ]] || die "no checksum published for $asset"
    echo "$expected  $tmp/$asset" | sha256sum --check --quiet - || die "checksum mismatch for $asset"
    sudo_if_needed mkdir -p "$dir"
    sudo_if_needed install -m 0755 "$tmp/$asset" "$dir/$name"
    rm -rf "$tmp"
}

install_docker() {
    local arch compose_arch buildx_arch
    if ! command -v docker >/dev/null 2>&1; then
        say "installing Docker"
        install_packages
    else
        command -v rsync >/dev/null 2>&1 || install_packages
    fi
    sudo_if_needed systemctl enable --now docker
    sudo_if_needed usermod -aG docker "${SUDO_USER:-$(id -un)}"

    arch="$(uname -m)"
    case "$arch" in
        x86_64) compose_arch=x86_64 buildx_arch=amd64 ;;
        aarch64) compose_arch=aarch64 buildx_arch=arm64 ;;
        *) die "unsupported architecture $arch" ;;
    esac
    if [[ "$(sudo_if_needed docker compose version --short 2>/dev/null || true)" != "${COMPOSE_VERSION#v}" ]]; then
        say "installing Docker Compose $COMPOSE_VERSION"
        install_plugin docker-compose \
            "https://github.com/docker/compose/releases/download/$COMPOSE_VERSION" \
            "docker-compose-linux-$compose_arch"
    fi
    if ! sudo_if_needed docker buildx version 2>/dev/null | grep -q "$BUILDX_VERSION"; then
        say "installing Docker Buildx $BUILDX_VERSION"
        install_plugin docker-buildx \
            "https://github.com/docker/buildx/releases/download/$BUILDX_VERSION" \
            "buildx-$BUILDX_VERSION.linux-$buildx_arch"
    fi
    sudo_if_needed docker compose version
}

# --- write-env --------------------------------------------------------------------------------

new_secret() {
    # 48 random bytes, URL-safe base64 (64 characters): safe inside a database URL.
    head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}

write_env() {
    local public_host="" env_file="$PROJECT_DIR/.env" line
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --public-host) public_host=${2:?--public-host needs a value}; shift 2 ;;
            --env-file) env_file=${2:?--env-file needs a value}; shift 2 ;;
            *) die "write-env: unknown option $1" ;;
        esac
    done
    [[ $public_host =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] \
        || die "write-env: --public-host must be a host name or an IPv4 address"
    if [[ -e $env_file ]]; then
        # New secrets would lock the services out of databases created with the old ones.
        say "keeping the existing $env_file"
        return
    fi
    (
        umask 077
        while IFS= read -r line || [[ -n $line ]]; do
            if [[ $line == *=@generate@ ]]; then
                line="${line%@generate@}$(new_secret)"
            fi
            printf '%s\n' "${line//@public_host@/$public_host}"
        done <"$SCRIPT_DIR/env.template" >"$env_file.tmp"
        mv "$env_file.tmp" "$env_file"
    )
    say "wrote $env_file with freshly generated secrets (mode 600)"
}

# --- up / createsuperuser ---------------------------------------------------------------------

docker_cmd() {
    # Until the ssh user logs in again, its new docker group membership is not active.
    if docker info >/dev/null 2>&1; then docker "$@"; else sudo docker "$@"; fi
}

compose() {
    docker_cmd compose --project-directory "$PROJECT_DIR" -f "$PROJECT_DIR/$COMPOSE_FILE" "$@"
}

gateway_port() {
    local port
    port="$(sed -n 's/^GATEWAY_PORT=//p' "$PROJECT_DIR/.env" | tail -n 1)"
    echo "${port:-80}"
}

up() {
    local scale_feed=1 url i
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --scale-feed) scale_feed=${2:?--scale-feed needs a value}; shift 2 ;;
            *) die "up: unknown option $1" ;;
        esac
    done
    [[ $scale_feed =~ ^[1-9][0-9]*$ ]] || die "up: --scale-feed must be a positive number"
    [[ -f $PROJECT_DIR/.env ]] || die "no $PROJECT_DIR/.env; run write-env first"

    say "building and starting the stack (feed replicas: $scale_feed)"
    compose up --build -d --remove-orphans --scale "feed=$scale_feed"
    # `up` already ran the one-shot migrate services; running them again is harmless and fails
    # loudly here if a migration cannot apply.
    say "migrating"
    compose run --rm users-migrate
    compose run --rm feed-migrate
    compose run --rm notifications-migrate

    url="http://127.0.0.1:$(gateway_port)/healthz"
    for i in $(seq 1 60); do
        if curl -fsS -o /dev/null "$url"; then
            say "the gateway answers at $url"
            compose ps
            return
        fi
        sleep 2
    done
    compose ps
    die "the gateway did not answer at $url after $i tries; see: docker compose -f $COMPOSE_FILE logs"
}

createsuperuser() {
    compose exec users python manage.py createsuperuser
}

main() {
    local command=${1:-}
    [[ $# -gt 0 ]] && shift
    case "$command" in
        install-docker) install_docker "$@" ;;
        write-env) write_env "$@" ;;
        up) up "$@" ;;
        createsuperuser) createsuperuser "$@" ;;
        *)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
            exit 2
            ;;
    esac
}

main "$@"
