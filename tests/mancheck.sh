#!/bin/sh
# Every usage line of "fastops-ctl --help" must appear in fastops-ctl(1)
# word for word (STYLE.md: usage() matches the SYNOPSIS).
ctl=$1
man=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mandoc -Tascii -O width=400 "$man" | col -b >"$t/man.txt"
"$ctl" --help | sed -n 's/^usage: //p; s/^       //p' >"$t/usage.txt"
fail=0
while IFS= read -r line; do
	grep -qxF "     $line" "$t/man.txt" ||
	    grep -qF "     $line  " "$t/man.txt" ||
	    { echo "not in $man: $line"; fail=1; }
done <"$t/usage.txt"
[ "$fail" -eq 0 ] && echo "man: fastops-ctl usage matches its manual"
exit $fail
