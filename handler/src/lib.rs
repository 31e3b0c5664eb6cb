// SPDX-License-Identifier: GPL-2.0-only
//! Request handling of the sample UMD Handler, kept free of system calls so
//! that it can be unit-tested on the host.
//!
//! The protocol is the one of the seed's `sample_umd`: the kernel writes a
//! request of [`REQUEST_LEN`] bytes, a native-endian `u32` offset, and reads a
//! reply of exactly [`REPLY_LEN`] bytes, all zero except the byte at that
//! offset, which is 1 when the offset is inside the reply.

#![cfg_attr(not(test), no_std)]

/// Size of a request: one native-endian `u32`.
pub const REQUEST_LEN: usize = 4;
/// Size of every reply: 128 KiB.
pub const REPLY_LEN: usize = 128 * 1024;

/// The two pipe ends the handler talks through.
pub trait Channel {
    /// Reads into `buf`; returns the byte count, 0 at end of input, or a
    /// negative errno.
    fn read(&mut self, buf: &mut [u8]) -> isize;
    /// Writes from `buf`; returns the byte count or a negative errno.
    fn write(&mut self, buf: &[u8]) -> isize;
}

/// Why [`serve`] stopped other than by a clean end of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// A read or write failed with this errno.
    Io(isize),
    /// The input ended inside a request.
    TruncatedRequest,
    /// The output pipe accepted no more bytes.
    WriteZero,
}

/// Builds into `reply` the answer to `request`.
pub fn handle(request: &[u8; REQUEST_LEN], reply: &mut [u8; REPLY_LEN]) {
    reply.fill(0);
    let offset = u32::from_ne_bytes(*request) as usize;
    if let Some(byte) = reply.get_mut(offset) {
        *byte = 1;
    }
}

/// Fills `buf` completely. Returns `Ok(false)` when the input ended before the
/// first byte, which is the kernel closing the pipe.
fn read_exact<C: Channel>(chan: &mut C, buf: &mut [u8]) -> Result<bool, Error> {
    let mut done = 0;
    while done < buf.len() {
        match chan.read(&mut buf[done..]) {
            0 if done == 0 => return Ok(false),
            0 => return Err(Error::TruncatedRequest),
            n if n < 0 => return Err(Error::Io(n)),
            n => done += n as usize,
        }
    }
    Ok(true)
}

fn write_all<C: Channel>(chan: &mut C, mut buf: &[u8]) -> Result<(), Error> {
    while !buf.is_empty() {
        match chan.write(buf) {
            0 => return Err(Error::WriteZero),
            n if n < 0 => return Err(Error::Io(n)),
            n => buf = &buf[n as usize..],
        }
    }
    Ok(())
}

/// Answers requests until the input pipe closes.
pub fn serve<C: Channel>(chan: &mut C, reply: &mut [u8; REPLY_LEN]) -> Result<(), Error> {
    let mut request = [0u8; REQUEST_LEN];
    while read_exact(chan, &mut request)? {
        handle(&request, reply);
        write_all(chan, reply)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory channel that hands out at most `chunk` bytes per call,
    /// as a pipe may.
    struct Pipe {
        input: Vec<u8>,
        pos: usize,
        output: Vec<u8>,
        chunk: usize,
        write_result: Option<isize>,
    }

    impl Pipe {
        fn new(input: Vec<u8>, chunk: usize) -> Self {
            Pipe {
                input,
                pos: 0,
                output: Vec::new(),
                chunk,
                write_result: None,
            }
        }
    }

    impl Channel for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> isize {
            let n = buf.len().min(self.chunk).min(self.input.len() - self.pos);
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            n as isize
        }

        fn write(&mut self, buf: &[u8]) -> isize {
            if let Some(r) = self.write_result {
                return r;
            }
            let n = buf.len().min(self.chunk);
            self.output.extend_from_slice(&buf[..n]);
            n as isize
        }
    }

    fn requests(offsets: &[u32]) -> Vec<u8> {
        offsets.iter().flat_map(|o| o.to_ne_bytes()).collect()
    }

    fn reply_buf() -> Box<[u8; REPLY_LEN]> {
        vec![0u8; REPLY_LEN].into_boxed_slice().try_into().unwrap()
    }

    #[test]
    fn sets_only_the_requested_byte() {
        let mut reply = reply_buf();
        for offset in [0u32, 1, 4096, 131071] {
            handle(&offset.to_ne_bytes(), &mut reply);
            let ones: Vec<usize> = (0..REPLY_LEN).filter(|&i| reply[i] != 0).collect();
            assert_eq!(ones, vec![offset as usize]);
            assert_eq!(reply[offset as usize], 1);
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
            let mut pipe = Pipe::new(requests(&[7, 131071, 131072]), chunk);
            assert_eq!(serve(&mut pipe, &mut reply_buf()), Ok(()));
            assert_eq!(pipe.output.len(), 3 * REPLY_LEN);
            let replies: Vec<&[u8]> = pipe.output.chunks(REPLY_LEN).collect();
            assert_eq!(replies[0][7], 1);
            assert_eq!(replies[0].iter().filter(|&&b| b != 0).count(), 1);
            assert_eq!(replies[1][131071], 1);
            assert_eq!(replies[1].iter().filter(|&&b| b != 0).count(), 1);
            assert!(replies[2].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn closed_input_ends_cleanly() {
        let mut pipe = Pipe::new(Vec::new(), 4);
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Ok(()));
        assert!(pipe.output.is_empty());
    }

    #[test]
    fn input_ending_inside_a_request_is_an_error() {
        let mut input = requests(&[5]);
        input.extend_from_slice(&[1, 2]);
        let mut pipe = Pipe::new(input, 1);
        assert_eq!(
            serve(&mut pipe, &mut reply_buf()),
            Err(Error::TruncatedRequest)
        );
        assert_eq!(pipe.output.len(), REPLY_LEN);
    }

    #[test]
    fn write_errors_stop_the_handler() {
        let mut pipe = Pipe::new(requests(&[0]), 4);
        pipe.write_result = Some(-32);
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Err(Error::Io(-32)));
        pipe.pos = 0;
        pipe.write_result = Some(0);
        assert_eq!(serve(&mut pipe, &mut reply_buf()), Err(Error::WriteZero));
    }
}
