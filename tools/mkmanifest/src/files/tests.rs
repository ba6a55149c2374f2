use super::*;
use crate::input::FileSystemJson;
use std::collections::BTreeMap;

fn fs(nodes: &[(&str, FsNodeJson)]) -> FileSystemJson {
    FileSystemJson {
        data_bytes: 1 << 20,
        meta_bytes: 1 << 18,
        bin: false,
        nodes: nodes
            .iter()
            .map(|(p, n)| (p.to_string(), n.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn text(t: &str) -> FsNodeJson {
    FsNodeJson {
        text: Some(t.into()),
        ..FsNodeJson::default()
    }
}

fn dir() -> FsNodeJson {
    FsNodeJson {
        directory: true,
        ..FsNodeJson::default()
    }
}

fn host(p: &str) -> FsNodeJson {
    FsNodeJson {
        host: Some(p.into()),
        ..FsNodeJson::default()
    }
}

fn check_fs(json: &FileSystemJson) -> Result<FileSystem, InputError> {
    check(
        json,
        &["init", "sh"],
        &mut |p| match p {
            "files/hosts" => Ok(b"127.0.0.1 localhost\n".to_vec()),
            "tree/a" => Ok(b"A".to_vec()),
            "tree/sub/b" => Ok(b"B".to_vec()),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, "no such file")),
        },
        &mut |p| match p {
            "tree" => Ok(vec![("a".into(), false), ("sub".into(), true)]),
            "tree/sub" => Ok(vec![("b".into(), false)]),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, "no such directory")),
        },
    )
}

fn paths(fs: &FileSystem) -> Vec<String> {
    fs.nodes
        .iter()
        .map(|n| String::from_utf8(n.path.clone()).unwrap())
        .collect()
}

#[test]
fn nodes_come_parents_first_with_missing_parents_made() {
    let json = fs(&[
        ("/etc/hosts", host("files/hosts")),
        ("/etc/motd", text("hi\n")),
        ("/tmp", dir()),
        ("/a-b", text("x")),
        ("/a/b/c", text("deep")),
    ]);
    let got = check_fs(&json).unwrap();
    assert_eq!(
        paths(&got),
        [
            "/a",
            "/a/b",
            "/a/b/c",
            "/a-b",
            "/etc",
            "/etc/hosts",
            "/etc/motd",
            "/tmp"
        ]
    );
    let hosts = &got.nodes[5];
    assert_eq!(
        hosts.content,
        FsContent::Data(b"127.0.0.1 localhost\n".to_vec())
    );
    assert_eq!(hosts.mode, 0o644);
    assert_eq!(got.nodes[0].mode, 0o755);
    assert!(is_directory(&got, "/a/b"));
    assert!(is_directory(&got, "/"));
    assert!(!is_directory(&got, "/etc/motd"));
    assert!(!is_directory(&got, "/nope"));
}

#[test]
fn bin_and_host_directories() {
    let mut json = fs(&[(
        "/share",
        FsNodeJson {
            host_directory: Some("tree".into()),
            ..FsNodeJson::default()
        },
    )]);
    json.bin = true;
    let got = check_fs(&json).unwrap();
    assert_eq!(
        paths(&got),
        [
            "/bin",
            "/bin/init",
            "/bin/sh",
            "/share",
            "/share/a",
            "/share/sub",
            "/share/sub/b"
        ]
    );
    assert_eq!(got.nodes[2].content, FsContent::Binary("sh".into()));
    assert_eq!(got.nodes[6].content, FsContent::Data(b"B".to_vec()));
}

