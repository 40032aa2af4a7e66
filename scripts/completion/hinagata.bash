# hinagata.bash: bash completion for hinagata. Part of hinagata; see LICENSE.
# Installed by `make install` into share/bash-completion/completions/hinagata,
# where bash-completion loads it on first use.

_hinagata() {
	local cur prev words cword cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# The subcommand: the first word that is not an option (nor --lang's value).
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--lang) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--lang) COMPREPLY=($(compgen -W "ja en" -- "$cur")); return ;;
	--format)
		case $cmd in
		drift) COMPREPLY=($(compgen -W "text json md sarif junit" -- "$cur")) ;;
		report) COMPREPLY=($(compgen -W "md html json" -- "$cur")) ;;
		history) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		controls | diff | update) COMPREPLY=($(compgen -W "text json md" -- "$cur")) ;;
		fleet) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json sarif junit" -- "$cur")) ;;
		esac
		return ;;
	--profile) COMPREPLY=($(compgen -W "gc-aws gc-azure" -- "$cur")); return ;;
	--templates | --repo | --exclude) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-o | --output)
		if [ "$cmd" = compile ] || [ "$cmd" = update ]; then COMPREPLY=($(compgen -d -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
		return ;;
	--template)
		# update: a template name (gc/aws/...), not a file
		[ "$cmd" = update ] || COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--state | --ignore | --cache | --params-file | --history) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--ref | --param | --today | --max-record | --shard | --date | --month | --before | --max-rows | --to) return ;;
	--status) COMPREPLY=($(compgen -W "new open reopened suppressed resolved" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "check compile controls diff drift fleet history hook report help update --lang --version --help" -- "$cur"))
		return
	fi
	case $cmd in
	compile) opts="-o --output --param --params-file --templates --lang --help" ;;
	check) opts="--staged --format --exclude --templates --shard --history --date --lang --help" ;;
	drift) opts="--repo --ref --template --state --format -o --output --ignore --strict --cache --today --max-record --templates --shard --history --no-history --date --lang --help" ;;
	fleet) opts="plan --shard --format --templates --lang --help" ;;
	history) opts="runs deployments show export prune import --history --month --format --status --before --date --templates -o --output --lang --help" ;;
	report) opts="--history --month --format -o --output --max-rows --templates --lang --help" ;;
	diff) opts="--repo --format -o --output --templates --lang --help" ;;
	update) opts="--template --to --write -o --output --format --exclude --templates --lang --help" ;;
	controls) opts="--profile --format --templates --lang --help" ;;
	hook) opts="install --force --help" ;;
	help) opts="check compile controls diff drift fleet history hook report update" ;;
	esac
	if [[ $cur == -* ]] || [ "$cmd" = hook ] || [ "$cmd" = help ] || [ "$cmd" = history ] || { [ "$cmd" = fleet ] && [ "$prev" = fleet ]; }; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		# templates: YAML and JSON files, and directories to descend into
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur") $(compgen -d -- "$cur"))
	fi
}
complete -F _hinagata hinagata
