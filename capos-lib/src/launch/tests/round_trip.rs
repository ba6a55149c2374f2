use super::*;
use std::vec;

#[test]
fn empty_parameters_are_just_a_header() {
    let region = encoded(&[], &[]);
    assert_eq!(region.len(), HEADER_SIZE);
    let launch = decode(&region).unwrap();
    assert!(launch.argv().is_empty());
    assert!(launch.env().is_empty());
    assert_eq!(launch.argv().get(0), None);
    assert_eq!(launch.var(b"PATH"), None);
}

#[test]
fn layout_is_pinned() {
    let region = encoded(&["a"], &["B=c"]);
    let mut expected = Vec::new();
    for word in [MAGIC, VERSION, 46, 1, 1, 32, 36, 0, 40, 42] {
        expected.extend_from_slice(&u32::to_le_bytes(word));
    }
    expected.extend_from_slice(b"a\0B=c\0");
    assert_eq!(region, expected);
    assert_eq!(&region[..4], b"LNCH");
}

#[test]
fn typical_parameters_read_back() {
    let argv = ["dns", "-v", "", "example.org"];
    let env = ["PATH=/bin", "EMPTY=", "EQ=a=b", "PATH=/usr/bin"];
    let region = encoded(&argv, &env);
    let launch = decode(&region).unwrap();
    assert_eq!(launch.bytes(), &region[..]);

    let got: Vec<&[u8]> = launch.argv().iter().collect();
    let want: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
    assert_eq!(got, want);
    assert_eq!(launch.env().len(), env.len());
    assert_eq!(launch.env().get(2), Some(&b"EQ=a=b"[..]));
    assert_eq!(launch.argv().get(4), None);

    // The first PATH wins, as with getenv over a C environ.
    assert_eq!(launch.var(b"PATH"), Some(&b"/bin"[..]));
    assert_eq!(launch.var(b"EMPTY"), Some(&b""[..]));
    assert_eq!(launch.var(b"EQ"), Some(&b"a=b"[..]));
    assert_eq!(launch.var(b"PAT"), None);
}

#[test]
fn offsets_and_c_strings_point_into_the_region() {
    let region = encoded(&["prog", "arg"], &["K=v"]);
    let launch = decode(&region).unwrap();
    let argv = launch.argv();
    let at = argv.offset(1).unwrap() as usize;
    assert_eq!(&region[at..at + 4], b"arg\0");
    let c = argv.c_str(1).unwrap();
    assert_eq!(c.to_bytes_with_nul(), b"arg\0");
    // No copy: the C string is the region's own bytes.
    assert_eq!(c.as_ptr().cast::<u8>(), region[at..].as_ptr());
    assert_eq!(argv.offset(2), None);
    assert_eq!(argv.c_str(2), None);
}

#[test]
fn bytes_need_not_be_utf8() {
    let argv: [&[u8]; 2] = [b"\xff\xfe", b"\x01"];
    let env: [&[u8]; 1] = [b"\x80=\x81"];
    let launch_region = encode(&argv, &env).unwrap();
    let launch = decode(&launch_region).unwrap();
    assert_eq!(launch.argv().get(0), Some(&b"\xff\xfe"[..]));
    assert_eq!(launch.var(b"\x80"), Some(&b"\x81"[..]));
}

#[test]
fn padding_past_the_total_length_is_ignored() {
    let mut region = encoded(&["x"], &[]);
    let len = region.len();
    region.resize(4096, 0xaa);
    let launch = decode(&region).unwrap();
    assert_eq!(launch.bytes().len(), len);
    assert_eq!(launch.argv().get(0), Some(&b"x"[..]));
}

#[test]
fn maximum_counts_round_trip() {
    let argv = vec![&b""[..]; MAX_ARGS];
    let env = vec![&b"K="[..]; MAX_ENV];
    let region = encode(&argv, &env).unwrap();
    let launch = decode(&region).unwrap();
    assert_eq!(launch.argv().len(), MAX_ARGS);
    assert_eq!(launch.env().iter().count(), MAX_ENV);
    assert!(launch.env().iter().all(|e| e == b"K="));
}

#[test]
fn maximum_size_round_trips() {
    // Header, one table slot and one NUL leave this much for the string.
    let arg = vec![b'a'; MAX_SIZE - HEADER_SIZE - 4 - 1];
    let region = encode(&[&arg], &[]).unwrap();
    assert_eq!(region.len(), MAX_SIZE);
    assert_eq!(decode(&region).unwrap().argv().get(0), Some(&arg[..]));
}
