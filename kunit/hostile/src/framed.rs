// SPDX-License-Identifier: GPL-2.0-only
//! The framed modes of the fixture: `framed` answers each framed request as
//! its op says, well or in one of the ways the protocol forbids; `fearly`
//! first writes a frame no request asked for, then does the same. The
//! payload of a request is the op's argument. Generic over the channel, so
//! that every behaviour is host-tested.

use umd_handler::frame::{read_request, status, write_header, Header, RequestError, HDR_LEN};
use umd_handler::{write_all, Channel, Error};

use crate::sized_byte;

/// Echoes the payload.
pub const OP_ECHO: u32 = 0;
/// Rejects the request with the `i32` status of its payload, whatever it is.
pub const OP_STATUS: u32 = 1;
/// Replies with `n` bytes of [`sized_byte`], `n` the payload's `u32`.
pub const OP_SIZED: u32 = 2;
/// Replies with a header whose `len` is the payload's `u32`, followed by
/// as many bytes as it has room for.
pub const OP_LEN: u32 = 3;
/// Echoes, with another id in the reply.
pub const OP_WRONG_ID: u32 = 4;
/// Echoes, with another op in the reply.
pub const OP_WRONG_OP: u32 = 5;
/// Echoes, with reserved field `k` of the reply set to 1, `k` the payload's
/// `u32`: 0 `max_reply`, 1 `flags`, 2 `reserved`.
pub const OP_RESERVED: u32 = 6;
/// Echoes the rest of the payload after a `u32` of milliseconds, in five
/// writes, three split inside the header and one inside the payload, with
/// a pause of that long between them.
pub const OP_SPLIT: u32 = 7;
/// Writes a header announcing the payload's length, then nothing, and
/// reads on until its input ends.
pub const OP_HEADER_THEN_SILENCE: u32 = 8;
/// Writes a header announcing the payload's length and half of the
/// payload, then exits.
pub const OP_SHORT_THEN_EXIT: u32 = 9;
/// Echoes twice, in one write: two frames for one request.
pub const OP_TWO_FRAMES: u32 = 10;
/// Writes half a header, then reads on until its input ends.
pub const OP_HALF_HEADER: u32 = 11;
/// Writes half a header, then exits.
pub const OP_HALF_HEADER_THEN_EXIT: u32 = 12;
/// Echoes the rest of the payload after a `u32` of milliseconds, and after
/// a pause of that long writes the same frame again, unasked.
pub const OP_LATE_FRAME: u32 = 13;

/// Answers as a seeded generator says: a payload of an `u64` seed and an
/// `u32` request index picks one of the replies above, with fields biased to
/// the edges, split at random points with short pauses, or cut short by an
/// exit. The payload of every reply is [`fuzz_byte`]s, so that a reply the
/// kernel accepts can be checked without the generator.
pub const OP_FUZZ: u32 = 14;

/// Byte `i` of the payload of a fuzz reply to request `index`.
pub fn fuzz_byte(index: u32, i: usize) -> u8 {
    (i as u8) ^ (index as u8) ^ 0x3c
}

/// splitmix64: small, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`, or 0 if `n` is 0.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// A length up to `room`, mostly at its edges.
    fn len(&mut self, room: usize) -> usize {
        match self.below(6) {
            0 => 0,
            1 => room.min(1),
            2 => room.saturating_sub(1),
            3 => room,
            _ => self.below(room as u64 + 1) as usize,
        }
    }
}

/// Statuses no reply may carry: the kernel's own codes, and others.
const BAD_STATUSES: [i32; 12] = [
    -512,
    -513,
    -514,
    -515,
    -516,
    -517,
    -518,
    -519,
    -529,
    -5,
    1,
    i32::MIN,
];

/// How a fuzz reply goes out.
enum Send {
    /// All of the frame, then more bytes after it.
    Extra,
    /// The first `n` bytes, then the process exits.
    ExitAfter(usize),
    /// The first `n` bytes, then nothing until the input ends.
    SilentAfter(usize),
    /// All of it, in pieces.
    Whole,
}

