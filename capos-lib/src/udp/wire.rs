//! IPv4 and UDP headers: parsing a received packet, building one to send.
//!
//! The stack (smoltcp) hands the UDP demultiplexer whole IPv4 packets
//! whose IPv4 header it has already checked (version, header checksum,
//! addressed to this machine); this file checks everything UDP adds, and
//! trusts nothing about lengths: every field is compared with the bytes
//! actually there. Fragments are refused: the stack does not reassemble,
//! and a datagram never exceeds one frame (capos_abi::udp::MAX_PAYLOAD).

use alloc::vec::Vec;

use super::Endpoint;

pub const IPV4_HEADER: usize = 20;
pub const UDP_HEADER: usize = 8;
const PROTOCOL_UDP: u8 = 17;
/// Time to live of the packets this stack sends (Linux's default).
const TTL: u8 = 64;

/// Why a packet is not a UDP datagram this stack accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// Shorter than its headers say, or than a header.
    Truncated,
    /// Not IPv4, or an IPv4 header length below 20 bytes.
    BadIpHeader,
    /// Not protocol 17.
    NotUdp,
    /// A fragment (more-fragments set or a non-zero offset).
    Fragment,
    /// The UDP length is below 8 or past the IPv4 payload.
    BadUdpLength,
    /// The UDP checksum is set and wrong.
    BadChecksum,
}

/// A UDP datagram inside a received packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpPacket<'a> {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub payload: &'a [u8],
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an IPv4 packet carrying one whole UDP datagram.
pub fn parse(packet: &[u8]) -> Result<UdpPacket<'_>, WireError> {
    if packet.len() < IPV4_HEADER {
        return Err(WireError::Truncated);
    }
    if packet[0] >> 4 != 4 {
        return Err(WireError::BadIpHeader);
    }
    let header_len = (packet[0] & 0x0f) as usize * 4;
    if header_len < IPV4_HEADER {
        return Err(WireError::BadIpHeader);
    }
    let total_len = be16(packet, 2) as usize;
    if total_len < header_len || total_len > packet.len() {
        return Err(WireError::Truncated);
    }
    if packet[9] != PROTOCOL_UDP {
        return Err(WireError::NotUdp);
    }
    let flags_offset = be16(packet, 6);
    // More fragments (bit 13) or a fragment offset: part of a datagram.
    if flags_offset & 0x2000 != 0 || flags_offset & 0x1fff != 0 {
        return Err(WireError::Fragment);
    }
    let src_addr = be32(packet, 12);
    let dst_addr = be32(packet, 16);
    // Bytes past total_len are link padding, not part of the packet.
    let udp = &packet[header_len..total_len];
    if udp.len() < UDP_HEADER {
        return Err(WireError::Truncated);
    }
    let udp_len = be16(udp, 4) as usize;
    if udp_len < UDP_HEADER || udp_len > udp.len() {
        return Err(WireError::BadUdpLength);
    }
    let udp = &udp[..udp_len];
    // A zero checksum means the sender computed none (allowed over IPv4).
    if be16(udp, 6) != 0 && fold(pseudo_sum(src_addr, dst_addr, udp_len) + sum(udp)) != 0xffff {
        return Err(WireError::BadChecksum);
    }
    Ok(UdpPacket {
        src: Endpoint {
            addr: src_addr,
            port: be16(udp, 0),
        },
        dst: Endpoint {
            addr: dst_addr,
            port: be16(udp, 2),
        },
        payload: &udp[UDP_HEADER..],
    })
}

