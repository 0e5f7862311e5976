# Completes a command line in a real interactive zsh, as Tab would, and prints the list shown.
#   zsh -f zsh_complete.zsh SCRIPT 'mayus client --ud'
# SCRIPT is the completion script to source. The keys are pushed into zle's own input from its
# line-init hook (`zle -U`), so nothing typed ahead of the prompt can be lost: the words, Tab
# (bound to list-choices), Ctrl-U to clear the line, then a command whose output ends the list.
zmodload zsh/zpty
zpty shell zsh -f -i
# Markers are spelled so that the echo of a typed command never matches them.
zpty -w shell 'PS1="$(print -n PRO)MPT> "'
zpty -r shell ignored '*PROMPT> *'
# One line, so the hook is set last and fires at the next prompt, with no typeahead pending.
zpty -w shell "autoload -U compinit; compinit -u -D; source ${(q)1}; bindkey -e; bindkey '^I' list-choices; LISTMAX=10000; keys=${(q)2}\$'\\t\\C-uprint -n LIST-E; print ND\\n'; pushed() { if [[ -n \$keys ]]; then zle -U \"\$keys\"; keys=; fi }; zle -N zle-line-init pushed; PS1=\"\$(print -n LI)ST> \""
zpty -r shell shown '*LIST-END*'
zpty -d shell
shown=${shown#*LIST> }
print -r -- "${shown%LIST-END*}"