#[test]
fn bad_trees_are_refused_with_their_path() {
    type Case<'a> = (Vec<(&'a str, FsNodeJson)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("etc", dir())], "fileSystem.nodes.\"etc\"", "absolute"),
        (
            vec![("/etc/", dir())],
            "fileSystem.nodes.\"/etc/\"",
            "absolute",
        ),
        (
            vec![("/a/../b", dir())],
            "fileSystem.nodes.\"/a/../b\"",
            "absolute",
        ),
        (vec![("/", dir())], "fileSystem.nodes.\"/\"", "root"),
        (
            vec![("/x", FsNodeJson::default())],
            "fileSystem.nodes.\"/x\"",
            "exactly one",
        ),
        (
            vec![(
                "/x",
                FsNodeJson {
                    directory: true,
                    text: Some("t".into()),
                    ..FsNodeJson::default()
                },
            )],
            "fileSystem.nodes.\"/x\"",
            "exactly one",
        ),
        (
            vec![("/f", text("x")), ("/f/g", text("y"))],
            "fileSystem.nodes",
            "which is a file",
        ),
        (
            vec![("/h", host("missing"))],
            "fileSystem.nodes.\"/h\"",
            "cannot read \"missing\"",
        ),
        (
            vec![("/h", host("/etc/passwd"))],
            "fileSystem.nodes.\"/h\"",
            "relative to the repository",
        ),
        (
            vec![(
                "/b",
                FsNodeJson {
                    binary: Some("nope".into()),
                    ..FsNodeJson::default()
                },
            )],
            "fileSystem.nodes.\"/b\".binary",
            "not one of the binaries",
        ),
        (
            vec![(
                "/m",
                FsNodeJson {
                    mode: Some(0o10000),
                    ..text("x")
                },
            )],
            "fileSystem.nodes.\"/m\".mode",
            "0o7777",
        ),
    ];
    for (nodes, path, message) in cases {
        let e = check_fs(&fs(&nodes)).unwrap_err();
        assert_eq!(e.path, path, "{e}");
        assert!(e.message.contains(message), "{e}");
    }
    let long = format!("/{}", "n".repeat(256));
    let e = check_fs(&fs(&[(long.as_str(), text("x"))])).unwrap_err();
    assert!(e.message.contains("absolute"), "{e}");
}

#[test]
fn is_file_names_files_never_directories() {
    let tree = check_fs(&fs(&[("/etc/motd", text("hi\n")), ("/tmp", dir())])).unwrap();
    assert!(is_file(&tree, "/etc/motd"));
    // "/etc" is made for the file's path; "/" is always there.
    for not_a_file in ["/etc", "/tmp", "/", "/etc/hosts", "etc/motd"] {
        assert!(!is_file(&tree, not_a_file), "{not_a_file}");
    }
}

fn device(kind: &str) -> FsNodeJson {
    FsNodeJson {
        device: Some(kind.into()),
        ..FsNodeJson::default()
    }
}

#[test]
fn device_nodes_take_their_kind_and_mode_0666() {
    let json = fs(&[
        ("/dev/null", device("null")),
        ("/dev/zero", device("zero")),
        ("/dev/full", device("full")),
        ("/dev/urandom", device("urandom")),
    ]);
    let got = check_fs(&json).unwrap();
    let devices: Vec<_> = got
        .nodes
        .iter()
        .filter_map(|n| match n.content {
            FsContent::Device(d) => Some((String::from_utf8(n.path.clone()).unwrap(), d, n.mode)),
            _ => None,
        })
        .collect();
    assert_eq!(
        devices,
        [
            ("/dev/full".to_string(), Device::Full, 0o666),
            ("/dev/null".to_string(), Device::Null, 0o666),
            ("/dev/urandom".to_string(), Device::Urandom, 0o666),
            ("/dev/zero".to_string(), Device::Zero, 0o666),
        ]
    );
    assert!(is_file(&got, "/dev/null"));
}

#[test]
fn unknown_devices_and_two_kinds_are_refused() {
    let err = check_fs(&fs(&[("/dev/tty0", device("tty"))])).unwrap_err();
    assert!(
        err.to_string()
            .contains("not one of null, zero, full, urandom"),
        "{err}"
    );
    let both = FsNodeJson {
        text: Some("x".into()),
        ..device("null")
    };
    let err = check_fs(&fs(&[("/dev/null", both)])).unwrap_err();
    assert!(err.to_string().contains("exactly one of"), "{err}");
}
