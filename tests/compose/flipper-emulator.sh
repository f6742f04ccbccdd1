#!/usr/bin/env bash
# flipper-emulator.sh LOG SLAVE: the Flipper's side of the UART, run by socat with its stdin and stdout on the
# pty's master; SLAVE is the pty's other end, the one the flipper service opens.
# Appends every line the flipper service sends (ACK, STATS) to LOG with the time in seconds, and sends INIT
# whenever nothing came for 3 seconds: a restarted service starts silent until the Flipper's next INIT, as the
# real app's retry does.
# Before each INIT it clears the slave's exclusive mode (TIOCNXCL, 0x540D), which the service sets on open
# (System.IO.Ports' TIOCEXCL). On a real UART the flag goes with the last close; on a pty slave it stays as long
# as the master is open, so a crashed service's successor would get EBUSY for ever. Root may open an exclusive
# tty, and perl is in every Debian.
log=$1 slave=$2
: > "$log"
# The INIT loop ends with this script: killed by the trap when stdin ends (socat gone), and it stops by itself
# once the script is no longer there.
( while sleep 1 && kill -0 $$ 2>/dev/null; do
    last=$(stat -c %Y "$log" 2>/dev/null || echo 0)
    if [ $(( $(date +%s) - last )) -ge 3 ]; then
      perl -e 'open(my $t, "+<", $ARGV[0]) or exit 1; ioctl($t, 0x540D, 0)' "$slave" 2>/dev/null
      printf 'INIT\n'; touch "$log"
    fi
  done ) &
trap 'kill $! 2>/dev/null' EXIT
while IFS= read -r line; do printf '%s %s\n' "$(date +%s)" "${line%$'\r'}" >> "$log"; done