/// Builds in `frame` the fuzz reply to `req` (see [`OP_FUZZ`]) and sends it;
/// `None` if the next request is to be read.
fn fuzz<H: Host>(
    host: &mut H,
    req: &Header,
    arg: &[u8],
    frame: &mut [u8],
) -> Result<Option<End>, Error> {
    let seed = arg
        .get(..8)
        .map_or(0, |b| u64::from_ne_bytes(b.try_into().unwrap()));
    let index = u32_at(arg, 8);
    let mut rng = Rng(seed ^ u64::from(index).wrapping_mul(0xd1b5_4a32_d192_ed03));
    let room = (frame.len() - HDR_LEN).min(req.max_reply as usize);
    let mut len = rng.len(room);
    let mut hdr = req.reply(len as u32);
    let mut send = Send::Whole;

    // Each reply that stops the handler costs the caller a restart, which
    // dominates the run on UML and the debug kernel: 8 in 512 do.
    match rng.below(512) {
        // A well-formed reply, 496 times in 512.
        0..=495 => {}
        // A rejection, 8 in 512.
        496..=503 => {
            let i = 1 + rng.below(status::ALL.len() as u64 - 1) as usize;
            hdr = req.rejection(status::ALL[i]);
            len = 0;
        }
        // A header field out of bounds, 4 in 512.
        504..=507 => match rng.below(8) {
            0 => hdr.id = [hdr.id ^ 1, 0, u64::MAX, rng.next()][rng.below(4) as usize],
            1 => {
                hdr.op = hdr
                    .op
                    .wrapping_add(1 + rng.below(u64::from(u32::MAX)) as u32)
            }
            2 => {
                hdr.len = [room as u32 + 1, u32::MAX, rng.next() as u32 | 0x8000_0000]
                    [rng.below(3) as usize];
                len = len.max(1);
            }
            3 => hdr.status = BAD_STATUSES[rng.below(BAD_STATUSES.len() as u64) as usize],
            4 => hdr.max_reply = 1 + rng.below(u64::from(u32::MAX)) as u32,
            5 => hdr.flags = 1 << rng.below(32),
            6 => hdr.reserved = 1 << rng.below(32),
            // A status in the set, but with a payload.
            _ => {
                hdr.status = status::EINVAL;
                len = len.max(1);
            }
        },
        508 => send = Send::Extra,
        // A cut, 3 in 512: an exit, or silence, which costs the caller its
        // deadline, one in 32 of those.
        _ if rng.below(32) == 0 => {
            send = Send::SilentAfter(rng.below((HDR_LEN + len) as u64) as usize)
        }
        _ => send = Send::ExitAfter(rng.below((HDR_LEN + len) as u64) as usize),
    }

    frame[..HDR_LEN].copy_from_slice(&hdr.to_bytes());
    for (i, b) in frame[HDR_LEN..HDR_LEN + len].iter_mut().enumerate() {
        *b = fuzz_byte(index, i);
    }
    let mut end = HDR_LEN + len;
    let cut = match send {
        Send::ExitAfter(n) | Send::SilentAfter(n) => n,
        Send::Extra => {
            let extra = 1 + rng.below(HDR_LEN as u64) as usize;
            if end + extra <= frame.len() {
                frame[end..end + extra].fill(0x5a);
                end += extra;
            }
            end
        }
        Send::Whole => end,
    };

    // Up to three cuts, each followed by a pause of up to 2 ms, one reply
    // in 32.
    let mut pos = 0;
    if rng.below(32) == 0 {
        for _ in 0..1 + rng.below(3) {
            let next = pos + rng.below((cut - pos) as u64 + 1) as usize;
            write_all(host, &frame[pos..next])?;
            host.sleep_ms(rng.below(3) as u32);
            pos = next;
        }
    }
    write_all(host, &frame[pos..cut])?;
    match send {
        Send::ExitAfter(_) => Ok(Some(End::Exit)),
        Send::SilentAfter(_) => read_to_end(host, frame).map(Some),
        _ => Ok(None),
    }
}

