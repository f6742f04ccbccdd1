#!/bin/sh
# canmesh-healthcheck [SUBSCRIBER]: the HEALTHCHECK of every CanMesh image.
# Only the capture serves gRPC: its grpc.health.v1 endpoint, asked by `canmesh health`, is the check of
# the capture image. The forwarder and the flipper have no endpoint of their own; they are clients of
# the capture, so theirs is: the capture they read answers SERVING, and the capture lists this
# service's subscriber as connected (it is, while the service is alive and subscribed). A dead process
# needs no check: the container exits and the restart policy acts.
# The socket comes from CANMESH_SOCKET (set in the images), as for every canmesh verb.
# CANMESH_HEALTHCHECK_TIMEOUT (default 3s, `canmesh health`'s own) is how long the capture may take to
# answer. Only for very slow machines: an arm64 image run under emulation on an x86-64 one
# (tests/arm64/run.sh), where each new .NET process JITs its gRPC client in 10-30 s instead of well
# under a second. Lengthen the HEALTHCHECK's --timeout with it (docker run --health-timeout).
set -eu
canmesh health --timeout "${CANMESH_HEALTHCHECK_TIMEOUT:-3s}" || exit 1
[ $# -gt 0 ] && [ -n "$1" ] || exit 0
# `subscribers --json` is one JSON array of objects; no jq in the image, so match the one object.
if canmesh subscribers --json | tr '{' '\n' | grep "\"name\": *\"$1\"" | grep -q '"connected": *true'; then
  echo "subscriber $1 connected"
else
  echo "unhealthy: the capture does not list subscriber '$1' as connected (is the service subscribed? its log says why not)"
  exit 1
fi
