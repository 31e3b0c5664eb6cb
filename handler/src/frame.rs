// SPDX-License-Identifier: GPL-2.0-only
//! The handler's side of the framed protocol, whose reference is the kernel's
//! `include/uapi/linux/usermode_driver_mgmt.h`: every message is a
//! [`Header`] of [`HDR_LEN`] bytes, native-endian, followed by `len` bytes of
//! payload. The kernel writes one request and waits for exactly one reply.

use crate::{read_exact, write_all, Channel, Error};

/// Size of `struct umd_mgmt_msg_hdr`.
pub const HDR_LEN: usize = 32;

/// The statuses with which a handler may reject a request: negative errnos
/// of x86_64 Linux. Any other non-zero status is a protocol error.
pub mod status {
    /// The request is not valid for its operation.
    pub const EINVAL: i32 = -22;
    /// The payload is malformed.
    pub const EBADMSG: i32 = -74;
    /// What the request asks for does not exist.
    pub const ENOENT: i32 = -2;
    /// The handler does not know the operation.
    pub const EOPNOTSUPP: i32 = -95;
    /// The request, or the reply it needs, is too big.
    pub const E2BIG: i32 = -7;
    /// A value in the request is out of range.
    pub const ERANGE: i32 = -34;
    /// A key or signature was rejected.
    pub const EKEYREJECTED: i32 = -129;

    /// Every status a reply may carry, 0 included.
    pub const ALL: [i32; 8] = [
        0,
        EINVAL,
        EBADMSG,
        ENOENT,
        EOPNOTSUPP,
        E2BIG,
        ERANGE,
        EKEYREJECTED,
    ];
}

/// `struct umd_mgmt_msg_hdr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The request's id, which its reply carries.
    pub id: u64,
    /// The operation, which the reply carries.
    pub op: u32,
    /// Bytes of payload after the header.
    pub len: u32,
    /// 0 in requests; in replies 0 or one of [`status::ALL`].
    pub status: i32,
    /// In requests, the most payload the reply may have; 0 in replies.
    pub max_reply: u32,
    /// Reserved, 0.
    pub flags: u32,
    /// Reserved, 0.
    pub reserved: u32,
}

impl Header {
    /// The header as it goes on the wire.
    pub fn to_bytes(&self) -> [u8; HDR_LEN] {
        let mut b = [0u8; HDR_LEN];
        b[0..8].copy_from_slice(&self.id.to_ne_bytes());
        b[8..12].copy_from_slice(&self.op.to_ne_bytes());
        b[12..16].copy_from_slice(&self.len.to_ne_bytes());
        b[16..20].copy_from_slice(&self.status.to_ne_bytes());
        b[20..24].copy_from_slice(&self.max_reply.to_ne_bytes());
        b[24..28].copy_from_slice(&self.flags.to_ne_bytes());
        b[28..32].copy_from_slice(&self.reserved.to_ne_bytes());
        b
    }

    /// The header that `b` holds.
    pub fn from_bytes(b: &[u8; HDR_LEN]) -> Header {
        let u32_at = |i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[0..8]);
        Header {
            id: u64::from_ne_bytes(id),
            op: u32_at(8),
            len: u32_at(12),
            status: u32_at(16) as i32,
            max_reply: u32_at(20),
            flags: u32_at(24),
            reserved: u32_at(28),
        }
    }

    /// The header of a reply to this request with `len` bytes of payload.
    pub fn reply(&self, len: u32) -> Header {
        Header {
            id: self.id,
            op: self.op,
            len,
            ..Header::default()
        }
    }

    /// The header of a reply that rejects this request with `status`.
    pub fn rejection(&self, status: i32) -> Header {
        Header {
            status,
            ..self.reply(0)
        }
    }
}

/// Why a request could not be read, beyond the channel's own errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The channel failed, the input ended inside a request, or more than
    /// one request came ([`Error::Unframed`]).
    Io(Error),
    /// The payload is longer than the room for it; the header is given,
    /// and how many bytes of the payload came with it: the rest is unread.
    TooBig(Header, usize),
    /// A field that must be 0 in a request is not; as for `TooBig`.
    Malformed(Header, usize),
}

impl From<Error> for RequestError {
    fn from(e: Error) -> Self {
        RequestError::Io(e)
    }
}

