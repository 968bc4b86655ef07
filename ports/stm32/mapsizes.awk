# Per-object flash and RAM use of the linked image, from the GNU ld map file
# (sections dropped by --gc-sections are not counted, unlike `size` on the .o).
# Usage: awk -f mapsizes.awk dropboot.map
function hex(s,    i, c, v) {
    v = 0
    s = tolower(s)
    sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1)) - 1
        v = v * 16 + c
    }
    return v
}
function emit(name, addr, size, file,    kind, n) {
    if (file !~ /\.o$/ || kind_of[out] == "") return
    n = hex(size)
    if (n == 0) return
    kind = kind_of[out]
    sub(/^.*\/obj\//, "", file)
    sz[file, kind] += n
    if (!(file in seen)) { seen[file] = 1; order[++count] = file }
}
BEGIN {
    kind_of[".isr_vector"] = "text"; kind_of[".text"] = "text"; kind_of[".ARM.exidx"] = "text"
    kind_of[".data"] = "data"; kind_of[".bss"] = "bss"; kind_of[".noinit"] = "bss"
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^\.[^ ]+/ { out = $1; next }   # an output section starts at column 0
/^ [.A-Z][^ ]*$/ { name = $1; pending = 1; next }
pending && /^ +0x/ { emit(name, $1, $2, $3); pending = 0; next }
/^ [.A-Z]/ && NF >= 4 { emit($1, $2, $3, $4); pending = 0; next }
{ pending = 0 }
END {
    printf "%8s %8s %8s  %s\n", "text", "data", "bss", "object (linked)"
    for (i = 1; i <= count; i++) {
        f = order[i]
        printf "%8d %8d %8d  %s\n", sz[f, "text"], sz[f, "data"], sz[f, "bss"], f
        t += sz[f, "text"]; d += sz[f, "data"]; b += sz[f, "bss"]
    }
    printf "%8d %8d %8d  total\n", t, d, b
}
