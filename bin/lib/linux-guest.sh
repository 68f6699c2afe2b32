# Library of bin/linux-guest: the Debian test guest for PCM (issue 14 item 4). Progress goes to stderr;
# functions that produce a value print it on stdout.

# Modules the initramfs carries (with their dependencies), in this order.
LG_MODULES=(virtio_pci virtio_blk virtio_console virtio_rng virtio_mmio)
# Modules for mounting the ext2 disk (Debian's ext4 driver mounts ext2), carried but loaded only by
# /bin/pcm-mount-disk, so boots that do not use the disk do not pay for them.
LG_FS_MODULES=(crc32c_generic ext4)
# Fixed time of every file in the initramfs and the disk image (2024-01-01T00:00:00Z).
LG_EPOCH=1704067200
LG_DISK_UUID=5043d2d1-6c69-4e75-782d-677565737430
LG_DISK_MIB=8
# Bumped when the output changes, so caches of an older layout are rebuilt.
LG_FORMAT=4

lg_die() { echo "linux-guest: $*" >&2; exit 1; }
lg_log() { echo "linux-guest: $*" >&2; }

lg_require_tools() {
    local t missing=()
    for t in apt-get apt-cache dpkg-deb cpio gzip mke2fs sha256sum; do
        command -v "$t" >/dev/null || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] || lg_die "missing host tools: ${missing[*]} (Debian: apt-get install cpio e2fsprogs)"
}

# The candidate version of package $1, or nothing.
lg_candidate() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

# The versioned kernel package linux-image-amd64 depends on (e.g. linux-image-6.1.0-57-amd64).
lg_kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

lg_resolve_packages() {
    if [ -z "$(lg_candidate linux-image-amd64)" ] || [ -z "$(lg_candidate busybox-static)" ]; then
        lg_log "apt knows no linux-image-amd64/busybox-static: running apt-get update"
        apt-get update -qq >&2 || lg_die "apt-get update failed (run it as root once)"
    fi
    LG_KPKG=$(lg_kernel_package)
    [ -n "$LG_KPKG" ] || lg_die "cannot tell which kernel package linux-image-amd64 depends on"
    LG_KVER=$(lg_candidate "$LG_KPKG")
    LG_BBVER=$(lg_candidate busybox-static)
    [ -n "$LG_KVER" ] && [ -n "$LG_BBVER" ] || lg_die "no candidate version of $LG_KPKG or busybox-static"
}

# Downloads package $1 at version $2 into $3 (kept there: a second run downloads nothing).
lg_download() {
    local pkg=$1 ver=$2 dir=$3 deb
    deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | while read -r f; do
        [ "$(dpkg-deb -f "$f" Version)" = "$ver" ] && echo "$f"; done | head -n1)
    if [ -z "$deb" ]; then
        lg_log "apt-get download $pkg=$ver"
        (cd "$dir" && apt-get download -q "$pkg=$ver" >&2) || lg_die "apt-get download $pkg=$ver failed"
        deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | while read -r f; do
            [ "$(dpkg-deb -f "$f" Version)" = "$ver" ] && echo "$f"; done | head -n1)
        [ -n "$deb" ] || lg_die "apt-get download left no ${pkg}_*.deb in $dir"
    fi
    echo "$deb"
}

