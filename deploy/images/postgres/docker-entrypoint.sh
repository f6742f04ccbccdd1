#!/usr/bin/env bash
# Entrypoint of local/postgres:15. Behaves like the official postgres image's entrypoint for what
# CanMesh's tests and compose files use (written for this project, not copied):
#   POSTGRES_PASSWORD  superuser password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_PASSWORD_FILE  a file holding it instead (a compose secret); a trailing newline is dropped
#   POSTGRES_USER      superuser name (default postgres)
#   POSTGRES_DB        database created at initialisation (default: POSTGRES_USER)
#   POSTGRES_INITDB_ARGS  extra initdb arguments, split on spaces (--no-sync saves about 2 s)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP clients (default scram-sha-256)
#   PGDATA             data folder (default /var/lib/postgresql/data); initialised when empty
#   PGPORT             port (default 5432); postgres, psql and pg_isready all read it
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sh  run once, in name order, on a new PGDATA
#   arguments starting with "-" are passed to postgres (`docker run IMAGE -c fsync=off`); any other
#   command (bash, psql) runs as given.
# While initialising, a temporary server listens on the Unix socket only: `pg_isready -h localhost`
# succeeds only once the real server is up, which is what Testcontainers waits for.
set -euo pipefail

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:=}"
# Read while still root (before the switch to postgres below): a secret's file may be root's alone.
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  if [ -n "$POSTGRES_PASSWORD" ]; then
    echo "entrypoint: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set: set only one." >&2
    exit 1
  fi
  [ -r "$POSTGRES_PASSWORD_FILE" ] || { echo "entrypoint: POSTGRES_PASSWORD_FILE ($POSTGRES_PASSWORD_FILE) is not a readable file." >&2; exit 1; }
  POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
  unset POSTGRES_PASSWORD_FILE
fi
export POSTGRES_PASSWORD
: "${POSTGRES_INITDB_ARGS:=}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

say() { echo "entrypoint: $*"; }

# psql as the superuser over the Unix socket (local connections are trusted), stopping at the first error.
run_psql() { psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" "$@"; }

initialise() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "entrypoint: PGDATA ($PGDATA) is empty and POSTGRES_PASSWORD is not set: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust to allow every TCP client without a password)." >&2
    exit 1
  fi

  local initdb_args=() extra=()
  read -r -a extra <<< "$POSTGRES_INITDB_ARGS"
  initdb_args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD")
  local pwfile=""
  if [ -n "$POSTGRES_PASSWORD" ]; then
    # A file, not the command line: the password would show in `ps` inside the container.
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb_args+=(--pwfile="$pwfile")
  fi
  say "initialising $PGDATA"
  initdb "${initdb_args[@]}" "${extra[@]}"
  [ -z "$pwfile" ] || rm -f "$pwfile"

  # initdb's own pg_hba allows TCP from loopback only; a container is reached from outside it.
  printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

  # The temporary server gets the same arguments as the real one (an init script may need a
  # preloaded library), but no TCP listener: nobody outside sees a half-initialised database.
  local options=""
  if [ $# -gt 0 ]; then options=$(printf '%q ' "$@"); fi
  pg_ctl -D "$PGDATA" -w -o "$options -c listen_addresses=''" start

  if [ "$POSTGRES_DB" != postgres ]; then
    run_psql --dbname postgres --set db="$POSTGRES_DB" <<< 'CREATE DATABASE :"db";'
  fi

  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        # Executable scripts run on their own; others are sourced (they may set variables), as the
        # official image does.
        if [ -x "$f" ]; then say "running $f"; "$f"; else say "sourcing $f"; . "$f"; fi ;;
      *.sql) say "running $f"; run_psql --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) say "running $f"; gunzip -c "$f" | run_psql --dbname "$POSTGRES_DB" ;;
      *) say "ignoring $f (not .sh, .sql or .sql.gz)" ;;
    esac
  done

  pg_ctl -D "$PGDATA" -m fast -w stop
  say "initialisation done; starting postgres"
}

# `docker run IMAGE -c x=y` means postgres with those arguments.
if [ "${1:0:1}" = "-" ]; then set -- postgres "$@"; fi
if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  # Started as root (the default): give the data and socket folders to postgres, then run this
  # script again as postgres (PostgreSQL refuses to run as root). setpriv replaces the process, so
  # postgres ends up as PID 1 and receives docker stop's signal itself.
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

# Asking postgres about itself (--version, --help, -C setting) needs no database: skip initialisation.
wants_database=1
for arg in "$@"; do
  case "$arg" in -V | --version | -'?' | --help | -C | --describe-config) wants_database=0 ;; esac
done
if [ "$wants_database" = 1 ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise "${@:2}"
fi
exec "$@"
