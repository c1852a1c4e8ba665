# Sourced by every screen test.  The daemon and simulated printers come
# from the regress scenarios' library (its own state dir, sockets, shm
# name and ports); the programs under test run in a private tmux server,
# driven with send-keys and read with capture-pane.
. tests/regress/lib.sh
TMUX_SOCK="fastops-ui-$$"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

tm() {
	tmux -u -L "$TMUX_SOCK" -f /dev/null "$@"
}

ui_cleanup() {
	tm kill-server 2>/dev/null
	cleanup
}
trap ui_cleanup EXIT

# ui_start NAME COLS ROWS COMMAND...: a tmux session NAME of that size
# running COMMAND (a shell command line).  TERM inside is tmux-256color
# unless UI_TERM says otherwise (e.g. xterm-mono for monochrome).
ui_start() {
	_n=$1 _c=$2 _r=$3
	shift 3
	tm new-session -d -s "$_n" -x "$_c" -y "$_r" \
	    "TERM=${UI_TERM:-tmux-256color} $*; sleep 30" ||
	    fail "tmux session $_n did not start"
}

# ui_keys NAME KEY...: tmux send-keys (literal text with -l as first KEY)
ui_keys() {
	_n=$1
	shift
	tm send-keys -t "$_n" "$@"
}

# ui_screen NAME: the screen as text
ui_screen() {
	tm capture-pane -p -t "$1"
}

# ui_wait NAME TEXT [SECONDS]: wait until TEXT is on the screen
ui_wait() {
	_n=$1 _t=$2 _s=${3:-10}
	if ! wait_until "$_s" 'ui_screen "$_n" | grep -qF -- "$_t"'; then
		fail "screen $_n never showed '$_t'"
		ui_screen "$_n" | sed 's/^/    | /' >&2
		return 1
	fi
}

# ui_gone NAME TEXT [SECONDS]: wait until TEXT is no longer on the screen
ui_gone() {
	_n=$1 _t=$2 _s=${3:-10}
	if ! wait_until "$_s" '! ui_screen "$_n" | grep -qF -- "$_t"'; then
		fail "screen $_n still shows '$_t'"
		return 1
	fi
}

# ui_resize NAME COLS ROWS
ui_resize() {
	tm resize-window -t "$1" -x "$2" -y "$3"
}

# ui_pid NAME: the pid of the program in the session's pane
ui_pid() {
	tm list-panes -t "$1" -F '#{pane_pid}' | head -1
}