/// Reads the next request into `buf`: its header, then its payload from
/// `buf[HDR_LEN..]`. Returns `Ok(None)` when the input ends between
/// requests. The first read asks for all of `buf`, so that a request a
/// pipe holds whole comes in one system call: the kernel writes the next
/// request only after the reply to this one, so any byte beyond the frame
/// is [`Error::Unframed`]. `buf` must hold [`HDR_LEN`] bytes at least.
pub fn read_request<C: Channel>(
    chan: &mut C,
    buf: &mut [u8],
) -> Result<Option<Header>, RequestError> {
    debug_assert!(buf.len() >= HDR_LEN, "no room for a header");
    let mut got = 0;
    while got < HDR_LEN {
        match chan.read(&mut buf[got..])? {
            0 if got == 0 => return Ok(None),
            0 => return Err(RequestError::Io(Error::TruncatedRequest)),
            n => got += n,
        }
    }
    let mut b = [0u8; HDR_LEN];
    b.copy_from_slice(&buf[..HDR_LEN]);
    let hdr = Header::from_bytes(&b);
    let end = HDR_LEN + hdr.len as usize;
    if got > end {
        return Err(RequestError::Io(Error::Unframed));
    }
    let came = got - HDR_LEN;
    if hdr.status != 0 || hdr.flags != 0 || hdr.reserved != 0 {
        return Err(RequestError::Malformed(hdr, came));
    }
    if end > buf.len() {
        return Err(RequestError::TooBig(hdr, came));
    }
    if !read_exact(chan, &mut buf[got..end])? && got < end {
        return Err(RequestError::Io(Error::TruncatedRequest));
    }
    Ok(Some(hdr))
}

/// Writes the reply whose header is `hdr` and whose payload is in `frame`
/// after [`HDR_LEN`] bytes of room for the header: `frame` must hold
/// `HDR_LEN + hdr.len` bytes at least. One write, so that the kernel wakes
/// once for a reply a pipe can hold.
pub fn write_reply<C: Channel>(chan: &mut C, hdr: &Header, frame: &mut [u8]) -> Result<(), Error> {
    let end = HDR_LEN + hdr.len as usize;
    frame[..HDR_LEN].copy_from_slice(&hdr.to_bytes());
    write_all(chan, &frame[..end])
}

/// Writes a reply of `hdr` alone: a rejection, or an empty reply.
pub fn write_header<C: Channel>(chan: &mut C, hdr: &Header) -> Result<(), Error> {
    write_all(chan, &hdr.to_bytes())
}

/// What an operation's handler returns: the length of its reply's payload,
/// or the status with which it rejects the request.
pub type OpResult = Result<usize, i32>;

/// Answers framed requests until the input ends. `buf` holds each request
/// and `frame` each reply, each after [`HDR_LEN`] bytes for its header.
/// `op` is given the request's header and payload, and the room for the
/// reply's payload, no more than the request's `max_reply`. A request too
/// big for `buf` is rejected with `E2BIG` and one with a reserved field set
/// with `EINVAL`, after its payload is read and dropped; a reply length
/// beyond the room is rejected with `ERANGE`.
pub fn serve<C: Channel>(
    chan: &mut C,
    buf: &mut [u8],
    frame: &mut [u8],
    mut op: impl FnMut(&Header, &[u8], &mut [u8]) -> OpResult,
) -> Result<(), Error> {
    loop {
        let hdr = match read_request(chan, buf) {
            Ok(Some(hdr)) => hdr,
            Ok(None) => return Ok(()),
            Err(RequestError::Io(e)) => return Err(e),
            Err(RequestError::TooBig(hdr, came)) => {
                drop_payload(chan, hdr.len as usize - came)?;
                write_header(chan, &hdr.rejection(status::E2BIG))?;
                continue;
            }
            Err(RequestError::Malformed(hdr, came)) => {
                drop_payload(chan, hdr.len as usize - came)?;
                write_header(chan, &hdr.rejection(status::EINVAL))?;
                continue;
            }
        };
        let room = (frame.len() - HDR_LEN).min(hdr.max_reply as usize);
        let (_, reply) = frame.split_at_mut(HDR_LEN);
        let request = &buf[HDR_LEN..HDR_LEN + hdr.len as usize];
        match op(&hdr, request, &mut reply[..room]) {
            Ok(len) if len <= room => write_reply(chan, &hdr.reply(len as u32), frame)?,
            Ok(_) => write_header(chan, &hdr.rejection(status::ERANGE))?,
            Err(s) => write_header(chan, &hdr.rejection(s))?,
        }
    }
}

