#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Lint the tree with Debian's tools.
#   devtools/lint.sh [shellcheck|codespell|clang-format]...   (default: all three)
# Each tool prints what it finds; the exit status is the number of tools that
# found something. clang-format checks the C files of drivers/ and app/
# against .clang-format (RTAP_LINT_BRIEF=1: name the files only).

set -u
cd "$(dirname "$0")/.." || exit 1

# tracked and new (not ignored) files matching the pathspecs, that exist
files()
{
	git ls-files --cached --others --exclude-standard -- "$@" 2>/dev/null |
		while IFS= read -r f; do
			if [ -f "$f" ]; then
				printf '%s\n' "$f"
			fi
		done
}

lint()
{
	local list=()
	case $1 in
	shellcheck)
		mapfile -t list < <(files '*.sh' .ci/run)
		[ ${#list[@]} -eq 0 ] || shellcheck -x "${list[@]}"
		;;
	codespell)
		mapfile -t list < <(files . ':!*.png' ':!*.svg' ':!app/fuzz/corpus/*')
		[ ${#list[@]} -eq 0 ] || codespell --quiet-level=2 "${list[@]}"
		;;
	clang-format)
		mapfile -t list < <(files 'drivers/*.[ch]' 'app/*.[ch]')
		[ ${#list[@]} -eq 0 ] && return 0
		if [ "${RTAP_LINT_BRIEF:-0}" = 1 ]; then
			local f bad=0
			for f in "${list[@]}"; do
				if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
					echo "clang-format: $f differs from .clang-format"
					bad=1
				fi
			done
			return $bad
		fi
		clang-format --dry-run --Werror "${list[@]}"
		;;
	*)
		echo "lint: unknown tool $1" >&2
		exit 64
		;;
	esac
}

failed=0
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(shellcheck codespell clang-format)
for tool in "${tools[@]}"; do
	if ! command -v "$tool" >/dev/null; then
		echo "lint: $tool not installed (devtools/setup.sh installs it)"
		failed=$((failed + 1))
	elif lint "$tool"; then
		echo "lint: $tool clean"
	else
		echo "lint: $tool found problems"
		failed=$((failed + 1))
	fi
done
exit "$failed"
