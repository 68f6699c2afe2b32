#!/bin/sh
# Builds test-vmm and pio_bench (host tools, not part of the guest image).
set -eu
cd "$(dirname "$0")"
CC=${CC:-gcc}
CFLAGS="-O2 -Wall -Wextra -std=gnu11"
mkdir -p out
$CC $CFLAGS -o out/test-vmm test-vmm.c
$CC $CFLAGS -o out/pio_bench pio_bench.c
$CC $CFLAGS -Wno-unused-function -o out/seg_accessed seg_accessed.c
echo "built $(pwd)/out/test-vmm $(pwd)/out/pio_bench $(pwd)/out/seg_accessed"
