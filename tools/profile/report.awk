# Turns insn-profile's counts into instructions per function (used by
# tools/profile.sh, which prepares the binaries' side).
#
#   awk -f report.awk BINARIES COUNTS
#
# BINARIES has, for each ELF in the order to try:
#   seg NAME VADDR HEXBYTES          one executable LOAD segment
#   sym NAME VADDR SIZE TYPE TEXT... its symbols, sorted by address
# COUNTS is the plugin's file (tools/profile/insn-profile.c).
#
# A block is credited to the first binary whose bytes at its address are
# the block's bytes: bench and bench-echo are both linked at 0x400000, so
# the address alone cannot tell them apart. Prints one line per function,
#   COUNT <TAB> ENTRIES <TAB> BINARY <TAB> FUNCTION
# then `total` lines; ENTRIES counts executions of its first instruction.
#
# Addresses are kept as their low 48 bits: mawk's numbers are doubles, exact
# only below 2^53, and the low 48 bits still tell every canonical address
# apart.

function addr(h,    n, i) {
    if (length(h) > 12)
        h = substr(h, length(h) - 11)
    n = 0
    for (i = 1; i <= length(h); i++)
        n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
    return n
}

# The binary whose code at v is the hex string code, or "".
function binary_of(v, code,    e, s, len, off) {
    len = length(code) / 2
    for (e = 1; e <= n_elf; e++)
        for (s = 1; s <= n_seg[e]; s++) {
            off = v - seg_addr[e, s]
            if (off >= 0 && off + len <= seg_len[e, s] &&
                substr(seg_hex[e, s], 2 * off + 1, 2 * len) == code)
                return e
        }
    return ""
}

# Index of the last symbol of binary e at or below v, or 0.
function symbol_at(e, v,    lo, hi, mid) {
    lo = 1
    hi = n_sym[e]
    if (hi == 0 || sym_addr[e, 1] > v)
        return 0
    while (lo < hi) {
        mid = int((lo + hi + 1) / 2)
        if (sym_addr[e, mid] <= v)
            lo = mid
        else
            hi = mid - 1
    }
    return lo
}

function elf_index(name) {
    if (!(name in elf_of)) {
        elf_of[name] = ++n_elf
        elf_name[n_elf] = name
    }
    return elf_of[name]
}

FILENAME == ARGV[1] && $1 == "seg" {
    e = elf_index($2)
    s = ++n_seg[e]
    seg_addr[e, s] = addr($3)
    seg_hex[e, s] = $4
    seg_len[e, s] = length($4) / 2
    next
}

FILENAME == ARGV[1] && $1 == "sym" {
    e = elf_index($2)
    v = addr($3)
    # Only code, and the first name of aliases at one address (FUNC sorts
    # before NOTYPE).
    inside = 0
    for (s = 1; s <= n_seg[e]; s++)
        if (v >= seg_addr[e, s] && v < seg_addr[e, s] + seg_len[e, s])
            inside = 1
    if (!inside || (n_sym[e] > 0 && sym_addr[e, n_sym[e]] == v))
        next
    name = $0
    sub(/^sym +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", name)
    if (name ~ /^\.L/)
        next
    i = ++n_sym[e]
    sym_addr[e, i] = v
    sym_size[e, i] = $4 + 0
    sym_name[e, i] = name
    next
}

FILENAME == ARGV[2] && $1 == "block" {
    v = addr($2)
    e = binary_of(v, $3)
    kernel = substr($2, 1, 1) >= "8"
    n = split($4, sizes, ",")
    split($5, counts, ",")
    if (e == "")
        where = kernel ? "kernel?" : "user?"
    pc = v
    for (i = 1; i <= n; i++) {
        c = counts[i] + 0
        if (c > 0) {
            if (e == "") {
                key = where SUBSEP "(code of no given binary)"
                unmatched += c
            } else {
                where = elf_name[e]
                k = symbol_at(e, pc)
                if (k == 0)
                    fn = "(before the first symbol)"
                else if (sym_size[e, k] > 0 && pc >= sym_addr[e, k] + sym_size[e, k])
                    fn = "(after " sym_name[e, k] ")"
                else
                    fn = sym_name[e, k]
                key = where SUBSEP fn
                if (k > 0 && pc == sym_addr[e, k])
                    entries[key] += c
            }
            count[key] += c
            by_space[kernel ? "kernel" : "user"] += c
            by_where[where] += c
            total += c
        }
        pc += sizes[i]
    }
    next
}

END {
    for (key in count) {
        split(key, part, SUBSEP)
        printf "%d\t%d\t%s\t%s\n", count[key], entries[key] + 0, part[1], part[2]
    }
    printf "total\tall\t%d\n", total
    for (w in by_space)
        printf "total\tspace\t%s\t%d\n", w, by_space[w]
    for (w in by_where)
        printf "total\twhere\t%s\t%d\n", w, by_where[w]
    printf "total\tunmatched\t%d\n", unmatched + 0
}
