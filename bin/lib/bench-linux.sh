# bin/bench linux: Debian's kernel booted to /init, to the shell prompt and to power-off, by PCM (soft CPU) and by
# QEMU's software emulator (TCG), in one run on the same kernel and initramfs (bin/linux-guest's cache), with the
# ratios PCM/QEMU and each process tree's peak RSS. Times are from process start (JVM and framework start-up
# included for PCM, as an operator waits for them). Sourced by bin/bench; needs $PCM_JAVA and $root.

bench_linux() {
    local runs=$1 env tmp
    env=$(ls -d "${PCM_LINUX_GUEST_CACHE:-$HOME/.cache/pcm-linux-guest}"/*/guest.env 2>/dev/null | head -1)
    [ -n "$env" ] || { echo "bench: no test guest (run bin/linux-guest first)" >&2; return 3; }
    # shellcheck disable=SC1090
    . "$env"
    command -v qemu-system-x86_64 > /dev/null || { echo "bench: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; return 3; }
    tmp=$(mktemp -d)
    local timer=("$PCM_JAVA" "$root/bench/linux/BootTimer.java")
    local append="console=ttyS0 cryptomgr.notests"
    local khz; khz=$(awk '/cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo)
    local q=(qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -initrd "$PCM_LINUX_INITRAMFS_CPIO_GZ")
    local i
    for i in $(seq "$runs"); do
        "${timer[@]}" pcm-bzImage 600 "$root/bin/pcm" --data "$tmp/d$i-a" run --backend soft -w 0 --timeout 560 \
            --kernel "$PCM_LINUX_VMLINUZ" --initrd "$PCM_LINUX_INITRAMFS_CPIO_GZ" --append "$append"
        "${timer[@]}" pcm-vmlinux 600 "$root/bin/pcm" --data "$tmp/d$i-b" run --backend soft -w 0 --timeout 560 \
            --kernel "$PCM_LINUX_VMLINUX" --initrd "$PCM_LINUX_INITRAMFS_CPIO_GZ" --append "$append"
        # the same without the block compiler (on by default since issue 18): its gain on Linux, in the same run
        PCM_JAVA_OPTS="${PCM_JAVA_OPTS:-} -Dpcm.softcpu.jit=false" "${timer[@]}" pcm-vmlinux-interp 600 "$root/bin/pcm" \
            --data "$tmp/d$i-c" run --backend soft -w 0 --timeout 560 \
            --kernel "$PCM_LINUX_VMLINUX" --initrd "$PCM_LINUX_INITRAMFS_CPIO_GZ" --append "$append"
        # QEMU gets the TSC frequency PCM gives its guest: without it microvm (no HPET, no PM timer) calibrates against
        # the PIT and hung in 10 of 20 boots on a slow host (linux-facts), and here for 8 minutes under load
        "${timer[@]}" qemu-pc-bzImage 600 "${q[@]}" -M pc -kernel "$PCM_LINUX_VMLINUZ" -append "$append tsc_early_khz=$khz"
        "${timer[@]}" qemu-microvm-bzImage 600 "${q[@]}" -M microvm -kernel "$PCM_LINUX_VMLINUZ" -append "$append tsc_early_khz=$khz"
        "${timer[@]}" qemu-microvm-vmlinux 600 "${q[@]}" -M microvm -kernel "$PCM_LINUX_VMLINUX" -append "$append tsc_early_khz=$khz"
    done | tee "$tmp/lines"
    # medians per label, then the ratios PCM / QEMU for the same kernel image
    awk '
        function med(label, key,   n, i, j, t, a) {
            n = 0
            for (i = 1; i <= rows; i++) if (lab[i] == label && val[i, key] != "-") a[++n] = val[i, key] + 0
            if (n == 0) return -1
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return a[int((n + 1) / 2)]
        }
        function ratio(p, q, key,   a, b) {
            a = med(p, key); b = med(q, key)
            if (a < 0 || b <= 0) printf "  %-8s %s / %s: -\n", key, p, q
            else printf "  %-8s %s / %s: %.2f s / %.2f s = x%.2f\n", key, p, q, a, b, a / b
        }
        $1 == "boot" {
            rows++; lab[rows] = $2
            for (f = 3; f <= NF; f++) { split($f, kv, "="); val[rows, kv[1]] = kv[2] }
        }
        END {
            print "ratios (medians):"
            ratio("pcm-bzImage", "qemu-pc-bzImage", "init"); ratio("pcm-bzImage", "qemu-pc-bzImage", "poweroff")
            ratio("pcm-bzImage", "qemu-microvm-bzImage", "init")
            ratio("pcm-vmlinux", "qemu-microvm-vmlinux", "init"); ratio("pcm-vmlinux", "qemu-microvm-vmlinux", "poweroff")
            ratio("pcm-vmlinux", "pcm-vmlinux-interp", "init"); ratio("pcm-vmlinux", "pcm-vmlinux-interp", "poweroff")
            printf "peak RSS MB: pcm-bzImage %d, qemu-pc-bzImage %d\n", med("pcm-bzImage", "peak_rss_mb"), med("qemu-pc-bzImage", "peak_rss_mb")
        }' "$tmp/lines"
    rm -rf "$tmp"
}
