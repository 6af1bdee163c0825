# bash completion for dockctl(1); installed as
# /usr/share/bash-completion/completions/dockctl (loaded on first use).
# Plain COMP_WORDS/compgen, so it also works without the bash-completion
# package's helpers.

_dockctl() {
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="status ports power assign queue retain annotate ledger access-log export verify pubkey rotate-key stats undescribed"
    local global="--url --token-file --json --approval-ref --help"

    # Values of options that take one: files for --token-file, nothing to
    # offer for the others (ids, dates, free text).
    case $prev in
    --token-file)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --url | --approval-ref | --from | --to | --officer | --officer-name | --docking | --reason | --case | --category | --note | --place | --class)
        COMPREPLY=()
        return
        ;;
    --by)
        COMPREPLY=($(compgen -W "officer recorder unit" -- "$cur"))
        return
        ;;
    esac

    # The command is the first word that is neither an option nor an option's value.
    local i command="" nargs=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --url | --token-file | --approval-ref | --from | --to | --officer | --officer-name | --docking | --reason | --case | --category | --note | --place | --class | --by)
            ((i++))
            ;;
        -*) ;;
        *)
            if [[ -z $command ]]; then command=${COMP_WORDS[i]}; else ((nargs++)); fi
            ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local options=""
    case $command in
    power)
        # power BAY on|off|cycle: the state after the bay number.
        if ((nargs == 1)); then
            COMPREPLY=($(compgen -W "on off cycle" -- "$cur"))
            return
        fi
        ;;
    assign) options="--officer --officer-name" ;;
    retain) options="--docking --reason --class" ;;
    annotate) options="--docking --case --category --place --note" ;;
    stats) options="--from --to --by --csv" ;;
    ledger) options="--from --to --csv" ;;
    access-log) options="--csv" ;;
    pubkey) options="--all" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options $global" -- "$cur"))
    fi
}
complete -F _dockctl dockctl