/// Appends to `out` an IPv4 packet carrying `payload` from `src` to `dst`,
/// with both checksums set. `ident` is the IPv4 identification. The
/// caller keeps `payload` within capos_abi::udp::MAX_PAYLOAD.
pub fn build(src: Endpoint, dst: Endpoint, ident: u16, payload: &[u8], out: &mut Vec<u8>) {
    let udp_len = UDP_HEADER + payload.len();
    let total = (IPV4_HEADER + udp_len) as u16;
    let start = out.len();
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&ident.to_be_bytes());
    // Don't fragment: the stack never fragments, so neither may routers.
    out.extend_from_slice(&0x4000u16.to_be_bytes());
    out.extend_from_slice(&[TTL, PROTOCOL_UDP, 0, 0]);
    out.extend_from_slice(&src.addr.to_be_bytes());
    out.extend_from_slice(&dst.addr.to_be_bytes());
    let ip_sum = !fold(sum(&out[start..start + IPV4_HEADER]));
    out[start + 10..start + 12].copy_from_slice(&ip_sum.to_be_bytes());
    let udp = out.len();
    out.extend_from_slice(&src.port.to_be_bytes());
    out.extend_from_slice(&dst.port.to_be_bytes());
    out.extend_from_slice(&(udp_len as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(payload);
    let mut udp_sum = !fold(pseudo_sum(src.addr, dst.addr, udp_len) + sum(&out[udp..]));
    // 0 would mean "no checksum"; its ones' complement twin says the same sum.
    if udp_sum == 0 {
        udp_sum = 0xffff;
    }
    out[udp + 6..udp + 8].copy_from_slice(&udp_sum.to_be_bytes());
}

/// The 16-bit words of `bytes` added up (a trailing odd byte padded with 0).
fn sum(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(2);
    let mut total: u64 = chunks.by_ref().map(|w| be16(w, 0) as u64).sum();
    if let [last] = chunks.remainder() {
        total += (*last as u64) << 8;
    }
    total
}

/// The UDP pseudo-header's words.
fn pseudo_sum(src: u32, dst: u32, udp_len: usize) -> u64 {
    (src >> 16) as u64
        + (src & 0xffff) as u64
        + (dst >> 16) as u64
        + (dst & 0xffff) as u64
        + PROTOCOL_UDP as u64
        + udp_len as u64
}

/// Folds a sum into 16 bits, ones' complement.
fn fold(mut total: u64) -> u16 {
    while total > 0xffff {
        total = (total & 0xffff) + (total >> 16);
    }
    total as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const GUEST: Endpoint = Endpoint {
        addr: 0x0a00_020f,
        port: 49152,
    };
    const HOST: Endpoint = Endpoint {
        addr: 0x0a00_0202,
        port: 7,
    };

    fn packet(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        build(GUEST, HOST, 1, payload, &mut out);
        out
    }

    #[test]
    fn a_built_packet_parses_back() {
        for len in [0, 1, 2, 7, 100, 1472] {
            let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let p = packet(&payload);
            assert_eq!(p.len(), IPV4_HEADER + UDP_HEADER + len);
            let udp = parse(&p).unwrap();
            assert_eq!((udp.src, udp.dst, udp.payload), (GUEST, HOST, &payload[..]));
            // The IPv4 header checksum verifies too.
            assert_eq!(fold(sum(&p[..IPV4_HEADER])), 0xffff);
        }
    }

    /// A datagram captured from Linux (`nc -u`): 10.0.2.2:5353 ->
    /// 10.0.2.15:1234, payload "hi\n".
    #[test]
    fn a_foreign_checksum_verifies() {
        let mut p = vec![
            0x45, 0, 0, 31, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 2, 2, 10, 0, 2, 15,
        ];
        let ip_sum = !fold(sum(&p));
        p[10..12].copy_from_slice(&ip_sum.to_be_bytes());
        p.extend_from_slice(&[0x14, 0xe9, 0x04, 0xd2, 0, 11, 0, 0, b'h', b'i', b'\n']);
        let c = !fold(pseudo_sum(0x0a00_0202, 0x0a00_020f, 11) + sum(&p[20..]));
        p[26..28].copy_from_slice(&c.to_be_bytes());
        let udp = parse(&p).unwrap();
        assert_eq!(
            udp.src,
            Endpoint {
                addr: 0x0a00_0202,
                port: 5353
            }
        );
        assert_eq!(udp.dst.port, 1234);
        assert_eq!(udp.payload, b"hi\n");
    }

    #[test]
    fn zero_checksum_means_none() {
        let mut p = packet(b"data");
        p[26] = 0;
        p[27] = 0;
        assert!(parse(&p).is_ok());
    }

    #[test]
    fn a_flipped_bit_fails_the_checksum() {
        let mut p = packet(b"some data");
        p[30] ^= 4;
        assert_eq!(parse(&p), Err(WireError::BadChecksum));
    }

    #[test]
    fn lengths_are_never_trusted() {
        let p = packet(b"payload");
        for cut in 0..p.len() {
            assert!(parse(&p[..cut]).is_err(), "cut at {cut}");
        }
        // A UDP length past the packet, or below its header.
        let mut long = p.clone();
        long[25] = 200;
        assert_eq!(parse(&long), Err(WireError::BadUdpLength));
        let mut short = p.clone();
        short[25] = 7;
        assert_eq!(parse(&short), Err(WireError::BadUdpLength));
        // An IPv4 total length past the bytes there.
        let mut total = p.clone();
        total[3] = 255;
        assert_eq!(parse(&total), Err(WireError::Truncated));
        // An IPv4 header length below 20, or past the packet.
        let mut ihl = p.clone();
        ihl[0] = 0x44;
        assert_eq!(parse(&ihl), Err(WireError::BadIpHeader));
        let mut ihl = p.clone();
        ihl[0] = 0x4f;
        assert!(parse(&ihl).is_err());
        // Link padding past the IPv4 total length is ignored.
        let mut padded = p.clone();
        padded.extend_from_slice(&[0; 10]);
        assert_eq!(parse(&padded).unwrap().payload, b"payload");
    }

    #[test]
    fn other_protocols_versions_and_fragments_are_refused() {
        let mut tcp = packet(b"x");
        tcp[9] = 6;
        assert_eq!(parse(&tcp), Err(WireError::NotUdp));
        let mut v6 = packet(b"x");
        v6[0] = 0x65;
        assert_eq!(parse(&v6), Err(WireError::BadIpHeader));
        let mut more = packet(b"x");
        more[6] = 0x20;
        assert_eq!(parse(&more), Err(WireError::Fragment));
        let mut offset = packet(b"x");
        offset[7] = 1;
        assert_eq!(parse(&offset), Err(WireError::Fragment));
    }

    /// Random bytes, and valid packets with random bytes changed: parse
    /// never panics, and what it accepts lies inside the packet.
    #[test]
    fn fuzz_parse_never_panics() {
        use proptest::collection::vec as bytes;
        use proptest::prelude::*;
        let strategy = (
            bytes(any::<u8>(), 0..64),
            bytes(any::<u8>(), 0..40),
            bytes((any::<usize>(), any::<u8>()), 0..4),
        );
        capos_fuzz::check(512, strategy, |(random, payload, flips)| {
            let _ = parse(&random);
            let mut p = packet(&payload);
            for (at, value) in flips {
                let n = p.len();
                p[at % n] = value;
            }
            if let Ok(udp) = parse(&p) {
                prop_assert!(udp.payload.len() <= p.len() - IPV4_HEADER - UDP_HEADER);
            }
            Ok(())
        });
    }
}
