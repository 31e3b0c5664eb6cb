// SPDX-License-Identifier: GPL-2.0-only
//! Request handling of the sample UMD Handler, kept free of system calls so
//! that it can be unit-tested on the host.
//!
//! The crate builds two handlers, one per protocol; neither looks at its
//! name. `umd_mgmt_handler` speaks the protocol of the seed's `sample_umd`:
//! the kernel writes a request of [`REQUEST_LEN`] bytes, a native-endian
//! `u32` offset, and reads a reply of exactly [`REPLY_LEN`] bytes, all zero
//! except the byte at that offset, which is 1 when the offset is inside the
//! reply. `umd_mgmt_framed_handler` speaks the framed protocol ([`frame`])
//! and answers the operations of [`ops`]. Echo servers for benchmarks and
//! handlers that misbehave on purpose are a test fixture of their own
//! (`kunit/hostile/`).

#![cfg_attr(not(test), no_std)]

pub mod frame;
pub mod ops;

/// Size of a request: one native-endian `u32`.
pub const REQUEST_LEN: usize = 4;
/// Size of every reply of the sample protocol: 128 KiB.
pub const REPLY_LEN: usize = 128 * 1024;

/// The two pipe ends the handler talks through.
pub trait Channel {
    /// Reads into `buf`; returns the byte count, 0 at end of input.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error>;
    /// Writes from `buf`; returns the byte count.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error>;
}

/// The handler's standard input and output, fds 0 and 1, the pipes from and
/// to the kernel: the channel of every handler binary. The system calls
/// are passed in (`umd_rt::read` and `umd_rt::write`), so that this crate
/// stays free of them and testable on the host.
pub struct Stdio {
    read: fn(usize, &mut [u8]) -> isize,
    write: fn(usize, &[u8]) -> isize,
}

impl Stdio {
    /// Stdin and stdout, through the system calls `read` and `write`, which
    /// return a byte count or a negative errno.
    pub const fn new(
        read: fn(usize, &mut [u8]) -> isize,
        write: fn(usize, &[u8]) -> isize,
    ) -> Self {
        Stdio { read, write }
    }
}

impl Channel for Stdio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        io_result((self.read)(0, buf))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        io_result((self.write)(1, buf))
    }
}

/// The result of a read or write system call that returned `ret`: a byte
/// count, or a negative errno.
pub fn io_result(ret: isize) -> Result<usize, Error> {
    match usize::try_from(ret) {
        Ok(n) => Ok(n),
        // The kernel's errors are -4095..=-1: the errno fits.
        Err(_) => Err(Error::Io(ret.unsigned_abs() as i32)),
    }
}

/// Why [`serve`] stopped other than by a clean end of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A read or write failed with this errno (positive, as in errno.h).
    Io(i32),
    /// The input ended inside a request.
    TruncatedRequest,
    /// The output pipe accepted no more bytes.
    WriteZero,
    /// Bytes of a second framed request came before the first was answered.
    Unframed,
}

/// Builds into `reply` the sample protocol's answer to `request`.
pub fn handle(request: &[u8; REQUEST_LEN], reply: &mut [u8; REPLY_LEN]) {
    reply.fill(0);
    let offset = u32::from_ne_bytes(*request) as usize;
    if let Some(byte) = reply.get_mut(offset) {
        *byte = 1;
    }
}

/// Turns `reply`, which holds the answer to the request whose offset was `set`
/// (`None`: an all-zero reply), into the answer to `request`, touching two
/// bytes instead of the whole reply. Returns the new `set`.
pub fn update(
    reply: &mut [u8; REPLY_LEN],
    set: Option<usize>,
    request: &[u8; REQUEST_LEN],
) -> Option<usize> {
    if let Some(byte) = set.and_then(|i| reply.get_mut(i)) {
        *byte = 0;
    }
    let offset = u32::from_ne_bytes(*request) as usize;
    let byte = reply.get_mut(offset)?;
    *byte = 1;
    Some(offset)
}

/// Fills `buf` completely. Returns `Ok(false)` when the input ended before the
/// first byte, which is the kernel closing the pipe.
pub fn read_exact<C: Channel>(chan: &mut C, buf: &mut [u8]) -> Result<bool, Error> {
    let mut done = 0;
    while done < buf.len() {
        match chan.read(&mut buf[done..])? {
            0 if done == 0 => return Ok(false),
            0 => return Err(Error::TruncatedRequest),
            n => done += n,
        }
    }
    Ok(true)
}

