/*
 * Anchor: the plain C SQLite insert loop for the same rows the CanMesh capture benchmark stores.
 *
 * Same table as CanMesh's frames (seq INTEGER PRIMARY KEY, ts_ns, iface, can_id, flags, data BLOB), same
 * transaction size, WAL, the same synchronous mode, one prepared statement, bind/step/reset per row,
 * the payload bound SQLITE_STATIC. No queue, no threads, no commits table: the floor of what SQLite
 * itself costs on this machine.
 *
 * Rows come from the file canmesh-bench writes (see FramePool.WriteRowsFile): frame i is row i % count,
 * its timestamp moved on by one span per lap.
 *
 * usage: sqlite_insert ROWS_FILE DB_PATH FRAMES COMMIT_FRAMES full|normal
 * prints: frames=N seconds=S cpu_seconds=U commits=C payload_bytes=B rows=R min_seq=A max_seq=Z
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define ROW_BYTES 88
#define HEADER_BYTES 32

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sqlite_insert: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert: %s: %s\n", sql, error);
        exit(1);
    }
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU seconds this process used (user + system): robust where wall time is not, on a shared machine. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static int64_t rd64(const unsigned char *p) { int64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s ROWS_FILE DB_PATH FRAMES COMMIT_FRAMES full|normal\n", argv[0]);
        return 2;
    }
    const char *rows_path = argv[1], *db_path = argv[2];
    long long frames = atoll(argv[3]);
    long long commit_frames = atoll(argv[4]);
    int full = strcmp(argv[5], "full") == 0;

    FILE *f = fopen(rows_path, "rb");
    if (!f) { perror(rows_path); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *file = malloc(size);
    if (fread(file, 1, size, f) != (size_t)size || memcmp(file, "CMBROWS1", 8) != 0) {
        fprintf(stderr, "%s is not a canmesh-bench rows file\n", rows_path);
        return 1;
    }
    fclose(f);
    uint32_t count = rd32(file + 8);
    int64_t first_ts = rd64(file + 16), span = rd64(file + 24);

    /* Decode the rows once, as the C# pool is decoded once: the loop measures SQLite, not parsing. */
    struct row { int64_t ts; int64_t iface, can_id, flags; int length; const unsigned char *data; } *rows = calloc(count, sizeof *rows);
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *r = file + HEADER_BYTES + (size_t)i * ROW_BYTES;
        int remote = (r[14] & 2) != 0;
        rows[i].ts = rd64(r);
        rows[i].can_id = rd32(r + 8);
        rows[i].iface = rd16(r + 12);
        rows[i].flags = r[14] | ((int64_t)(r[16] & 0xF) << 8) | (remote ? (int64_t)r[15] << 16 : 0);
        rows[i].length = remote ? 0 : r[15];
        rows[i].data = r + 24;
    }

    sqlite3 *db;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) die(db, "open");
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec(db, "PRAGMA cache_size=-32768");
    exec(db, "CREATE TABLE frames(seq INTEGER PRIMARY KEY, ts_ns INTEGER NOT NULL, iface INTEGER NOT NULL,"
             " can_id INTEGER NOT NULL, flags INTEGER NOT NULL, data BLOB NOT NULL)");
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v3(db, "INSERT INTO frames(seq, ts_ns, iface, can_id, flags, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL) != SQLITE_OK) die(db, "prepare");

    long long commits = 0, payload = 0;
    uint32_t next = 0;
    int64_t lap = first_ts;
    double start = now_seconds(), cpu_start = cpu_seconds();
    for (long long seq = 1; seq <= frames; seq++) {
        if ((seq - 1) % commit_frames == 0) exec(db, "BEGIN IMMEDIATE");
        const struct row *r = &rows[next];
        sqlite3_bind_int64(insert, 1, seq);
        sqlite3_bind_int64(insert, 2, lap + r->ts);
        sqlite3_bind_int64(insert, 3, r->iface);
        sqlite3_bind_int64(insert, 4, r->can_id);
        sqlite3_bind_int64(insert, 5, r->flags);
        sqlite3_bind_blob(insert, 6, r->data, r->length, SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE) die(db, "insert");
        sqlite3_reset(insert);
        payload += r->length;
        if (++next == count) { next = 0; lap += span; }
        if (seq % commit_frames == 0 || seq == frames) { exec(db, "COMMIT"); commits++; }
    }
    double seconds = now_seconds() - start, cpu = cpu_seconds() - cpu_start;
    sqlite3_finalize(insert);

    sqlite3_stmt *check;
    if (sqlite3_prepare_v2(db, "SELECT count(*), min(seq), max(seq) FROM frames", -1, &check, NULL) != SQLITE_OK || sqlite3_step(check) != SQLITE_ROW) die(db, "check");
    printf("frames=%lld seconds=%.6f cpu_seconds=%.3f commits=%lld payload_bytes=%lld rows=%lld min_seq=%lld max_seq=%lld sqlite=%s\n",
           frames, seconds, cpu, commits, payload, (long long)sqlite3_column_int64(check, 0), (long long)sqlite3_column_int64(check, 1),
           (long long)sqlite3_column_int64(check, 2), sqlite3_libversion());
    sqlite3_finalize(check);
    sqlite3_close(db);
    free(rows);
    free(file);
    return 0;
}
