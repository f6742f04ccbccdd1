#!/usr/bin/env bash
# The README's Quick start: build the capture service, then run it on deploy/quickstart.json (a real
# candump log replayed at its recorded pace and a simulated CAN FD bus, into a SQLite file). Needs only
# the .NET 10 SDK. Arguments after the script's name go to canmesh-capture (e.g. --help).
set -euo pipefail
cd "$(dirname "$0")/.."

exe=services/capture/bin/Release/net10.0/canmesh-capture
if [ ! -x "$exe" ]; then
  echo "Building canmesh-capture (Release). The first build restores NuGet packages and compiles about" >&2
  echo "ten projects: 1-3 minutes on a 2-core machine, longer on a Raspberry Pi. Later runs start at once." >&2
else
  echo "Building canmesh-capture (Release; up to date in a few seconds)." >&2
fi
# Messages go to standard error: `quickstart.sh export ... | head` keeps a clean candump log on standard output.
dotnet build services/capture -c Release -nologo -v:q -clp:NoSummary >&2
echo >&2

if [ $# -gt 0 ]; then exec "$exe" "$@"; fi
"$exe" --config deploy/quickstart.json
echo >&2
echo "Stored in artifacts/quickstart/capture.db. Look at it:" >&2
echo "  scripts/quickstart.sh export --config deploy/quickstart.json | head" >&2
echo "  sqlite3 artifacts/quickstart/capture.db 'SELECT * FROM can_messages LIMIT 5'" >&2
