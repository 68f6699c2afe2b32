#!/bin/sh
# Builds the PCM default guest reproducibly: guest/out/default-guest.bin
# (flat image, load/entry address 0x100000) and prints its SHA-256.
# Intermediate files go to guest/out/obj/ (not meant to be committed).
set -eu
cd "$(dirname "$0")"
SRC=$(pwd)
OUT=out
OBJ=out/obj
mkdir -p "$OBJ"

CC=${CC:-gcc}
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}

# Mandatory flags (see README.md: integer-only, emulator-safe code), plus
# reproducibility flags (-ffile-prefix-map, no .comment/ident, no CET).
CFLAGS="-ffreestanding -nostdlib -fno-pic -fno-pie -static -mno-red-zone \
 -mgeneral-regs-only -march=x86-64 -O2 -fno-stack-protector \
 -fno-asynchronous-unwind-tables \
 -fcf-protection=none -fno-ident -fno-common -std=gnu11 \
 -Wall -Wextra -Werror -ffile-prefix-map=$SRC=guest"

export LC_ALL=C SOURCE_DATE_EPOCH=0

for f in start.S kernel.c user.c; do
	$CC $CFLAGS -c "$f" -o "$OBJ/${f%.*}.o"
done
# link order is fixed: start.o first (entry at 0x100000)
$LD -nostdlib -static --build-id=none -z noexecstack -z max-page-size=0x1000 \
	-T linker.ld -o "$OBJ/default-guest.elf" \
	"$OBJ/start.o" "$OBJ/kernel.o" "$OBJ/user.o"
$OBJCOPY -O binary "$OBJ/default-guest.elf" "$OUT/default-guest.bin"

sh ./check-insns.sh "$OBJ/default-guest.elf"

# sanity: entry at the start of the image
entry=$(readelf -h "$OBJ/default-guest.elf" | awk '/Entry point/ {print $4}')
[ "$entry" = "0x100000" ] || { echo "build.sh: entry is $entry, not 0x100000" >&2; exit 1; }

size=$(wc -c < "$OUT/default-guest.bin")
echo "default-guest.bin: $size bytes"
sha256sum "$OUT/default-guest.bin"
