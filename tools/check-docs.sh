#!/usr/bin/env bash
# Checks the manual (an mdBook under docs/) without mdbook itself:
#
#   bash tools/check-docs.sh
#
#   1. every page linked from docs/SUMMARY.md exists;
#   2. every .md file under docs/ is linked from docs/SUMMARY.md, so no page
#      is silently left out of the book;
#   3. every relative link in a page resolves to a file, and a `#fragment`
#      pointing into a .md page names one of its headings (mdBook's ids:
#      lower case, spaces become '-', other punctuation dropped).
#
# Links inside fenced code blocks and inline code are ignored. External
# links (scheme:...) are not checked. Exit status 0 if all is well, 1 with
# one line per problem otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

docs=docs
summary=$docs/SUMMARY.md
problems=0

problem() {
    echo "check-docs: $*" >&2
    problems=$((problems + 1))
}

if [ ! -f "$summary" ]; then
    problem "$summary is missing"
    exit 1
fi

# Prints the link targets of a markdown file, one per line as
# "LINE<TAB>TARGET", skipping fenced code blocks and inline code.
links_of() {
    awk '
        /^[[:space:]]*(```|~~~)/ { fence = !fence; next }
        fence { next }
        {
            line = $0
            gsub(/`[^`]*`/, "", line)          # inline code
            while (match(line, /\]\([^)[:space:]]*/)) {
                target = substr(line, RSTART + 2, RLENGTH - 2)
                print NR "\t" target
                line = substr(line, RSTART + RLENGTH)
            }
        }
    ' "$1"
}

# Prints the heading ids of a markdown file, the way mdBook derives them.
heading_ids() {
    awk '
        /^[[:space:]]*(```|~~~)/ { fence = !fence; next }
        fence { next }
        /^#+[[:space:]]/ {
            text = $0
            sub(/^#+[[:space:]]+/, "", text)
            sub(/[[:space:]]+#*[[:space:]]*$/, "", text)
            # [label](url) -> label
            while (match(text, /\[[^]]*\]\([^)]*\)/)) {
                inner = substr(text, RSTART + 1, RLENGTH - 1)
                sub(/\]\(.*$/, "", inner)
                text = substr(text, 1, RSTART - 1) inner substr(text, RSTART + RLENGTH)
            }
            id = ""
            n = length(text)
            for (i = 1; i <= n; i++) {
                c = substr(text, i, 1)
                if (c ~ /[A-Za-z0-9_-]/) id = id tolower(c)
                else if (c ~ /[[:space:]]/) id = id "-"
            }
            # Repeated headings get -1, -2, ... like mdBook.
            if (id in seen) { seen[id]++; id = id "-" seen[id] } else seen[id] = 0
            print id
        }
    ' "$1"
}

# ---------------------------------------------------------------- 1 and 2
declare -A linked=()
while IFS=$'\t' read -r line target; do
    [ -z "$target" ] && continue            # draft chapter: [Title]()
    page=${target%%#*}
    case $page in
        *://*|mailto:*) continue ;;
    esac
    linked[$docs/$page]=1
    if [ ! -f "$docs/$page" ]; then
        problem "$summary:$line: links $target, but $docs/$page does not exist"
    fi
done < <(links_of "$summary")

while IFS= read -r file; do
    [ "$file" = "$summary" ] && continue
    if [ -z "${linked[$file]:-}" ]; then
        problem "$file is not linked from $summary (add it there, or mdBook leaves it out)"
    fi
done < <(find "$docs" -type f -name '*.md' | sort)

# ---------------------------------------------------------------- 3
while IFS= read -r file; do
    [ "$file" = "$summary" ] && continue    # checked above
    dir=$(dirname "$file")
    while IFS=$'\t' read -r line target; do
        [ -z "$target" ] && continue
        case $target in
            *:*) continue ;;                  # http:, https:, mailto:, ...
        esac
        path=${target%%#*}
        fragment=
        [[ $target == *#* ]] && fragment=${target#*#}
        if [ -z "$path" ]; then
            dest=$file                        # #fragment within the page
        else
            if [[ $path == /* ]]; then
                problem "$file:$line: link $target is absolute; use a path relative to the page"
                continue
            fi
            dest=$dir/$path
            if [ ! -e "$dest" ]; then
                problem "$file:$line: link $target does not resolve ($dest not found)"
                continue
            fi
        fi
        if [ -n "$fragment" ] && [[ $dest == *.md ]]; then
            if ! heading_ids "$dest" | grep -qxF -- "$fragment"; then
                problem "$file:$line: link $target: no heading with id '$fragment' in $dest"
            fi
        fi
    done < <(links_of "$file")
done < <(find "$docs" -type f -name '*.md' | sort)

if [ "$problems" -ne 0 ]; then
    echo "check-docs: $problems problem(s) found" >&2
    exit 1
fi
echo "check-docs: $(find "$docs" -type f -name '*.md' | wc -l) pages, all linked and all links resolve"
