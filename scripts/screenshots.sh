#!/usr/bin/env bash
# Regenerates screenshots/*.png from a real run of `polisen-dash demo` in tmux: live events,
# a cycle with a retry, a failure opened whole, the counts view, the help overlay, replay, and
# the smallest size (80×24). Run it whenever the look changes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
for pkg in python3-pil fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || {
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get install -y -qq "$pkg" >/dev/null
    }
done
swift build --product polisen-dash >&2
BIN=$(swift build --show-bin-path)/polisen-dash
COLS=132 ROWS=40
SOCK="pd-shots-$$"
WORK=$(mktemp -d)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT

tmux -L "$SOCK" -f /dev/null new-session -d -x $COLS -y $ROWS \
    "env TERM=tmux-256color COLORTERM=truecolor LANG=C.UTF-8 '$BIN' demo --store '$WORK/store' --interval 3600 --min-spacing 1"
tmux -L "$SOCK" set-option -g status off

screen_has() { tmux -L "$SOCK" capture-pane -p | grep -E -q -- "$1"; }
wait_for() {
    for _ in $(seq 1 200); do screen_has "$1" && return 0; sleep 0.1; done
    echo "timed out waiting for: $1" >&2; tmux -L "$SOCK" capture-pane -p >&2; exit 1
}
shot() {
    tmux -L "$SOCK" capture-pane -e -p -N > "$WORK/$1.ans"
    /usr/bin/python3 scripts/render_screenshot.py "$WORK/$1.ans" "screenshots/$1.png" "${2:-$COLS}" "${3:-$ROWS}"
    echo "screenshots/$1.png"
}

# Cycles 1-2 ok; the demo's third call answers 503, retried; then the edits arrive.
wait_for "cycle 1 ·"
for n in 2 3 4 5; do
    tmux -L "$SOCK" send-keys p
    wait_for "cycle $n ·"
    wait_for "● idle"
done
tmux -L "$SOCK" send-keys j j j
sleep 0.3
shot live
tmux -L "$SOCK" send-keys Tab Tab Tab
sleep 0.3
shot retries
tmux -L "$SOCK" send-keys j Enter
wait_for "Failure · cycle"
shot failure
tmux -L "$SOCK" send-keys Escape Tab c
wait_for "per hour, last 24 h"
shot counts
tmux -L "$SOCK" send-keys c '?'
wait_for "Keys · any key closes"
shot help
# A second dashboard attached to the first (as to `run` under systemd), its title bar saying so.
tmux -L "$SOCK" new-window "env TERM=tmux-256color COLORTERM=truecolor LANG=C.UTF-8 '$BIN' attach --store '$WORK/store'"
wait_for "attached to pid"
tmux -L "$SOCK" send-keys j j j
sleep 0.3
shot attached
tmux -L "$SOCK" send-keys q
sleep 0.5
tmux -L "$SOCK" send-keys Escape r
wait_for "· [1-9][0-9]* events · day"
tmux -L "$SOCK" send-keys Enter
wait_for "Esc close"
shot replay
tmux -L "$SOCK" send-keys Escape Escape
wait_for "LIVE"
tmux -L "$SOCK" resize-window -x 80 -y 24
wait_for "Latest events"
sleep 0.3
shot small 80 24
tmux -L "$SOCK" send-keys q
