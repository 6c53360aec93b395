#!/bin/sh
# The gateway's trusted proxies, rendered into an http-level nginx file from TRUSTED_PROXIES
# (addresses or CIDRs, separated by commas or spaces; empty: trust no one, the default).
#
# From a trusted peer nginx takes the client's address from X-Forwarded-For (the auth rate limit
# and the services' caller keys then count real clients, not the load balancer) and keeps the
# client's scheme from X-Forwarded-Proto; from anyone else both headers are ignored.
#
# Run by the nginx image at start (/docker-entrypoint.d/, writing conf.d/trusted-proxies.conf)
# and by deploy/local/stack.py with the output path as its argument.
set -eu

out="${1:-/etc/nginx/conf.d/trusted-proxies.conf}"
proxies=$(printf '%s' "${TRUSTED_PROXIES:-}" | tr ',' ' ')

for proxy in $proxies; do
    case "$proxy" in
        *[!0-9A-Fa-f.:/]*)
            echo "TRUSTED_PROXIES: '$proxy' is not an address or a CIDR" >&2
            exit 1
            ;;
    esac
done

{
    echo "# Rendered from TRUSTED_PROXIES by trusted-proxies.sh at start; do not edit."
    echo "real_ip_header X-Forwarded-For;"
    # The client is the rightmost address that is not one of ours.
    echo "real_ip_recursive on;"
    for proxy in $proxies; do
        echo "set_real_ip_from $proxy;"
    done
    # Whether the peer (before realip) is trusted: X-Forwarded-Proto is believed only then.
    echo 'geo $realip_remote_addr $from_trusted_proxy {'
    echo "    default 0;"
    for proxy in $proxies; do
        echo "    $proxy 1;"
    done
    echo "}"
} > "$out"
