// SPDX-License-Identifier: GPL-2.0

//! Benchmarks of `kernel::umd_mgmt`, run when the module loads: the same cases and output lines
//! as the C module `umd_bench`, through the Rust abstraction, and the framed echo through both
//! APIs in interleaved batches. It needs `umd_bench` loaded, whose C framed echo it calls.

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    time::Ktime,
    umd_mgmt::{new_umd_mgmt, Driver, Operation, Protocol},
};

module! {
    type: UmdBenchRust,
    name: "umd_bench_rust",
    author: "umd-mgmt developers",
    description: "Benchmarks of kernel::umd_mgmt",
    license: "GPL",
}

/// The test fixture, whose echo mode serves the round trips.
static FIXTURE: &[u8] = include_bytes!("fixture_handler");
/// The sample handler of the seed protocol.
static SAMPLE: &[u8] = include_bytes!("sample_handler");

const WARMUP: u32 = 200;
const N_ECHO: u32 = 5000;
const N_BIG: u32 = 500;
const REPLY_LEN: usize = 128 * 1024;
/// Batches of each of two interleaved cases, and their size.
const ROUNDS: usize = 10;
const BATCH: usize = 500;

extern "C" {
    /// A framed 4-byte echo through the C API, on `umd_bench`'s own handler: 0 or an errno.
    fn umd_bench_c_framed_echo(i: u32) -> core::ffi::c_int;
}

/// Prints a case's line from its latencies in nanoseconds.
fn report(name: &str, ns: &mut [u64], total_ns: u64) {
    ns.sort_unstable();
    let n = ns.len();
    let at = |i: usize| ns[i.min(n - 1)];
    let q: [u64; 21] = core::array::from_fn(|i| at(i * (n - 1) / 20));
    pr_info!(
        "umd_bench: case={} n={} p50={} p99={} rps={} q={}\n",
        name,
        n,
        at(n / 2),
        at(n * 99 / 100),
        n as u64 * 1_000_000_000 / total_ns.max(1),
        Quantiles(&q)
    );
}

struct Quantiles<'a>(&'a [u64]);

impl core::fmt::Display for Quantiles<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, q) in self.0.iter().enumerate() {
            write!(f, "{}{}", if i == 0 { "" } else { "," }, q)?;
        }
        Ok(())
    }
}

/// Times `n` calls of `call` after `warmup` untimed ones.
fn bench(name: &str, warmup: u32, n: u32, mut call: impl FnMut(u32) -> Result) -> Result {
    let mut ns = KVec::with_capacity(n as usize, GFP_KERNEL)?;
    for i in 0..warmup {
        call(i)?;
    }
    let start = Ktime::ktime_get();
    for i in 0..n {
        let t0 = Ktime::ktime_get();
        call(i)?;
        ns.push((Ktime::ktime_get() - t0).to_ns() as u64, GFP_KERNEL)?;
    }
    report(name, &mut ns, (Ktime::ktime_get() - start).to_ns() as u64);
    Ok(())
}

/// Times `a` and `b` in `ROUNDS` alternating batches of `BATCH` calls each, the first batch of a
/// round `a`'s in even rounds and `b`'s in odd ones, so that neither drift in the guest nor going
/// first favours either, and reports both.
fn bench_interleaved(
    (name_a, mut a): (&str, impl FnMut(u32) -> Result),
    (name_b, mut b): (&str, impl FnMut(u32) -> Result),
) -> Result {
    let n = ROUNDS * BATCH;
    let (mut ns_a, mut ns_b) = (
        KVec::with_capacity(n, GFP_KERNEL)?,
        KVec::with_capacity(n, GFP_KERNEL)?,
    );
    let (mut total_a, mut total_b) = (0u64, 0u64);
    for i in 0..WARMUP {
        a(i)?;
        b(i)?;
    }
    for round in 0..ROUNDS {
        for is_a in [round % 2 == 0, round % 2 != 0] {
            for i in 0..BATCH {
                let k = (round * BATCH + i) as u32;
                let t0 = Ktime::ktime_get();
                if is_a { a(k) } else { b(k) }?;
                let ns = (Ktime::ktime_get() - t0).to_ns() as u64;
                let (list, total) = if is_a {
                    (&mut ns_a, &mut total_a)
                } else {
                    (&mut ns_b, &mut total_b)
                };
                list.push(ns, GFP_KERNEL)?;
                *total += ns;
            }
        }
    }
    report(name_a, &mut ns_a, total_a);
    report(name_b, &mut ns_b, total_b);
    Ok(())
}

