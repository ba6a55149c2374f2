use super::*;
use std::string::ToString;
use std::vec;

#[test]
fn interior_nul_is_refused_with_its_place() {
    assert_eq!(
        encode(&[b"ok", b"a\0b"], &[]),
        Err(LaunchError::InteriorNul {
            list: List::Argv,
            index: 1
        })
    );
    assert_eq!(
        encode(&[], &[b"K=v\0"]),
        Err(LaunchError::InteriorNul {
            list: List::Env,
            index: 0
        })
    );
}

#[test]
fn env_entries_need_a_key_and_equals() {
    assert_eq!(
        encode(&[], &[b"A=1", b"NOEQUALS"]),
        Err(LaunchError::EnvMissingEquals { index: 1 })
    );
    assert_eq!(
        encode(&[], &[b"=value"]),
        Err(LaunchError::EnvEmptyKey { index: 0 })
    );
    assert_eq!(
        encode(&[], &[b""]),
        Err(LaunchError::EnvMissingEquals { index: 0 })
    );
}

#[test]
fn counts_are_bounded() {
    let many = vec![&b"K=v"[..]; MAX_ARGS + 1];
    assert_eq!(
        encode(&many, &[]),
        Err(LaunchError::TooMany { list: List::Argv })
    );
    let many = vec![&b"K=v"[..]; MAX_ENV + 1];
    assert_eq!(
        encode(&[], &many),
        Err(LaunchError::TooMany { list: List::Env })
    );
}

#[test]
fn size_is_bounded() {
    let arg = vec![b'a'; MAX_SIZE - HEADER_SIZE - 4];
    assert_eq!(encode(&[&arg], &[]), Err(LaunchError::TooLarge));
    let half = vec![b'a'; MAX_SIZE / 2];
    assert_eq!(encode(&[&half, &half], &[]), Err(LaunchError::TooLarge));
}

#[test]
fn errors_print_their_place() {
    let nul = LaunchError::InteriorNul {
        list: List::Argv,
        index: 2,
    };
    assert_eq!(nul.to_string(), "argv[2]: contains a NUL byte");
    let eq = LaunchError::EnvMissingEquals { index: 0 };
    assert_eq!(
        eq.to_string(),
        "env[0]: is not of the form KEY=VALUE (no '=')"
    );
    assert_eq!(
        LaunchError::TooLarge.to_string(),
        LaunchError::TooLarge.message()
    );
}

#[test]
fn messages_state_the_real_limits() {
    assert_eq!((MAX_ARGS, MAX_ENV, MAX_SIZE), (1024, 1024, 64 * 1024));
}