/// What the fixture needs of its process besides the channel.
pub trait Host: Channel {
    /// Sleeps for `ms` milliseconds.
    fn sleep_ms(&mut self, ms: u32);
}

/// How [`serve`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The input ended between requests.
    Closed,
    /// The op says the process exits now.
    Exit,
}

fn u32_at(p: &[u8], i: usize) -> u32 {
    p.get(i..i + 4)
        .map_or(0, |b| u32::from_ne_bytes(b.try_into().unwrap()))
}

/// Reads and drops input until it ends.
fn read_to_end<H: Host>(host: &mut H, sink: &mut [u8]) -> Result<End, Error> {
    while host.read(sink)? != 0 {}
    Ok(End::Closed)
}

/// Serves framed requests as their ops say. `buf` holds a request's frame,
/// `frame` a reply's, each of any size from [`HDR_LEN`] up; `early`: write a frame first, before
/// any request.
pub fn serve<H: Host>(
    host: &mut H,
    buf: &mut [u8],
    frame: &mut [u8],
    early: bool,
) -> Result<End, Error> {
    if early {
        write_header(
            host,
            &Header {
                id: 1,
                ..Header::default()
            },
        )?;
    }
    loop {
        let req = match read_request(host, buf) {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(End::Closed),
            Err(RequestError::Io(e)) => return Err(e),
            // The kernel never sends these.
            Err(_) => return Err(Error::TruncatedRequest),
        };
        let payload = &buf[HDR_LEN..HDR_LEN + req.len as usize];
        if req.op == OP_FUZZ {
            match fuzz(host, &req, payload, frame)? {
                None => continue,
                Some(end) => return Ok(end),
            }
        }
        let arg = u32_at(payload, 0);
        let (body, reply_len) = match req.op {
            OP_SIZED => {
                let n = (arg as usize).min(frame.len() - HDR_LEN);
                for (i, b) in frame[HDR_LEN..HDR_LEN + n].iter_mut().enumerate() {
                    *b = sized_byte(i);
                }
                (None, n)
            }
            OP_SPLIT | OP_LATE_FRAME => (Some(&payload[payload.len().min(4)..]), 0),
            _ => (Some(payload), 0),
        };
        let len = match body {
            Some(body) => {
                frame[HDR_LEN..HDR_LEN + body.len()].copy_from_slice(body);
                body.len()
            }
            None => reply_len,
        };
        let mut hdr = req.reply(len as u32);
        match req.op {
            OP_STATUS => {
                hdr = req.rejection(arg as i32);
                write_header(host, &hdr)?;
                continue;
            }
            OP_LEN => {
                hdr.len = arg;
                let n = (arg as usize).min(frame.len() - HDR_LEN);
                frame[..HDR_LEN].copy_from_slice(&hdr.to_bytes());
                write_all(host, &frame[..HDR_LEN + n])?;
                continue;
            }
            OP_WRONG_ID => hdr.id ^= 1,
            OP_WRONG_OP => hdr.op = hdr.op.wrapping_add(1),
            OP_RESERVED => match arg {
                0 => hdr.max_reply = 1,
                1 => hdr.flags = 1,
                _ => hdr.reserved = 1,
            },
            _ => {}
        }
        frame[..HDR_LEN].copy_from_slice(&hdr.to_bytes());
        let whole = &frame[..HDR_LEN + len];
        match req.op {
            OP_SPLIT => {
                let half = HDR_LEN + len / 2;
                let pieces = [
                    &whole[..1],
                    &whole[1..9],
                    &whole[9..20],
                    &whole[20..half],
                    &whole[half..],
                ];
                for (i, piece) in pieces.into_iter().enumerate() {
                    if i > 0 {
                        host.sleep_ms(arg);
                    }
                    write_all(host, piece)?;
                }
            }
            OP_HEADER_THEN_SILENCE => {
                write_all(host, &whole[..HDR_LEN])?;
                return read_to_end(host, buf);
            }
            OP_SHORT_THEN_EXIT => {
                write_all(host, &whole[..HDR_LEN + len / 2])?;
                return Ok(End::Exit);
            }
            OP_HALF_HEADER => {
                write_all(host, &whole[..HDR_LEN / 2])?;
                return read_to_end(host, buf);
            }
            OP_HALF_HEADER_THEN_EXIT => {
                write_all(host, &whole[..HDR_LEN / 2])?;
                return Ok(End::Exit);
            }
            OP_TWO_FRAMES => {
                // One write, so that the kernel finds both at once.
                let n = whole.len();
                frame.copy_within(..n, n);
                write_all(host, &frame[..2 * n])?;
            }
            OP_LATE_FRAME => {
                write_all(host, whole)?;
                host.sleep_ms(arg);
                write_all(host, whole)?;
            }
            _ => write_all(host, whole)?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pipe {
        input: Vec<u8>,
        pos: usize,
        writes: Vec<Vec<u8>>,
        sleeps: Vec<u32>,
    }

    impl Channel for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
            let n = buf.len().min(self.input.len() - self.pos);
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }

        fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }
    }

    impl Host for Pipe {
        fn sleep_ms(&mut self, ms: u32) {
            self.sleeps.push(ms);
        }
    }

    fn request(id: u64, op: u32, payload: &[u8]) -> Vec<u8> {
        let hdr = Header {
            id,
            op,
            len: payload.len() as u32,
            max_reply: 4096,
            ..Header::default()
        };
        let mut v = hdr.to_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    fn run(op: u32, payload: &[u8], early: bool) -> (Result<End, Error>, Pipe) {
        let mut pipe = Pipe {
            input: request(5, op, payload),
            pos: 0,
            writes: Vec::new(),
            sleeps: Vec::new(),
        };
        let (mut buf, mut frame) = (vec![0u8; HDR_LEN + 4096], vec![0u8; HDR_LEN + 4096]);
        let r = serve(&mut pipe, &mut buf, &mut frame, early);
        (r, pipe)
    }

    fn header(b: &[u8]) -> Header {
        Header::from_bytes(b[..HDR_LEN].try_into().unwrap())
    }

    fn arg(n: u32, rest: &[u8]) -> Vec<u8> {
        let mut v = n.to_ne_bytes().to_vec();
        v.extend_from_slice(rest);
        v
    }

    #[test]
    fn echo_sized_and_status_are_well_formed() {
        let (r, p) = run(OP_ECHO, b"abc", false);
        assert_eq!((r, p.writes.len()), (Ok(End::Closed), 1));
        assert_eq!(
            (header(&p.writes[0]), &p.writes[0][HDR_LEN..]),
            (
                Header {
                    id: 5,
                    len: 3,
                    ..Header::default()
                },
                &b"abc"[..]
            )
        );

        let (_, p) = run(OP_SIZED, &7u32.to_ne_bytes(), false);
        let want: Vec<u8> = (0..7).map(sized_byte).collect();
        assert_eq!(
            (header(&p.writes[0]).len, &p.writes[0][HDR_LEN..]),
            (7, &want[..])
        );

        for s in status::ALL.into_iter().chain([-512, -529, 1]) {
            let (_, p) = run(OP_STATUS, &s.to_ne_bytes(), false);
            assert_eq!(
                p.writes[0],
                Header {
                    id: 5,
                    op: OP_STATUS,
                    status: s,
                    ..Header::default()
                }
                .to_bytes()
            );
        }
    }

    #[test]
    fn bad_headers_are_what_their_op_says() {
        let (_, p) = run(OP_LEN, &u32::MAX.to_ne_bytes(), false);
        assert_eq!(header(&p.writes[0]).len, u32::MAX);
        let (_, p) = run(OP_WRONG_ID, b"x", false);
        assert_eq!(header(&p.writes[0]).id, 4);
        let (_, p) = run(OP_WRONG_OP, b"x", false);
        assert_eq!(header(&p.writes[0]).op, OP_WRONG_OP + 1);
        for (k, field) in [(0u32, 20), (1, 24), (2, 28)] {
            let (_, p) = run(OP_RESERVED, &k.to_ne_bytes(), false);
            assert_eq!(
                p.writes[0][field..field + 4],
                1u32.to_ne_bytes(),
                "field {k}"
            );
        }
    }

    #[test]
    fn split_writes_a_whole_frame_in_five_pieces_with_pauses() {
        let (r, p) = run(OP_SPLIT, &arg(100, b"hello"), false);
        assert_eq!(r, Ok(End::Closed));
        assert_eq!(
            p.writes.iter().map(Vec::len).collect::<Vec<_>>(),
            [1, 8, 11, 12 + 2, 3]
        );
        assert_eq!(p.sleeps, [100, 100, 100, 100]);
        let whole = p.writes.concat();
        assert_eq!((header(&whole).len, &whole[HDR_LEN..]), (5, &b"hello"[..]));
    }

    #[test]
    fn cut_frames_end_as_their_op_says() {
        let (r, p) = run(OP_HEADER_THEN_SILENCE, b"abcd", false);
        assert_eq!((r, p.writes.concat().len()), (Ok(End::Closed), HDR_LEN));
        let (r, p) = run(OP_SHORT_THEN_EXIT, b"abcd", false);
        assert_eq!((r, p.writes.concat().len()), (Ok(End::Exit), HDR_LEN + 2));
        let (r, p) = run(OP_HALF_HEADER, b"", false);
        assert_eq!((r, p.writes.concat().len()), (Ok(End::Closed), HDR_LEN / 2));
        let (r, p) = run(OP_HALF_HEADER_THEN_EXIT, b"", false);
        assert_eq!((r, p.writes.concat().len()), (Ok(End::Exit), HDR_LEN / 2));
    }

    #[test]
    fn extra_frames_come_as_their_op_says() {
        let (_, p) = run(OP_TWO_FRAMES, b"ab", false);
        let n = HDR_LEN + 2;
        assert_eq!((p.writes.len(), p.writes[0].len()), (1, 2 * n));
        assert_eq!(p.writes[0][..n], p.writes[0][n..]);
        let (_, p) = run(OP_LATE_FRAME, &arg(50, b"ab"), false);
        assert_eq!(
            (p.writes.len(), header(&p.writes[1]).len, &p.sleeps[..]),
            (2, 2, &[50][..])
        );
        let (_, p) = run(OP_ECHO, b"ab", true);
        assert_eq!(
            (
                p.writes.len(),
                header(&p.writes[0]).id,
                header(&p.writes[1]).id
            ),
            (2, 1, 5)
        );
    }

    #[test]
    fn fuzz_replies_are_seeded_and_accepted_ones_carry_the_pattern() {
        let (mut good, mut rejected, mut bad) = (0, 0, 0);
        for index in 0..4000u32 {
            let mut payload = 0x1234_5678_9abc_def0u64.to_ne_bytes().to_vec();
            payload.extend_from_slice(&index.to_ne_bytes());
            let (r1, p1) = run(OP_FUZZ, &payload, false);
            let (r2, p2) = run(OP_FUZZ, &payload, false);
            assert_eq!(
                (r1, p1.writes.concat()),
                (r2, p2.writes.concat()),
                "index {index}"
            );
            let out = p1.writes.concat();
            let well_formed = out.len() >= HDR_LEN && {
                let h = header(&out);
                h.id == 5
                    && h.op == OP_FUZZ
                    && h.max_reply == 0
                    && h.flags == 0
                    && h.reserved == 0
                    && status::ALL.contains(&h.status)
                    && (h.status == 0 || h.len == 0)
                    && h.len <= 4096
                    && out.len() == HDR_LEN + h.len as usize
            };
            if !well_formed {
                bad += 1;
            } else if header(&out).status != 0 {
                rejected += 1;
            } else {
                good += 1;
                for (i, &b) in out[HDR_LEN..].iter().enumerate() {
                    assert_eq!(b, fuzz_byte(index, i), "index {index}, byte {i}");
                }
            }
        }
        // 496 in 512 well-formed, 8 in 512 rejected, 8 in 512 bad.
        assert!((3800..3950).contains(&good), "{good} good");
        assert!((35..95).contains(&rejected), "{rejected} rejected");
        assert!((35..95).contains(&bad), "{bad} bad");
    }
}