# Prints module file names (relative to lib/modules/<kver>/) in load order, dependencies first. Debian's
# package has no modules.dep (depmod runs at install), so dependencies come from each module's own
# "depends=" modinfo field. $1 = lib/modules/<kver>, rest = module names; built-in modules are skipped.
lg_module_order() {
    local dir=$1; shift
    local -A path=() seen=()
    local f b
    while read -r f; do
        b=${f##*/}; b=${b%%.ko*}; path[${b//-/_}]=$f
    done < "$dir/modules.order"
    lg_visit_module() {
        local m=${1//-/_} d deps
        [ -z "${seen[$m]:-}" ] || return 0
        seen[$m]=1
        if [ -z "${path[$m]:-}" ]; then
            grep -q "/$m.ko\$\|/${m//_/-}.ko\$" "$dir/modules.builtin" && return 0
            echo "linux-guest: module $m is neither in modules.order nor built in" >&2; return 1
        fi
        deps=$(tr '\0' '\n' < "$dir/${path[$m]}" | sed -n 's/^depends=//p' | head -n1)
        for d in ${deps//,/ }; do lg_visit_module "$d" || return 1; done
        echo "${path[$m]}"
    }
    for f in "$@"; do lg_visit_module "$f" || return 1; done
}

# lg_copy_modules <moddir> <root> <list name> <module...>: the modules and what they need, in load order, into the
# initramfs's /lib/modules, their paths into /etc/<list name> (/init loads pcm-modules, pcm-mount-disk the fs ones)
lg_copy_modules() {
    local moddir=$1 rd=$2 list=$3 order m
    shift 3
    order=$(lg_module_order "$moddir" "$@") || lg_die "module list: see above"
    : > "$rd/etc/$list"
    while read -r m; do
        [ -n "$m" ] || continue
        mkdir -p "$rd/lib/modules/$(dirname "$m")"
        cp "$moddir/$m" "$rd/lib/modules/$m"
        echo "$m" >> "$rd/etc/$list"
    done <<< "$order"
}

lg_write_init() {
    cat > "$1" <<'INIT'
#!/bin/sh
# PCM test guest /init (bin/linux-guest). The kernel starts it with no open files.
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt /usr/bin /usr/sbin /sbin
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo PCM-LINUX-INIT
n=0
while read -r m; do
    insmod "/lib/modules/$m" && n=$((n + 1)) || echo "PCM-LINUX-MODULE-FAILED $m"
done < /etc/pcm-modules
echo "PCM-LINUX-MODULES $n"
case "${pcmguest:-}" in
    poweroff) poweroff -f ;;
    check) /bin/pcm-check; poweroff -f ;;
    kallsyms) cat /proc/kallsyms > /dev/ttyS1; echo PCM-LINUX-KALLSYMS-DONE; poweroff -f ;;
esac
export PS1='pcm-linux# '
exec setsid cttyhack sh -l
INIT
    chmod 755 "$1"
}

# /bin/pcm-mount-disk [device [dir]]: loads the filesystem modules once and mounts the virtio disk (ext2) read-write.
lg_write_mount_disk() {
    cat > "$1" <<'MOUNT'
#!/bin/sh
# PCM test guest: mount the virtio-blk disk (bin/linux-guest's disk.ext2) at /mnt.
dev=${1:-/dev/vda} dir=${2:-/mnt}
if ! grep -q '^ext4 ' /proc/modules; then
    while read -r m; do insmod "/lib/modules/$m" || { echo "PCM-DISK-MODULE-FAILED $m"; exit 1; }; done < /etc/pcm-fs-modules
fi
mkdir -p "$dir"
mount -t ext2 "$dev" "$dir" && echo "PCM-DISK-MOUNTED $dev $dir"
MOUNT
    chmod 755 "$1"
}

# /bin/pcm-check: the issue's scripted session without a terminal (kernel argument pcmguest=check; /init powers off
# after it): each step prints a PCM-CHECK marker, so a run whose console no one types into (the emulated SVM host's
# scenario `linux`, a sampled Linux run) still shows the shell, the CPU, the disk and the RNG working.
lg_write_check() {
    cat > "$1" <<'CHECK'
#!/bin/sh
echo "PCM-CHECK-UNAME $(uname -r)"
echo "PCM-CHECK-CPUS $(grep -c ^processor /proc/cpuinfo)"
echo "PCM-CHECK-MATH $((6*7)) $(printf '%.3Lf' 2.5) $(echo pcm-linux | md5sum | cut -d' ' -f1)"
if [ -b /dev/vda ]; then
    if pcm-mount-disk >/dev/null; then
        echo "PCM-CHECK-DISK $(cat /mnt/hello.txt)"
        echo "written by pcm-check" > /mnt/check.txt && sync && echo "PCM-CHECK-DISK-WRITTEN $(cat /mnt/check.txt | wc -c)"
        umount /mnt
    else
        echo "PCM-CHECK-DISK-FAILED"
    fi
else
    echo "PCM-CHECK-DISK none"
fi
if [ -c /dev/hwrng ]; then echo "PCM-CHECK-HWRNG $(head -c 4096 /dev/hwrng | wc -c)"; else echo "PCM-CHECK-HWRNG none"; fi
echo "PCM-CHECK-DONE"
CHECK
    chmod 755 "$1"
}

