#!/bin/sh
# canmesh-healthcheck [SUBSCRIBER]: the HEALTHCHECK of every CanMesh image.
# Only the capture serves gRPC: its grpc.health.v1 endpoint, asked by `canmesh health`, is the check of
# the capture image. The forwarder and the flipper have no endpoint of their own; they are clients of
# the capture, so theirs is: the capture they read answers SERVING, and the capture lists this
# service's subscriber as connected (it is, while the service is alive and subscribed). A dead process
# needs no check: the container exits and the restart policy acts.
# The socket comes from CANMESH_SOCKET (set in the images), as for every canmesh verb.
set -eu
canmesh health || exit 1
[ $# -gt 0 ] && [ -n "$1" ] || exit 0
# `subscribers --json` is one JSON array of objects; no jq in the image, so match the one object.
if canmesh subscribers --json | tr '{' '\n' | grep "\"name\": *\"$1\"" | grep -q '"connected": *true'; then
  echo "subscriber $1 connected"
else
  echo "unhealthy: the capture does not list subscriber '$1' as connected (is the service subscribed? its log says why not)"
  exit 1
fi