/// The fixture in echo mode, for the round-trip cases.
struct EchoDriver;

impl Protocol for EchoDriver {}

impl Driver for EchoDriver {
    type Protocol = Self;
    const NAME: &'static CStr = c_str!("umd_bench_echo");
}

/// A `u32` out, the same `u32` back.
struct Echo;

impl Operation for Echo {
    type Protocol = EchoDriver;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = u32;
}

/// The sample handler, for the 128 KiB case.
struct SampleDriver;

impl Protocol for SampleDriver {}

impl Driver for SampleDriver {
    type Protocol = Self;
    const NAME: &'static CStr = c_str!("umd_bench_sample");
}

/// An offset out, 128 KiB back with the byte at the offset set.
struct Mark;

impl Operation for Mark {
    type Protocol = SampleDriver;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = [u8; REPLY_LEN];
}

/// The fixture's framed mode (`kunit/hostile/src/framed.rs`).
struct FramedFixture;

impl Protocol for FramedFixture {
    const FRAMED: bool = true;
}

/// The fixture in framed mode, started as `umd_bench`'s C framed driver is.
struct FramedDriver;

impl Driver for FramedDriver {
    type Protocol = FramedFixture;
    const NAME: &'static CStr = c_str!("umd_bench_rust_framed");
}

/// The fixture's framed echo of a `u32`.
struct FramedEcho;

impl Operation for FramedEcho {
    type Protocol = FramedFixture;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = u32;
}

/// The framed 4-byte echo through `kernel::umd_mgmt` and through the C API, interleaved.
fn framed_rust_vs_c() -> Result {
    let framed = Arc::pin_init(new_umd_mgmt!(FramedDriver), GFP_KERNEL)?;
    let _loaded = framed.load(FIXTURE)?;
    bench_interleaved(
        ("rust_framed_echo", |i| {
            match framed.call::<FramedEcho>(&i)? {
                reply if reply == i => Ok(()),
                _ => Err(EIO),
            }
        }),
        ("c_framed_echo_interleaved", |i| {
            // SAFETY: `umd_bench` defines the function with this signature, and keeps its driver
            // until it is unloaded, which this module's use of its symbol prevents.
            match unsafe { umd_bench_c_framed_echo(i) } {
                0 => Ok(()),
                err => Err(Error::from_errno(err)),
            }
        }),
    )
}

fn run() -> Result {
    let echo = Arc::pin_init(new_umd_mgmt!(EchoDriver), GFP_KERNEL)?;
    let loaded = echo.load(FIXTURE)?;
    bench("rust_echo", WARMUP, N_ECHO, |i| {
        let mut reply = 0;
        echo.send_recv::<Echo>(&i, &mut reply)?;
        if reply != i {
            return Err(EIO);
        }
        Ok(())
    })?;
    drop(loaded);

    let sample = Arc::pin_init(new_umd_mgmt!(SampleDriver), GFP_KERNEL)?;
    let _loaded = sample.load(SAMPLE)?;
    let mut reply = KBox::<[u8; REPLY_LEN]>::init(kernel::init::zeroed(), GFP_KERNEL)?;
    bench("rust_sample_128k", 20, N_BIG, |i| {
        let offset = i % REPLY_LEN as u32;
        sample.send_recv::<Mark>(&offset, &mut reply)?;
        if reply[offset as usize] != 1 {
            return Err(EIO);
        }
        Ok(())
    })?;
    framed_rust_vs_c()
}

struct UmdBenchRust;

impl kernel::Module for UmdBenchRust {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let result = run();
        pr_info!(
            "umd_bench: {}\n",
            if result.is_ok() { "done" } else { "failed" }
        );
        result.map(|()| UmdBenchRust)
    }
}
