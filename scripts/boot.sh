#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# boot.sh TREE [bench]: build the x86_64 kernel of the KUnit suites, whose
# configuration has boot/demo.config too (kunit_setup), with the samples
# as modules; build the selftest and an initramfs (busybox, modules with
# depmod data, boot/init), then boot it in QEMU with kunit.enable=0 and
# print what the guest reports. Exits non-zero unless the guest reports
# PASS. The demo boots twice: as built, then with umd_seal.enforce=0, in
# which boot/init checks that sealing is off. With "bench", the benchmark
# modules and boot/bench-init run instead, once. Runs inside the toolchain
# root.
. "$(dirname "$0")/lib.sh"

tree=$1
mode=${2:-demo}
build=$(kunit_build "$tree" x86_64)
demo=$(build_root "$tree")/demo-x86_64
out=$demo/$mode
selftest=$tree/tools/testing/selftests/umd_mgmt
mk=(make -C "$tree" O="$build" ARCH=x86_64 LLVM=1 -j"$JOBS")
mkdir -p "$build"
# The demo had a kernel of its own there once: drop it, it is not used.
[ ! -e "$demo/.config" ] || rm -rf "$demo"

# After make test's x86_64 KUnit run this builds nothing: the suites and
# the demo share the kernel.
say "building the x86_64 kernel and modules (a quarter of an hour when cold)"
kunit_setup "$tree" x86_64
(cd "$tree" && with_progress "x86_64 kernel" "$build" \
	python3 tools/testing/kunit/kunit.py build "${kunit_args[@]}" --jobs="$JOBS") >&2 ||
	die "the x86_64 kernel did not build"

rm -rf "$out"
mkdir -p "$out/initramfs/"{bin,dev,proc,sys,tmp}
if [ "$mode" = bench ]; then
	say "building the benchmark modules and the C handler"
	make -s -C "$selftest/bench" LLVM=1 KDIR="$build" >&2
	extmods=("$selftest/bench")
	init=$TOP/boot/bench-init
else
	say "building the C sample modules and the selftest"
	mkdir -p "$out/selftest"
	make -s -C "$selftest" LLVM=1 KDIR="$build" OUTPUT="$out/selftest" >&2
	cp "$out/selftest/umd_mgmt_test" "$out/selftest/umd_bounded_test" \
		"$out/selftest/umd_seal_test" "$out/selftest/umd_lockdown_test" \
		"$out/initramfs/bin/"
	# What umd_lockdown_test loads with kexec_file_load().
	mkdir -p "$out/initramfs/boot"
	cp "$build/arch/x86/boot/bzImage" "$out/initramfs/boot/"
	extmods=("$selftest/sample_umd")
	init=$TOP/boot/init
fi

say "assembling the initramfs"
"${mk[@]}" -s modules_install INSTALL_MOD_PATH="$out/initramfs" INSTALL_MOD_STRIP=1
"${mk[@]}" -s M="${extmods[0]}" modules_install \
	INSTALL_MOD_PATH="$out/initramfs" INSTALL_MOD_STRIP=1
cp /usr/bin/busybox "$out/initramfs/bin/busybox"
cp "$init" "$out/initramfs/init"
(cd "$out/initramfs" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

# boot LOG [PARAM...]: boot the kernel and initramfs with PARAM appended to
# the command line, its console on stdout and in LOG.
boot() {
	local log=$1
	shift
	timeout 600 qemu-system-x86_64 -nographic -no-reboot -m 512 -bios qboot.rom \
		-kernel "$build/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 tsc=reliable numa=fake=2 kunit.enable=0${*:+ $*}" </dev/null | tee "$log"
}

say "booting in QEMU (TCG)"
# The logs decide, not QEMU's exit status.
boot "$out/console.log" || true
if [ "$mode" = bench ]; then
	grep -q 'umd-[a-z]*: RESULT: PASS' "$out/console.log"
	exit
fi

say "booting again with umd_seal.enforce=0: sealing off, for debugging"
boot "$out/console-debug.log" umd_seal.enforce=0 || true
status=0
grep -q 'umd-demo: RESULT: PASS' "$out/console.log" || {
	say "demo: no PASS result"
	status=1
}
grep -q 'umd-demo-debug: RESULT: PASS' "$out/console-debug.log" || {
	say "demo with umd_seal.enforce=0: no PASS result"
	status=1
}
exit $status
