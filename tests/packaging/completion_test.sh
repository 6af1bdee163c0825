#!/usr/bin/env bash
# The dockctl bash completion offers what dockctl accepts: every command of
# `dockctl --help` (and nothing else) as the first word, on|off|cycle after
# `power BAY`, each command's own options, files after --token-file.
# usage: completion_test.sh COMPLETION_FILE DOCKCTL
set -uo pipefail
completion=$1 dockctl=$2
# shellcheck source=/dev/null
source "$completion"
complete -p dockctl | grep -q -- '-F _dockctl' || { echo "FAIL: complete -F _dockctl not registered"; exit 1; }
failures=0

# complete WORD... : COMPREPLY for the command line "dockctl WORD...", the last
# word being the one under the cursor.
complete_line() {
    COMP_WORDS=(dockctl "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _dockctl
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
    local want=$1
    shift
    local got
    got=$(complete_line "$@")
    if [ "$got" != "$want" ]; then
        echo "FAIL: dockctl $* <TAB>: want '$want', got '$got'"
        failures=$((failures + 1))
    else
        echo "ok: dockctl $* <TAB> -> $got"
    fi
}

commands=$("$dockctl" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$commands" ] || { echo "FAIL: no commands in dockctl --help"; exit 1; }
expect "$commands" ""
expect "stats status" "st"
expect "status" "statu"
expect "access-log annotate assign" "a"
expect "cycle off on" power 3 ""
expect "cycle" --url http://127.0.0.1:8470 power 3 c
expect "" power 3 on ""
expect "--approval-ref --csv --from --help --json --to --token-file --url" ledger --
expect "--csv" access-log --c
expect "--officer --officer-name" assign ZFY0001 --off
expect "--json" --j
expect "ports power" --json --token-file /dev/null po
expect "" --url ""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/viewer.token"
expect "$tmp/viewer.token" --token-file "$tmp/vi"

if ((failures)); then
    echo "$failures completion case(s) failed"
    exit 1
fi
echo "completion ok"
