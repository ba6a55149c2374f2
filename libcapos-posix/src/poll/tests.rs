use super::*;

#[test]
fn the_console_is_writable_and_never_readable() {
    assert_eq!(revents(POLLIN | POLLOUT, State::WriteOnly), POLLOUT);
    assert_eq!(revents(POLLIN, State::WriteOnly), 0);
}

#[test]
fn a_reader_reports_data_and_hangup() {
    let data = State::Reader {
        ready: true,
        hangup: false,
    };
    let empty = State::Reader {
        ready: false,
        hangup: false,
    };
    let gone = State::Reader {
        ready: false,
        hangup: true,
    };
    let gone_with_data = State::Reader {
        ready: true,
        hangup: true,
    };
    assert_eq!(revents(POLLIN, data), POLLIN);
    assert_eq!(revents(POLLOUT, data), 0);
    assert_eq!(revents(POLLIN, empty), 0);
    // POLLHUP is reported even when not asked for; POLLIN only while
    // bytes remain, as Linux.
    assert_eq!(revents(0, gone), POLLHUP);
    assert_eq!(revents(POLLIN, gone), POLLHUP);
    assert_eq!(revents(POLLIN, gone_with_data), POLLIN | POLLHUP);
}

#[test]
fn a_writer_reports_room_and_a_missing_reader() {
    let room = State::Writer {
        ready: true,
        hangup: false,
    };
    let full = State::Writer {
        ready: false,
        hangup: false,
    };
    let gone = State::Writer {
        ready: true,
        hangup: true,
    };
    let gone_full = State::Writer {
        ready: false,
        hangup: true,
    };
    assert_eq!(revents(POLLOUT, gone_full), POLLERR);
    assert_eq!(revents(POLLOUT, room), POLLOUT);
    assert_eq!(revents(POLLOUT, full), 0);
    assert_eq!(revents(0, gone), POLLERR);
    assert_eq!(
        revents(POLLOUT | POLLWRNORM, gone),
        POLLERR | POLLOUT | POLLWRNORM
    );
    assert_eq!(revents(POLLIN, State::Unknown), 0);
}

fn set(fds: &[usize]) -> FdSet {
    let mut s = [0; FD_SETSIZE / 64];
    for &fd in fds {
        s[fd / 64] |= 1 << (fd % 64);
    }
    s
}

#[test]
fn select_sets_become_poll_entries_and_back() {
    let read = set(&[0, 5, 100]);
    let write = set(&[5, 7]);
    let entries = from_sets(128, Some(&read), Some(&write), None).unwrap();
    let fds: Vec<(i32, i16)> = entries.iter().map(|e| (e.fd, e.events)).collect();
    assert_eq!(
        fds,
        [
            (0, POLLIN),
            (5, POLLIN | POLLOUT),
            (7, POLLOUT),
            (100, POLLIN)
        ]
    );
    // Descriptors at or above nfds are not looked at.
    assert_eq!(from_sets(6, Some(&read), None, None).unwrap().len(), 2);

    let mut polled = entries;
    polled[0].revents = POLLHUP; // fd 0: readable (end of file)
    polled[1].revents = POLLOUT; // fd 5: writable only
    polled[2].revents = 0; // fd 7: nothing
    polled[3].revents = POLLIN; // fd 100: readable
    let (mut r, mut w, mut x) = (read, write, set(&[3]));
    let n = to_sets(&polled, Some(&mut r), Some(&mut w), Some(&mut x)).unwrap();
    assert_eq!(n, 3);
    assert_eq!(r, set(&[0, 100]));
    assert_eq!(w, set(&[5]));
    assert_eq!(x, set(&[]));
}

#[test]
fn select_refuses_bad_sizes_and_closed_descriptors() {
    assert_eq!(from_sets(-1, None, None, None), Err(EINVAL));
    assert_eq!(
        from_sets(FD_SETSIZE as i64 + 1, None, None, None),
        Err(EINVAL)
    );
    assert_eq!(
        from_sets(FD_SETSIZE as i64, None, None, None),
        Ok(Vec::new())
    );
    let bad = [PollFd {
        fd: 9,
        events: POLLIN,
        revents: POLLNVAL,
    }];
    assert_eq!(to_sets(&bad, None, None, None), Err(EBADF));
}

#[test]
fn timeouts() {
    assert_eq!(poll_timeout(-1), None);
    assert_eq!(poll_timeout(i64::MIN), None);
    assert_eq!(poll_timeout(0), Some(0));
    assert_eq!(poll_timeout(1500), Some(1_500_000_000));
    assert_eq!(duration(2, 500, 1), Ok(2_000_000_500));
    assert_eq!(duration(1, 999_999, 1000), Ok(1_999_999_000));
    assert_eq!(duration(1, 1_000_000, 1000), Err(EINVAL));
    assert_eq!(duration(-1, 0, 1), Err(EINVAL));
    assert_eq!(duration(0, -1, 1), Err(EINVAL));
}

#[test]
fn a_socket_is_writable_and_readable_with_a_datagram() {
    let idle = State::Socket {
        readable: false,
        read_shut: false,
        hangup: false,
    };
    let queued = State::Socket {
        readable: true,
        read_shut: false,
        hangup: false,
    };
    assert_eq!(revents(POLLIN | POLLOUT, idle), POLLOUT);
    assert_eq!(revents(POLLIN, idle), 0);
    assert_eq!(revents(POLLIN | POLLOUT, queued), POLLIN | POLLOUT);
    assert_eq!(
        revents(POLLRDNORM | POLLWRNORM, queued),
        POLLRDNORM | POLLWRNORM
    );
}

#[test]
fn a_shut_socket_reads_end_of_data_and_hangs_up() {
    let read_shut = State::Socket {
        readable: false,
        read_shut: true,
        hangup: false,
    };
    let both = State::Socket {
        readable: false,
        read_shut: true,
        hangup: true,
    };
    // Linux's datagram_poll: readable and POLLRDHUP once reads are shut,
    // POLLHUP (unasked) once both directions are.
    assert_eq!(revents(POLLIN | POLLRDHUP, read_shut), POLLIN | POLLRDHUP);
    assert_eq!(revents(POLLOUT, read_shut), POLLOUT);
    assert_eq!(revents(0, read_shut), 0);
    assert_eq!(revents(0, both), POLLHUP);
    assert_eq!(revents(POLLIN | POLLOUT, both), POLLIN | POLLOUT | POLLHUP);
}

#[test]
fn select_sees_a_readable_socket() {
    let mut read: FdSet = [0; FD_SETSIZE / 64];
    read[0] = 1 << 5;
    let mut entries = from_sets(6, Some(&read), None, None).unwrap();
    entries[0].revents = revents(
        entries[0].events,
        State::Socket {
            readable: true,
            read_shut: false,
            hangup: false,
        },
    );
    assert_eq!(to_sets(&entries, Some(&mut read), None, None), Ok(1));
    assert_eq!(read[0], 1 << 5);
}
