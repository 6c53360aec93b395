#!/usr/bin/env bash
# Back up or restore a Compose stack: each service's database (pg_dump/pg_restore inside its own
# Postgres container) and the media volumes (tar inside the service containers).
#
#   deploy/compose-backup.sh backup  DIR [COMPOSE_FILE]   # DIR must not exist yet
#   deploy/compose-backup.sh restore DIR [COMPOSE_FILE]   # replaces every database and the media
#
# COMPOSE_FILE defaults to docker-compose-prod.yml. Run it on the host, from the repository root.
# Backups run beside the serving stack (pg_dump reads one snapshot); a restore stops the services
# that write (the databases and the service containers stay up for it), then starts them again.
# DRY_RUN=1 prints the commands instead of running them.
set -euo pipefail

# Each service's database, and the services that keep uploads on a media volume.
DATABASES=(users feed notifications)
MEDIA=(users feed)
# Processes that write to the databases or the media while a restore replaces them.
WRITERS=(users feed notifications users-relay users-consumer feed-relay feed-consumer notifications-consumer mailer trimmer users-jobs feed-jobs notifications-jobs gateway)

usage() { echo "usage: $0 backup|restore DIR [COMPOSE_FILE]" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1 dir=$2 file=${3:-docker-compose-prod.yml}

run() {
    if [ "${DRY_RUN:-}" = 1 ]; then echo "+ $*"; else "$@"; fi
}
# A command whose standard output goes to a file (a dump) or whose input comes from one.
run_to() {
    local out=$1; shift
    if [ "${DRY_RUN:-}" = 1 ]; then echo "+ $* > $out"; else "$@" > "$out"; fi
}
run_from() {
    local in=$1; shift
    if [ "${DRY_RUN:-}" = 1 ]; then echo "+ $* < $in"; else "$@" < "$in"; fi
}
COMPOSE=(docker compose -f "$file")

case "$action" in
    backup)
        [ ! -e "$dir" ] || { echo "error: $dir exists; back up into a new folder" >&2; exit 1; }
        run mkdir -p "$dir"
        for service in "${DATABASES[@]}"; do
            # -T: no terminal, so the dump's bytes reach the file untouched.
            run_to "$dir/$service.dump" \
                "${COMPOSE[@]}" exec -T "$service-db" pg_dump -U "$service" --format=custom "$service"
        done
        # After the dumps: every file a dumped row names was written before its row committed.
        for service in "${MEDIA[@]}"; do
            run_to "$dir/$service-media.tar.gz" \
                "${COMPOSE[@]}" exec -T "$service" tar -C "/srv/media/$service" -czf - .
        done
        echo "==> backup written to $dir"
        ;;
    restore)
        for part in "${DATABASES[@]/%/.dump}" "${MEDIA[@]/%/-media.tar.gz}"; do
            [ -f "$dir/$part" ] || { echo "error: $dir/$part missing: not a backup" >&2; exit 1; }
        done
        run "${COMPOSE[@]}" stop "${WRITERS[@]}"
        for service in "${DATABASES[@]}"; do
            run_from "$dir/$service.dump" "${COMPOSE[@]}" exec -T "$service-db" \
                pg_restore -U "$service" -d "$service" --clean --if-exists --no-owner \
                --single-transaction --exit-on-error
        done
        for service in "${MEDIA[@]}"; do
            # The media volume, written through a one-off container of the service's image.
            run_from "$dir/$service-media.tar.gz" "${COMPOSE[@]}" run --rm --no-deps -T \
                --entrypoint sh "$service" -c \
                "find /srv/media/$service -mindepth 1 -delete && tar -C /srv/media/$service -xzf -"
        done
        run "${COMPOSE[@]}" up -d
        echo "==> restored $dir"
        ;;
    *)
        usage
        ;;
esac
