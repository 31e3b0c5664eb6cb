// SPDX-License-Identifier: GPL-2.0-only
//! The operations of the framed sample handler, whose kernel side is the
//! Rust sample (`samples/rust/rust_umd_mgmt.rs`). Every request is checked
//! before it is answered, and rejected with a status of [`status`] when it
//! is not what its operation takes: the handler keeps serving.

use crate::frame::{status, Header, OpResult};

/// The most payload of a request or a reply: the room the handler has.
pub const MAX_MSG_LEN: usize = 64 * 1024;

/// Replies with `len` bytes, all zero but the one at `offset`, which is 1:
/// the seed's operation with a reply of any length. The request is
/// [`MARK_REQUEST_LEN`] bytes, `offset` then `len`, native-endian `u32`s.
/// `EBADMSG` if the request has another size, `E2BIG` if `len` is above the
/// room for the reply, `ERANGE` if `offset` is not below `len`.
pub const OP_MARK: u32 = 1;
/// Size of an [`OP_MARK`] request.
pub const MARK_REQUEST_LEN: usize = 8;
/// Replies with the request's bytes in reverse order; any length, 0
/// included. `E2BIG` if the reply would not fit its room.
pub const OP_REVERSE: u32 = 2;

/// Answers the request with header `hdr` and payload `request`, into
/// `reply`, the room for the reply's payload. An unknown operation is
/// `EOPNOTSUPP`.
pub fn answer(hdr: &Header, request: &[u8], reply: &mut [u8]) -> OpResult {
    match hdr.op {
        OP_MARK => mark(request, reply),
        OP_REVERSE => reverse(request, reply),
        _ => Err(status::EOPNOTSUPP),
    }
}

fn mark(request: &[u8], reply: &mut [u8]) -> OpResult {
    let Ok(request) = <[u8; MARK_REQUEST_LEN]>::try_from(request) else {
        return Err(status::EBADMSG);
    };
    let offset = u32::from_ne_bytes([request[0], request[1], request[2], request[3]]) as usize;
    let len = u32::from_ne_bytes([request[4], request[5], request[6], request[7]]) as usize;
    let reply = reply.get_mut(..len).ok_or(status::E2BIG)?;
    if offset >= len {
        return Err(status::ERANGE);
    }
    reply.fill(0);
    reply[offset] = 1;
    Ok(len)
}

fn reverse(request: &[u8], reply: &mut [u8]) -> OpResult {
    let reply = reply.get_mut(..request.len()).ok_or(status::E2BIG)?;
    for (to, from) in reply.iter_mut().zip(request.iter().rev()) {
        *to = *from;
    }
    Ok(request.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{self, HDR_LEN};
    use crate::tests::Pipe;

    fn hdr(op: u32) -> Header {
        Header {
            id: 1,
            op,
            ..Header::default()
        }
    }

    fn mark_request(offset: u32, len: u32) -> [u8; MARK_REQUEST_LEN] {
        let mut b = [0u8; MARK_REQUEST_LEN];
        b[..4].copy_from_slice(&offset.to_ne_bytes());
        b[4..].copy_from_slice(&len.to_ne_bytes());
        b
    }

    #[test]
    fn mark_gives_a_reply_of_the_length_asked_with_one_byte_set() {
        let mut reply = vec![0xa5u8; MAX_MSG_LEN + 1];
        for (offset, len) in [(0, 1), (999, 1000), (4095, 4097), (0, MAX_MSG_LEN)] {
            let got = answer(
                &hdr(OP_MARK),
                &mark_request(offset as u32, len as u32),
                &mut reply[..MAX_MSG_LEN],
            );
            assert_eq!(got, Ok(len));
            assert!(reply[..len]
                .iter()
                .enumerate()
                .all(|(i, &b)| b == u8::from(i == offset)));
            // Nothing past the reply is touched.
            assert_eq!(reply[MAX_MSG_LEN], 0xa5);
        }
    }

    #[test]
    fn mark_rejects_what_it_cannot_answer_and_leaves_the_reply() {
        let mut reply = [0xa5u8; 16];
        let cases: [(&[u8], i32); 5] = [
            (&[], status::EBADMSG),
            (&mark_request(0, 1)[..7], status::EBADMSG),
            (&[0u8; MARK_REQUEST_LEN + 1], status::EBADMSG),
            (&mark_request(0, 17), status::E2BIG),
            (&mark_request(16, 16), status::ERANGE),
        ];
        for (request, want) in cases {
            assert_eq!(answer(&hdr(OP_MARK), request, &mut reply), Err(want));
        }
        assert_eq!(
            answer(&hdr(OP_MARK), &mark_request(0, 0), &mut reply),
            Err(status::ERANGE)
        );
        assert!(reply.iter().all(|&b| b == 0xa5));
    }

    #[test]
    fn reverse_reverses_any_length_that_fits() {
        let mut reply = [0u8; 8];
        assert_eq!(answer(&hdr(OP_REVERSE), b"", &mut reply), Ok(0));
        assert_eq!(answer(&hdr(OP_REVERSE), b"umd-mgmt", &mut reply), Ok(8));
        assert_eq!(&reply, b"tmgm-dmu");
        assert_eq!(
            answer(&hdr(OP_REVERSE), b"123456789", &mut reply),
            Err(status::E2BIG)
        );
    }

    #[test]
    fn unknown_operations_are_not_supported() {
        for op in [0, 3, u32::MAX] {
            assert_eq!(answer(&hdr(op), b"", &mut []), Err(status::EOPNOTSUPP));
        }
    }

    #[test]
    fn served_in_frames_a_rejection_keeps_the_handler_serving() {
        let mut input = Vec::new();
        for (id, op, payload) in [
            (1u64, OP_MARK, &mark_request(5, 5)[..]),
            (2, OP_REVERSE, b"abc"),
            (3, 7, b""),
        ] {
            let request = Header {
                id,
                op,
                len: payload.len() as u32,
                max_reply: MAX_MSG_LEN as u32,
                ..Header::default()
            };
            input.extend_from_slice(&request.to_bytes());
            input.extend_from_slice(payload);
        }
        // One byte per read, as a pipe may.
        let mut pipe = Pipe::new(input, 1);
        let (mut request, mut reply) = (
            vec![0; HDR_LEN + MAX_MSG_LEN],
            vec![0; HDR_LEN + MAX_MSG_LEN],
        );
        assert_eq!(
            frame::serve(&mut pipe, &mut request, &mut reply, answer),
            Ok(())
        );

        let header =
            |at: usize| Header::from_bytes(pipe.output[at..at + HDR_LEN].try_into().unwrap());
        let first = header(0);
        assert_eq!((first.id, first.status, first.len), (1, status::ERANGE, 0));
        let second = header(HDR_LEN);
        assert_eq!(
            (second.id, second.op, second.status, second.len),
            (2, OP_REVERSE, 0, 3)
        );
        assert_eq!(&pipe.output[2 * HDR_LEN..2 * HDR_LEN + 3], b"cba");
        let third = header(2 * HDR_LEN + 3);
        assert_eq!((third.id, third.status), (3, status::EOPNOTSUPP));
        assert_eq!(pipe.output.len(), 3 * HDR_LEN + 3);
    }
}
