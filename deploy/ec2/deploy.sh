#!/usr/bin/env bash
# Take a fresh Amazon Linux host to the production Compose stack, from this checkout.
#
#   deploy/ec2/deploy.sh --host HOST --key KEY.pem [options]
#
#   --host HOST          the instance's public DNS name or address (required)
#   --key PATH           the SSH private key for it (required)
#   --user NAME          SSH user (default: ec2-user)
#   --dir PATH           where the project lives on the host (default: /opt/social)
#   --public-host NAME   the name clients use, for ALLOWED_HOSTS and URLs (default: --host)
#   --scale-feed N       feed service replicas (default: 1)
#   --skip-superuser     do not ask for a superuser at the end
#   --dry-run            print the commands instead of running them
#
# Steps: install Docker + Compose on the host, copy the project (rsync; never .env, .git or local
# state), write .env on the host with secrets generated there (kept on later runs), then
# `docker compose -f docker-compose-prod.yml up --build -d`, migrate, and create a superuser.
# Re-running it deploys the current checkout again.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

usage() {
    # The comment block at the top of this file.
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

die() {
    printf 'error: %s\n\n' "$*" >&2
    usage >&2
    exit 2
}

host="" key="" user=ec2-user dir=/opt/social public_host="" scale_feed=1
skip_superuser=false dry_run=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --host) host=${2:-}; shift 2 || die "--host needs a value" ;;
        --key) key=${2:-}; shift 2 || die "--key needs a value" ;;
        --user) user=${2:-}; shift 2 || die "--user needs a value" ;;
        --dir) dir=${2:-}; shift 2 || die "--dir needs a value" ;;
        --public-host) public_host=${2:-}; shift 2 || die "--public-host needs a value" ;;
        --scale-feed) scale_feed=${2:-}; shift 2 || die "--scale-feed needs a value" ;;
        --skip-superuser) skip_superuser=true; shift ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
[[ -n $host ]] || die "--host is required"
[[ -n $key ]] || die "--key is required"
[[ -f $key ]] || die "no key file at $key"
[[ $host =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "--host must be a host name or address"
[[ $user =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--user must be a plain user name"
[[ $dir =~ ^/[A-Za-z0-9/._-]+$ ]] || die "--dir must be an absolute path"
[[ $scale_feed =~ ^[1-9][0-9]*$ ]] || die "--scale-feed must be a positive number"
public_host=${public_host:-$host}

target="$user@$host"
ssh_opts=(-i "$key" -o StrictHostKeyChecking=accept-new -o ServerAliveInterval=30)

# run CMD...: show the command, then run it unless this is a dry run.
run() {
    printf '+ %s\n' "$*"
    if [[ $dry_run == false ]]; then "$@"; fi
}

# on_host CMD...: run CMD on the host, from the project folder, arguments quoted for its shell.
on_host() {
    local quoted
    quoted="$(printf ' %q' "$@")"
    run ssh "${ssh_opts[@]}" "$target" "cd $dir &&$quoted"
}

echo "==> installing Docker and Compose on $host"
# The project is not on the host yet: the host script comes through ssh's standard input.
printf '+ ssh %s bash -s -- install-docker < deploy/ec2/host.sh\n' "$target"
if [[ $dry_run == false ]]; then
    ssh "${ssh_opts[@]}" "$target" bash -s -- install-docker <"$REPO_DIR/deploy/ec2/host.sh"
fi
run ssh "${ssh_opts[@]}" "$target" "sudo mkdir -p $dir && sudo chown $user: $dir"

echo "==> copying the project to $host:$dir"
# Local state and secrets stay here; the excluded .env on the host is also safe from --delete.
run rsync -az --delete \
    --exclude=/.git/ --exclude=/.venv/ --exclude=/var/ --exclude=.env --exclude='.env.*' \
    --exclude=__pycache__/ --exclude='*.py[co]' --exclude='*.egg-info/' \
    --exclude=.pytest_cache/ --exclude=.ruff_cache/ \
    --exclude='/services/*/staticfiles/' --exclude='/services/*/media/' \
    -e "ssh $(printf '%q ' "${ssh_opts[@]}")" \
    "$REPO_DIR/" "$target:$dir/"

echo "==> writing .env on the host (secrets are generated there, once)"
on_host bash deploy/ec2/host.sh write-env --public-host "$public_host"

echo "==> building and starting the production stack"
on_host bash deploy/ec2/host.sh up --scale-feed "$scale_feed"

if [[ $skip_superuser == false ]]; then
    echo "==> creating a superuser (interactive)"
    run ssh -t "${ssh_opts[@]}" "$target" "cd $dir && bash deploy/ec2/host.sh createsuperuser"
fi

echo "==> done: http://$public_host/healthz (see deploy/ec2/README.md for TLS and updates)"
