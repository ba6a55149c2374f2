use super::*;

const MSG_EOR: i64 = 0x80;

#[test]
fn the_header_has_linuxs_layout() {
    assert_eq!(core::mem::size_of::<MsgHdr>(), 56);
    assert_eq!(core::mem::offset_of!(MsgHdr, namelen), 8);
    assert_eq!(core::mem::offset_of!(MsgHdr, iov), 16);
    assert_eq!(core::mem::offset_of!(MsgHdr, iovlen), 24);
    assert_eq!(core::mem::offset_of!(MsgHdr, control), 32);
    assert_eq!(core::mem::offset_of!(MsgHdr, controllen), 40);
    assert_eq!(core::mem::offset_of!(MsgHdr, flags), 48);
    assert_eq!(core::mem::size_of::<IoVec>(), 16);
}

fn msg(name: u64, namelen: u32, iov: u64, iovlen: u64) -> MsgHdr {
    MsgHdr {
        name,
        namelen,
        iov,
        iovlen,
        ..MsgHdr::default()
    }
}

#[test]
fn a_header_is_checked_in_linuxs_order() {
    assert_eq!(
        header(&msg(0x1000, 16, 0x2000, 2)),
        Ok(Header {
            name: Some((0x1000, 16)),
            iov: 0x2000,
            iovlen: 2
        })
    );
    // No name: no length, whatever the field holds.
    assert_eq!(
        header(&msg(0, 0xffff_ffff, 0x2000, 1)).map(|h| h.name),
        Ok(None)
    );
    // A long name length is cut to sockaddr_storage.
    assert_eq!(
        header(&msg(0x1000, 4096, 0x2000, 1)).map(|h| h.name),
        Ok(Some((0x1000, 128)))
    );
    assert_eq!(header(&msg(0x1000, 0x8000_0000, 0x2000, 1)), Err(EINVAL));
    assert_eq!(header(&msg(0, 0, 0x2000, 1025)), Err(EMSGSIZE));
    assert_eq!(header(&msg(0, 0, 0x2000, u64::MAX)), Err(EMSGSIZE));
    assert_eq!(header(&msg(0, 0, 0, 1)), Err(EFAULT));
    // No iovecs at all is a zero-length datagram.
    assert_eq!(header(&msg(0, 0, 0, 0)).map(|h| h.iovlen), Ok(0));
    // The name is checked first.
    assert_eq!(header(&msg(0x1000, 0x8000_0000, 0, 5000)), Err(EINVAL));
}

#[test]
fn control_messages_are_refused_unless_none_fits() {
    let mut h = MsgHdr::default();
    assert_eq!(send_control(&h), Ok(()));
    h.control = 0x3000;
    h.controllen = 15;
    assert_eq!(send_control(&h), Ok(()));
    h.controllen = 16;
    let r = send_control(&h).unwrap_err();
    assert_eq!(r.errno, EINVAL);
    assert!(r.unsupported.is_some());
    h.controllen = 1 << 31;
    assert_eq!(send_control(&h), Err(Refusal::linux(ENOBUFS)));
}

#[test]
fn iovec_totals() {
    let v = |base, len| IoVec { base, len };
    assert_eq!(iov_total(&[]), Ok(0));
    assert_eq!(iov_total(&[v(0x10, 5), v(0x20, 7)]), Ok(12));
    // A NULL base is fine when nothing is read from it.
    assert_eq!(iov_total(&[v(0, 0), v(0x20, 7)]), Ok(7));
    assert_eq!(iov_total(&[v(0, 1)]), Err(EFAULT));
    assert_eq!(iov_total(&[v(0x10, 1 << 63)]), Err(EINVAL));
    assert_eq!(
        iov_total(&[v(0x10, i64::MAX as u64), v(0x20, i64::MAX as u64)]),
        Ok(MAX_RW as usize)
    );
}

#[test]
fn gather_and_scatter_keep_the_order() {
    assert_eq!(gather(&[b"ab", b"", b"cde"], 100), b"abcde");
    assert_eq!(gather(&[b"ab", b"cde"], 3), b"abc");
    assert_eq!(gather(&[], 10), b"");
    let (mut a, mut b, mut c) = ([0u8; 2], [0u8; 0], [0u8; 4]);
    let placed = scatter(b"hello", &mut [&mut a, &mut b, &mut c]);
    assert_eq!(placed, 5);
    assert_eq!((&a, &c), (b"he", b"llo\0"));
    // More data than room: what fits.
    let mut d = [0u8; 3];
    assert_eq!(scatter(b"hello", &mut [&mut d]), 3);
    assert_eq!(&d, b"hel");
}

#[test]
fn send_flags_capos_supports() {
    assert_eq!(send_flags(0), Ok(SendFlags::default()));
    assert_eq!(
        send_flags(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CONFIRM),
        Ok(SendFlags { dontwait: true })
    );
    for refused in [MSG_OOB, MSG_MORE, MSG_EOR, MSG_PEEK, 0x1000_0000] {
        let r = send_flags(refused).unwrap_err();
        assert_eq!(r.errno, EOPNOTSUPP, "flag {refused:#x}");
        assert!(r.unsupported.is_some());
    }
    // Only the int counts.
    assert_eq!(send_flags(1 << 40), Ok(SendFlags::default()));
}

#[test]
fn receive_flags_capos_supports() {
    assert_eq!(recv_flags(0), Ok(RecvFlags::default()));
    assert_eq!(
        recv_flags(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_CMSG_CLOEXEC),
        Ok(RecvFlags {
            dontwait: true,
            peek: true,
            trunc: true,
            errqueue: false
        })
    );
    assert_eq!(recv_flags(MSG_ERRQUEUE).map(|f| f.errqueue), Ok(true));
    assert_eq!(recv_flags(MSG_NOSIGNAL), Ok(RecvFlags::default()));
    for refused in [MSG_OOB, MSG_MORE, MSG_CONFIRM, MSG_EOR] {
        assert_eq!(recv_flags(refused).unwrap_err().errno, EOPNOTSUPP);
    }
}