/// Reads and drops `len` bytes of input.
fn drop_payload<C: Channel>(chan: &mut C, mut len: usize) -> Result<(), Error> {
    let mut sink = [0u8; 256];
    while len > 0 {
        let n = len.min(sink.len());
        if !read_exact(chan, &mut sink[..n])? {
            return Err(Error::TruncatedRequest);
        }
        len -= n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A channel whose input is cut into the pieces `cuts` says (a read
    /// never crosses a cut), and whose output is recorded.
    struct Pipe {
        input: Vec<u8>,
        pos: usize,
        cuts: Vec<usize>,
        output: Vec<u8>,
    }

    impl Pipe {
        fn new(input: Vec<u8>, cuts: Vec<usize>) -> Self {
            Pipe {
                input,
                pos: 0,
                cuts,
                output: Vec::new(),
            }
        }
    }

    impl Channel for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
            let end = self
                .cuts
                .iter()
                .copied()
                .find(|&c| c > self.pos)
                .unwrap_or(self.input.len())
                .min(self.input.len());
            let n = buf.len().min(end - self.pos);
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }

        fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
    }

    fn request(id: u64, op: u32, payload: &[u8], max_reply: u32) -> Vec<u8> {
        let hdr = Header {
            id,
            op,
            len: payload.len() as u32,
            max_reply,
            ..Header::default()
        };
        let mut v = hdr.to_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    /// The frames in `out`: each header with its payload.
    fn frames(mut out: &[u8]) -> Vec<(Header, Vec<u8>)> {
        let mut v = Vec::new();
        while !out.is_empty() {
            let hdr = Header::from_bytes(out[..HDR_LEN].try_into().unwrap());
            let end = HDR_LEN + hdr.len as usize;
            v.push((hdr, out[HDR_LEN..end].to_vec()));
            out = &out[end..];
        }
        v
    }

    /// Echoes, but op 1 rejects with the status in the payload.
    fn echo(hdr: &Header, req: &[u8], reply: &mut [u8]) -> OpResult {
        if hdr.op == 1 {
            return Err(i32::from_ne_bytes(req.try_into().unwrap()));
        }
        if req.len() > reply.len() {
            return Err(status::E2BIG);
        }
        reply[..req.len()].copy_from_slice(req);
        Ok(req.len())
    }

    /// Where the frames of `input` end, a header with its length at a time:
    /// the kernel writes a request only once the last one is answered.
    fn frame_ends(input: &[u8]) -> Vec<usize> {
        let (mut ends, mut at) = (Vec::new(), 0);
        while input.len() >= at + HDR_LEN {
            at += HDR_LEN
                + Header::from_bytes(input[at..at + HDR_LEN].try_into().unwrap()).len as usize;
            ends.push(at);
        }
        ends
    }

    /// Serves `input`, read in pieces that end at `cuts` and at each frame's
    /// end, with room for `payload_room` bytes of request payload.
    fn run(input: Vec<u8>, mut cuts: Vec<usize>, payload_room: usize) -> (Result<(), Error>, Pipe) {
        cuts.extend(frame_ends(&input));
        cuts.sort_unstable();
        let mut pipe = Pipe::new(input, cuts);
        let mut buf = vec![0u8; HDR_LEN + payload_room];
        let mut frame = vec![0u8; HDR_LEN + 4096];
        let r = serve(&mut pipe, &mut buf, &mut frame, echo);
        (r, pipe)
    }

    #[test]
    fn the_header_is_the_uapi_layout() {
        let hdr = Header {
            id: 0x0102_0304_0506_0708,
            op: 9,
            len: 10,
            status: -11,
            max_reply: 12,
            flags: 13,
            reserved: 14,
        };
        let b = hdr.to_bytes();
        assert_eq!(b[0..8], 0x0102_0304_0506_0708u64.to_ne_bytes());
        assert_eq!(b[8..12], 9u32.to_ne_bytes());
        assert_eq!(b[12..16], 10u32.to_ne_bytes());
        assert_eq!(b[16..20], (-11i32).to_ne_bytes());
        assert_eq!(b[20..24], 12u32.to_ne_bytes());
        assert_eq!(b[24..28], 13u32.to_ne_bytes());
        assert_eq!(b[28..32], 14u32.to_ne_bytes());
        assert_eq!(Header::from_bytes(&b), hdr);
    }

    #[test]
    fn a_request_split_at_every_byte_boundary_is_read_whole() {
        let mut input = request(7, 0, b"hello, frames", 100);
        input.extend(request(8, 0, b"", 100));
        for cut in 0..=input.len() {
            for second in [cut + 1, cut + 5, input.len()] {
                let (r, pipe) = run(input.clone(), vec![cut, second], 64);
                assert_eq!(r, Ok(()), "cut at {cut}, {second}");
                let f = frames(&pipe.output);
                assert_eq!(f.len(), 2, "cut at {cut}, {second}");
                assert_eq!(
                    (f[0].0.id, f[0].0.op, &f[0].1[..]),
                    (7, 0, &b"hello, frames"[..])
                );
                assert_eq!((f[1].0.id, f[1].0.len), (8, 0));
            }
        }
    }

    #[test]
    fn replies_carry_the_id_and_op_of_their_request_and_nothing_else() {
        let mut input = Vec::new();
        for (id, op) in [(1u64, 0u32), (u64::MAX, 0), (3, 0xffff_fff0), (4, 1)] {
            let payload = if op == 1 {
                0i32.to_ne_bytes()
            } else {
                [op as u8; 4]
            };
            input.extend(request(id, op, &payload, 4));
        }
        let (r, pipe) = run(input, vec![], 64);
        assert_eq!(r, Ok(()));
        let ids: Vec<(u64, u32)> = frames(&pipe.output)
            .iter()
            .map(|f| (f.0.id, f.0.op))
            .collect();
        assert_eq!(ids, [(1, 0), (u64::MAX, 0), (3, 0xffff_fff0), (4, 1)]);
        for (hdr, _) in frames(&pipe.output) {
            assert_eq!((hdr.max_reply, hdr.flags, hdr.reserved), (0, 0, 0));
        }
    }

    #[test]
    fn every_status_round_trips_with_no_payload() {
        let mut input = Vec::new();
        for (i, s) in status::ALL.iter().enumerate() {
            input.extend(request(i as u64 + 1, 1, &s.to_ne_bytes(), 64));
        }
        let (r, pipe) = run(input, vec![], 64);
        assert_eq!(r, Ok(()));
        let got: Vec<(i32, u32)> = frames(&pipe.output)
            .iter()
            .map(|f| (f.0.status, f.0.len))
            .collect();
        let want: Vec<(i32, u32)> = status::ALL.iter().map(|&s| (s, 0)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn an_oversize_request_is_rejected_and_the_next_one_served() {
        let mut input = request(1, 0, &[5u8; 100], 200);
        input.extend(request(2, 0, b"ok", 200));
        let (r, pipe) = run(input, vec![3, 40], 64);
        assert_eq!(r, Ok(()));
        let f = frames(&pipe.output);
        assert_eq!(
            (f[0].0.id, f[0].0.status, f[0].0.len),
            (1, status::E2BIG, 0)
        );
        assert_eq!((f[1].0.id, &f[1].1[..]), (2, &b"ok"[..]));
    }

    #[test]
    fn a_reply_above_max_reply_is_rejected() {
        let (r, pipe) = run(request(1, 0, b"four", 3), vec![], 64);
        assert_eq!(r, Ok(()));
        assert_eq!(frames(&pipe.output)[0].0.status, status::E2BIG);
    }

    #[test]
    fn a_request_with_reserved_bits_is_rejected() {
        let mut input = request(1, 0, b"ab", 8);
        input[28] = 1;
        input.extend(request(2, 0, b"cd", 8));
        let (r, pipe) = run(input, vec![], 64);
        assert_eq!(r, Ok(()));
        let f = frames(&pipe.output);
        assert_eq!(
            (f[0].0.status, f[1].0.status, &f[1].1[..]),
            (status::EINVAL, 0, &b"cd"[..])
        );
    }

    #[test]
    fn a_request_in_one_piece_is_read_in_one_read() {
        let input = request(1, 0, b"one read", 8);
        let mut pipe = Pipe::new(input.clone(), vec![]);
        let mut buf = [0u8; HDR_LEN + 64];
        let hdr = read_request(&mut pipe, &mut buf).unwrap().unwrap();
        assert_eq!(pipe.pos, input.len());
        assert_eq!(&buf[HDR_LEN..HDR_LEN + hdr.len as usize], b"one read");
    }

    #[test]
    fn bytes_beyond_the_frame_stop_the_handler() {
        let mut input = request(1, 0, b"ab", 8);
        input.extend(request(2, 0, b"cd", 8));
        let mut pipe = Pipe::new(input, vec![]);
        let r = serve(
            &mut pipe,
            &mut [0u8; HDR_LEN + 64],
            &mut [0u8; HDR_LEN + 64],
            echo,
        );
        assert_eq!(r, Err(Error::Unframed));
        assert!(pipe.output.is_empty());
    }

    #[test]
    fn input_ending_inside_a_frame_is_an_error() {
        let full = request(1, 0, b"abcdef", 8);
        for end in 1..full.len() {
            let (r, pipe) = run(full[..end].to_vec(), vec![], 64);
            assert_eq!(r, Err(Error::TruncatedRequest), "end {end}");
            assert!(pipe.output.is_empty());
        }
    }
}
