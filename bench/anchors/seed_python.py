#!/usr/bin/env python3
"""Anchor: the seed tool's storage path, for the same rows the CanMesh capture benchmark stores.

The seed (python-can + sqlite3) turned each received message into one row of its can_messages table,
hex strings and all, and wrote them with executemany per batch, committing per batch. This reproduces
that path without python-can (its Message objects would only make it slower): per frame, build the
seed's row (float timestamp, interface name, can_id_hex, data_hex, is_extended, dlc, processed=0),
then executemany + commit per batch. WAL and the same synchronous mode as the CanMesh run.

usage: seed_python.py ROWS_FILE DB_PATH FRAMES BATCH_FRAMES full|normal
prints: frames=N seconds=S cpu_seconds=U commits=C payload_bytes=B rows=R min_seq=A max_seq=Z sqlite=V
"""
import sqlite3
import struct
import sys
import time

ROW = struct.Struct("<qIHBBB7x64s")
HEADER = struct.Struct("<8sI4xqq")
INTERFACES = {1: "can0", 2: "can1"}

SCHEMA = """
CREATE TABLE can_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp REAL NOT NULL,
    interface TEXT NOT NULL,
    can_id_hex TEXT NOT NULL,
    data_hex TEXT NOT NULL,
    is_extended INTEGER NOT NULL,
    dlc INTEGER NOT NULL,
    processed INTEGER NOT NULL DEFAULT 0
)
"""


def load(path):
    with open(path, "rb") as f:
        blob = f.read()
    magic, count, first_ts, span = HEADER.unpack_from(blob, 0)
    if magic != b"CMBROWS1":
        sys.exit(f"{path} is not a canmesh-bench rows file")
    rows = []
    for i in range(count):
        ts, can_id, iface, flags, length, _len8, data = ROW.unpack_from(blob, HEADER.size + i * ROW.size)
        remote = flags & 2
        rows.append((ts, INTERFACES.get(iface, f"if{iface}"), can_id, bool(flags & 1), length, b"" if remote else data[:length]))
    return rows, first_ts, span


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    rows_path, db_path, frames, batch_frames, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rows, first_ts, span = load(rows_path)

    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL" if mode == "full" else "PRAGMA synchronous=NORMAL")
    db.execute(SCHEMA)
    db.commit()
    insert = ("INSERT INTO can_messages (timestamp, interface, can_id_hex, data_hex, is_extended, dlc, processed) "
              "VALUES (?, ?, ?, ?, ?, ?, 0)")

    commits = payload = 0
    count = len(rows)
    start = time.perf_counter()
    cpu_start = time.process_time()
    n = 0
    while n < frames:
        batch = []
        for i in range(n, min(n + batch_frames, frames)):
            ts, iface, can_id, extended, length, data = rows[i % count]
            timestamp = (first_ts + (i // count) * span + ts) / 1e9
            can_id_hex = f"{can_id:08X}" if extended else f"{can_id:03X}"
            batch.append((timestamp, iface, can_id_hex, data.hex().upper(), int(extended), length))
            payload += len(data)
        db.executemany(insert, batch)
        db.commit()
        commits += 1
        n += len(batch)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start

    total, low, high = db.execute("SELECT count(*), min(id), max(id) FROM can_messages").fetchone()
    db.close()
    print(f"frames={frames} seconds={seconds:.6f} cpu_seconds={cpu:.3f} commits={commits} payload_bytes={payload} rows={total} "
          f"min_seq={low} max_seq={high} sqlite={sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