/// Writes all of `buf`, in as many writes as the channel needs.
pub fn write_all<C: Channel>(chan: &mut C, mut buf: &[u8]) -> Result<(), Error> {
    while !buf.is_empty() {
        match chan.write(buf)? {
            0 => return Err(Error::WriteZero),
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

/// Answers the seed protocol's requests until the input pipe closes; `reply`
/// is the room for a reply and must be all zero: the replies are built from
/// it with [`update`], so that its 128 KiB are zeroed once, by the caller.
pub fn serve<C: Channel>(chan: &mut C, reply: &mut [u8; REPLY_LEN]) -> Result<(), Error> {
    let mut request = [0u8; REQUEST_LEN];
    // The sample replies differ from each other in two bytes at most.
    let mut set = None;

    while read_exact(chan, &mut request)? {
        set = update(reply, set, &request);
        write_all(chan, reply)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn fake_read(fd: usize, buf: &mut [u8]) -> isize {
        assert_eq!(fd, 0, "reads from stdin");
        match buf.len() {
            0 => -11,
            n => {
                buf[0] = b'r';
                n.min(1) as isize
            }
        }
    }

    fn fake_write(fd: usize, buf: &[u8]) -> isize {
        assert_eq!(fd, 1, "writes to stdout");
        if buf.is_empty() {
            -32
        } else {
            buf.len() as isize
        }
    }

    #[test]
    fn stdio_reads_stdin_writes_stdout_and_turns_errnos_into_errors() {
        let mut io = Stdio::new(fake_read, fake_write);
        let mut buf = [0u8; 4];
        assert_eq!(io.read(&mut buf), Ok(1));
        assert_eq!(buf[0], b'r');
        assert_eq!(io.read(&mut []), Err(Error::Io(11)));
        assert_eq!(io.write(b"abc"), Ok(3));
        assert_eq!(io.write(&[]), Err(Error::Io(32)));
    }

    /// An in-memory channel that hands out at most `chunk` bytes per call,
    /// as a pipe may.
    pub(crate) struct Pipe {
        input: Vec<u8>,
        pos: usize,
        pub(crate) output: Vec<u8>,
        chunk: usize,
        read_error: Option<Error>,
        write_result: Option<Result<usize, Error>>,
    }

    impl Pipe {
        pub(crate) fn new(input: Vec<u8>, chunk: usize) -> Self {
            Pipe {
                input,
                pos: 0,
                output: Vec::new(),
                chunk,
                read_error: None,
                write_result: None,
            }
        }
    }

    impl Channel for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
            if let Some(e) = self.read_error {
                return Err(e);
            }
            let n = buf.len().min(self.chunk).min(self.input.len() - self.pos);
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }

        fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
            if let Some(r) = self.write_result {
                return r;
            }
            let n = buf.len().min(self.chunk);
            self.output.extend_from_slice(&buf[..n]);
            Ok(n)
        }
    }

    fn requests(offsets: &[u32]) -> Vec<u8> {
        offsets.iter().flat_map(|o| o.to_ne_bytes()).collect()
    }

    fn reply_buf() -> Box<[u8; REPLY_LEN]> {
        vec![0u8; REPLY_LEN].into_boxed_slice().try_into().unwrap()
    }

    fn run(offsets: &[u32], chunk: usize) -> (Result<(), Error>, Pipe) {
        let mut pipe = Pipe::new(requests(offsets), chunk);
        let result = serve(&mut pipe, &mut reply_buf());
        (result, pipe)
    }

    fn is_reply_to(reply: &[u8], offset: u32) -> bool {
        reply
            .iter()
            .enumerate()
            .all(|(i, &b)| b == u8::from(i == offset as usize))
    }

    #[test]
    fn sets_only_the_requested_byte() {
        let mut reply = reply_buf();
        for offset in [0u32, 1, 4096, 131071] {
            handle(&offset.to_ne_bytes(), &mut reply);
            assert!(is_reply_to(&reply[..], offset), "offset {offset}");
        }
    }

    #[test]
    fn update_gives_what_handle_gives() {
        let (mut incremental, mut full) = (reply_buf(), reply_buf());
        let mut set = None;
        for offset in [5u32, 5, 131071, 200000, 0, u32::MAX, 7] {
            set = update(&mut incremental, set, &offset.to_ne_bytes());
            handle(&offset.to_ne_bytes(), &mut full);
            assert_eq!(incremental[..], full[..], "offset {offset}");
        }
    }

    #[test]
    fn out_of_range_offset_gives_all_zero() {
        let mut reply = reply_buf();
        handle(&0u32.to_ne_bytes(), &mut reply);
        for offset in [131072u32, 200000, u32::MAX] {
            handle(&offset.to_ne_bytes(), &mut reply);
            assert!(reply.iter().all(|&b| b == 0), "offset {offset}");
        }
    }

    #[test]
    fn serves_each_request_in_order_across_short_io() {
        for chunk in [1, 3, 4096, usize::MAX] {
            let (result, pipe) = run(&[7, 131071, 131072], chunk);
            assert_eq!(result, Ok(()));
            assert_eq!(pipe.output.len(), 3 * REPLY_LEN);
            let replies: Vec<&[u8]> = pipe.output.chunks(REPLY_LEN).collect();
            assert!(is_reply_to(replies[0], 7));
            assert!(is_reply_to(replies[1], 131071));
            assert!(replies[2].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn closed_input_ends_cleanly() {
        let (result, pipe) = run(&[], 4);
        assert_eq!(result, Ok(()));
        assert!(pipe.output.is_empty());
    }

    #[test]
    fn input_ending_inside_a_request_is_an_error() {
        let mut input = requests(&[5]);
        input.extend_from_slice(&[1, 2]);
        let mut pipe = Pipe::new(input, 1);
        let result = serve(&mut pipe, &mut reply_buf());
        assert_eq!(result, Err(Error::TruncatedRequest));
        assert_eq!(pipe.output.len(), REPLY_LEN);
    }

    #[test]
    fn write_errors_stop_the_handler() {
        let mut pipe = Pipe::new(requests(&[0]), 4);
        pipe.write_result = Some(Err(Error::Io(32)));
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Err(Error::Io(32)));
        pipe.pos = 0;
        pipe.write_result = Some(Ok(0));
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Err(Error::WriteZero));
    }

    #[test]
    fn read_errors_stop_the_handler() {
        let mut pipe = Pipe::new(requests(&[0]), 4);
        pipe.read_error = Some(Error::Io(5));
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Err(Error::Io(5)));
        assert!(pipe.output.is_empty());
    }

    #[test]
    fn negative_system_call_results_are_errnos() {
        assert_eq!(io_result(0), Ok(0));
        assert_eq!(io_result(4096), Ok(4096));
        assert_eq!(io_result(-1), Err(Error::Io(1)));
        assert_eq!(io_result(-4095), Err(Error::Io(4095)));
    }
}
