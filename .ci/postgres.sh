# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh && start_test_postgres`): a throw-away PostgreSQL
# server for the tests, in a temporary directory, on 127.0.0.1 at a free port, trusting local connections.
# Exports NASHPO_TEST_POSTGRES (an Npgsql connection string to its "postgres" database; each test creates and drops
# a database of its own). stop_test_postgres stops it and removes the directory.

pg_bin=/usr/lib/postgresql/15/bin

# Runs a command as the postgres user when root (the server refuses to run as root), else as the caller.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A port nothing listens on: bash's /dev/tcp connects when something does.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Returns non-zero (leaving NASHPO_TEST_POSTGRES unset) when the server cannot be started; the caller decides
# whether that is fatal. Tests that need it are then skipped locally and fail under CI=true.
start_test_postgres() {
    if [ ! -x "$pg_bin/initdb" ]; then
        echo "warning: PostgreSQL 15 is not installed ($pg_bin); tests that need it are skipped (failed under CI=true)" >&2
        return 1
    fi
    pg_dir=$(mktemp -d /tmp/nashpo-ci-postgres.XXXXXX) || return 1
    chmod 755 "$pg_dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$pg_dir" || return 1
    fi
    local port
    port=$(free_port) || { echo "warning: no free port for PostgreSQL" >&2; return 1; }
    if ! as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log" 2>&1; then
        echo "warning: initdb failed:" >&2
        cat "$pg_dir/initdb.log" >&2
        return 1
    fi
    # Sockets in the temporary directory, TCP on loopback only. fsync off: the data is thrown away with the server,
    # and the tests kill nashpo, never the server.
    if ! as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
        echo "warning: the PostgreSQL test server did not start:" >&2
        cat "$pg_dir/server.log" >&2
        return 1
    fi
    export NASHPO_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    echo "PostgreSQL test server on 127.0.0.1:$port ($pg_dir)"
}

stop_test_postgres() {
    if [ -n "${pg_dir:-}" ] && [ -d "$pg_dir" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
}
