#!/bin/sh
# Scans the disassembly of the guest ELF:
#  - kernel part (section .text, CPL0 = KVM instruction emulator on PVM):
#    fails on anything from the FAIL / WRONG / #UD lists of
#    shared/kvm-on-this-machine.md section 6;
#  - user part (section .utext, CPL3): fails on SSE/AVX/MMX/x87 (the
#    workload must be integer-only so a software x86 interpreter can run it).
# Usage: check-insns.sh [guest.elf]   (default guest/out/obj/default-guest.elf)
set -eu
cd "$(dirname "$0")"
ELF=${1:-out/obj/default-guest.elf}
export LC_ALL=C

# Instruction lines of one section.
insns() {
	objdump -d --no-show-raw-insn -M att -j "$1" "$ELF" | awk -F'\t' '/^ *[0-9a-f]+:\t/'
}

# Mnemonic = first word after the prefixes lock/rep*/data16/addr32/notrack/bnd/ds/cs.
# Operand registers that mean SSE/AVX/MMX/x87 state.
VEC_REGS='%(x|y|z)mm[0-9]|%mm[0-9]|%st(\(|$|,)|%k[0-7]'
# FAIL/WRONG/#UD at CPL0 (section 6), by mnemonic.
K_BAD='^(int|int1|int3|into|icebp|popcnt|lzcnt|tzcnt|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|adcx|adox|movbe|cmpxchg16b|xsave[a-z0-9]*|xrstor[a-z0-9]*|xgetbv|xsetbv|lar|lsl|verr|verw|clac|stac|rdtscp|rdpid|rdpmc|crc32[bwlq]?|invpcid|ldmxcsr|stmxcsr|vldmxcsr|vstmxcsr|syscall|sysenter|ud0|ud1|\(bad\))$'
# x87 (any f* mnemonic), MMX/SSE/AVX by name when no register is shown.
FP_BAD='^(f[a-z0-9]*|emms|femms|ldmxcsr|stmxcsr|v[a-z0-9]+|p(add|sub|xor|and|or|cmp|mov|shuf|unpck)[a-z0-9]*|mov(aps|apd|ups|upd|dqa|dqu|nt[a-z]*|[hl]ps|[hl]pd|ss|sd|sh|hlps|lhps)|cvt[a-z0-9]+|(add|sub|mul|div|min|max|sqrt|and|or|xor|cmp|ucomi|comi)(ps|pd|ss|sd)|shufp[sd]|unpck[a-z]+)$'

fail=0
check() { # section, regex, what
	n=$(insns "$1" | wc -l)
	[ "$n" -gt 0 ] || { echo "check-insns: no instructions in section $1 of $ELF" >&2; fail=1; return; }
	bad=$(insns "$1" |
		while IFS= read -r line; do
			ins=$(printf '%s\n' "$line" | awk -F'\t' '{print $2}')
			m=$(printf '%s\n' "$ins" | sed -E 's/^((lock|rep|repz|repnz|repe|repne|data16|addr32|notrack|bnd|ds|cs) +)*//; s/ .*//')
			if printf '%s\n' "$m" | grep -Eq "$2" || printf '%s\n' "$ins" | grep -Eq "$VEC_REGS"; then
				printf '%s\n' "$line"
			fi
		done)
	if [ -n "$bad" ]; then
		echo "check-insns: FORBIDDEN instructions in $1 ($3):" >&2
		printf '%s\n' "$bad" >&2
		fail=1
	else
		echo "check-insns: $1 ($3): $n instructions, none forbidden"
	fi
}

check .text "$K_BAD|$FP_BAD" "kernel part, CPL0, emulator-safe list"
check .utext "$FP_BAD" "user part, CPL3, integer-only"
exit $fail