# Builds everything for the resolved versions under $1; prints the output directory.
lg_build() {
    local cache=$1
    lg_resolve_packages
    local key="${LG_KVER}_${LG_BBVER}"; key=${key//[:\/]/_}
    local out="$cache/$key"
    if grep -qx "PCM_LINUX_GUEST_FORMAT=$LG_FORMAT" "$out/guest.env" 2>/dev/null; then lg_log "up to date: $out"; echo "$out"; return; fi
    mkdir -p "$cache/debs"
    local kdeb bdeb
    kdeb=$(lg_download "$LG_KPKG" "$LG_KVER" "$cache/debs")
    bdeb=$(lg_download busybox-static "$LG_BBVER" "$cache/debs")
    local work; work=$(mktemp -d "$cache/.build.XXXXXX")
    trap 'rm -rf "$work"' RETURN
    dpkg-deb -x "$kdeb" "$work/k"
    dpkg-deb -x "$bdeb" "$work/b"
    local vmlinuz sysmap moddir kname
    vmlinuz=$(find "$work/k/boot" -name 'vmlinuz-*' | head -n1)
    sysmap=$(find "$work/k/boot" -name 'System.map-*' | head -n1)
    [ -n "$vmlinuz" ] && [ -n "$sysmap" ] || lg_die "$kdeb has no boot/vmlinuz-* or System.map-*"
    kname=${vmlinuz##*/vmlinuz-}
    moddir=$(find "$work/k" -type d -path "*/lib/modules/$kname" | head -n1)
    [ -n "$moddir" ] && [ -f "$moddir/modules.order" ] || lg_die "$kdeb has no lib/modules/$kname/modules.order"

    # initramfs tree
    local rd="$work/rd"
    mkdir -p "$rd/bin" "$rd/etc" "$rd/lib/modules" "$rd/proc" "$rd/sys" "$rd/dev" "$rd/tmp" "$rd/root"
    cp "$work/b/bin/busybox" "$rd/bin/busybox"
    ln -s busybox "$rd/bin/sh"
    lg_copy_modules "$moddir" "$rd" pcm-modules "${LG_MODULES[@]}"
    lg_copy_modules "$moddir" "$rd" pcm-fs-modules "${LG_FS_MODULES[@]}"
    lg_write_init "$rd/init"
    lg_write_mount_disk "$rd/bin/pcm-mount-disk"
    lg_write_check "$rd/bin/pcm-check"
    echo "root:x:0:0:root:/root:/bin/sh" > "$rd/etc/passwd"
    find "$rd" -exec touch -h -d "@$LG_EPOCH" {} +
    rm -rf "$out.tmp"; mkdir -p "$out.tmp"
    (cd "$rd" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible --owner=0:0) > "$out.tmp/initramfs.cpio"
    gzip -n -9 -c "$out.tmp/initramfs.cpio" > "$out.tmp/initramfs.cpio.gz"

    # disk image
    local dd="$work/disk"
    mkdir -p "$dd"
    echo "PCM-DISK-OK" > "$dd/hello.txt"
    find "$dd" -exec touch -h -d "@$LG_EPOCH" {} +
    rm -f "$out.tmp/disk.ext2"
    E2FSPROGS_FAKE_TIME=$LG_EPOCH mke2fs -q -F -t ext2 -b 1024 -O ^resize_inode -L pcmdisk -U "$LG_DISK_UUID" \
        -E "root_owner=0:0,hash_seed=$LG_DISK_UUID" -d "$dd" "$out.tmp/disk.ext2" "${LG_DISK_MIB}M" >&2 \
        || lg_die "mke2fs failed"

    cp "$vmlinuz" "$out.tmp/vmlinuz"
    lg_extract_vmlinux "$out.tmp/vmlinuz" "$out.tmp/vmlinux"
    cp "$sysmap" "$out.tmp/System.map"
    cp "$rd/etc/pcm-modules" "$out.tmp/modules.txt"
    cp "$rd/etc/pcm-fs-modules" "$out.tmp/fs-modules.txt"
    lg_kallsyms "$out.tmp"
    {
        echo "PCM_LINUX_GUEST_FORMAT=$LG_FORMAT"
        echo "PCM_LINUX_KERNEL_PACKAGE=$LG_KPKG=$LG_KVER"
        echo "PCM_LINUX_BUSYBOX_PACKAGE=busybox-static=$LG_BBVER"
        echo "PCM_LINUX_KERNEL_RELEASE=$kname"
        for f in vmlinuz vmlinux System.map kallsyms.map initramfs.cpio initramfs.cpio.gz disk.ext2; do
            [ -f "$out.tmp/$f" ] || continue
            v=$(echo "$f" | tr 'a-z.' 'A-Z_'); echo "PCM_LINUX_${v}=$out/$f"
        done
    } > "$out.tmp/guest.env"
    (cd "$out.tmp" && sha256sum vmlinuz System.map initramfs.cpio initramfs.cpio.gz disk.ext2 $(ls vmlinux 2>/dev/null) > SHA256SUMS)
    rm -rf "$out"; mv "$out.tmp" "$out"
    lg_log "built $out ($(wc -l < "$out/modules.txt") modules)"
    echo "$out"
}

# The ELF vmlinux inside the bzImage (its XZ payload), for the direct-load path (PCM --kernel vmlinux, QEMU's PVH).
lg_extract_vmlinux() {
    local bz=$1 out=$2 sects off len
    sects=$(od -An -tu1 -j $((0x1F1)) -N1 "$bz" | tr -d ' ')
    [ "$sects" -eq 0 ] && sects=4
    off=$(( (sects + 1) * 512 + $(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ') ))
    len=$(od -An -tu4 -j $((0x24C)) -N4 "$bz" | tr -d ' ')
    if ! command -v xz >/dev/null || [ "$(od -An -tx1 -j "$off" -N6 "$bz" | tr -d ' ')" != "fd377a585a00" ]; then
        lg_log "the payload is not XZ or xz is missing: no vmlinux"; return 0
    fi
    { tail -c +$((off + 1)) "$bz" || true; } | head -c "$len" | xz -dc --single-stream > "$out" || lg_die "the XZ payload of $bz does not decompress"
}

# Debian's package ships a placeholder System.map (the real one is in the -dbg package): boot the guest
# once under QEMU TCG with nokaslr and keep its /proc/kallsyms, read through a second serial port.
lg_kallsyms() {
    local dir=$1
    if ! command -v qemu-system-x86_64 >/dev/null; then
        lg_log "qemu-system-x86_64 absent: no kallsyms.map (kernel symbols) in $dir"; return 0
    fi
    lg_log "reading the kernel's symbols (QEMU TCG boot with pcmguest=kallsyms)"
    timeout 300 qemu-system-x86_64 -accel tcg -M pc -m 256 -display none -no-reboot \
        -serial null -serial "file:$dir/kallsyms.raw" -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 nokaslr cryptomgr.notests quiet pcmguest=kallsyms" </dev/null >&2 || true
    tr -d '\r' < "$dir/kallsyms.raw" | grep -E '^[0-9a-f]{16} ' | LC_ALL=C sort -s -k1,1 > "$dir/kallsyms.map" || true
    rm -f "$dir/kallsyms.raw"
    if [ "$(wc -l < "$dir/kallsyms.map")" -lt 1000 ]; then
        lg_log "QEMU did not deliver the kernel's symbols: no kallsyms.map"; rm -f "$dir/kallsyms.map"
    fi
}

# One QEMU TCG boot to /init's marker and power-off: prints "<ms to PCM-LINUX-INIT> <ms to exit>", or fails.
# $1 = guest dir, $2 = machine (microvm|pc|q35), $3 = kernel file (vmlinuz, or vmlinux for QEMU's PVH entry).
# The QEMU side of a benchmark: spawn to marker, spawn to exit, with the tsc_early_khz= PCM also passes.
lg_qemu_boot() {
    local dir=$1 machine=$2 kernel=$3 log t0 t_marker= now pid
    log=$(mktemp)
    t0=$(date +%s%N)
    qemu-system-x86_64 -accel tcg -M "$machine" -m 256 -nographic -no-reboot -kernel "$kernel" \
        -initrd "$dir/initramfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 cryptomgr.notests tsc_early_khz=2000000 pcmguest=poweroff" </dev/null > "$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ -z "$t_marker" ] && grep -q PCM-LINUX-INIT "$log"; then t_marker=$(date +%s%N); fi
        now=$(date +%s%N)
        if [ $(( (now - t0) / 1000000 )) -gt 120000 ]; then kill "$pid"; break; fi
        sleep 0.02
    done
    wait "$pid" 2>/dev/null || true
    now=$(date +%s%N)
    [ -n "$t_marker" ] || grep -q PCM-LINUX-INIT "$log" && t_marker=${t_marker:-$now}
    if [ -z "$t_marker" ]; then tail -n 20 "$log" >&2; rm -f "$log"; return 1; fi
    rm -f "$log"
    echo "$(( (t_marker - t0) / 1000000 )) $(( (now - t0) / 1000000 ))"
}

# Boots $1's kernel and initramfs under QEMU TCG until /init's marker: bzImage on microvm and pc, vmlinux (PVH) on microvm.
lg_check_qemu() {
    local out=$1 machine kernel times
    command -v qemu-system-x86_64 >/dev/null || { lg_log "qemu-system-x86_64 absent: QEMU check skipped"; return 0; }
    for run in microvm:vmlinuz pc:vmlinuz microvm:vmlinux; do
        machine=${run%%:*} kernel=$out/${run#*:}
        [ -f "$kernel" ] || continue
        times=$(lg_qemu_boot "$out" "$machine" "$kernel") || lg_die "QEMU $machine with ${run#*:} did not reach PCM-LINUX-INIT"
        lg_log "QEMU TCG $machine ${run#*:}: PCM-LINUX-INIT after ${times% *} ms, exit after ${times#* } ms"
    done
}
