//! The command line (see the crate documentation for its meaning).

use std::path::PathBuf;

pub const USAGE: &str = "usage: mkmanifest --source system-NAME.cue --out FILE [--json FILE|-]";

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    /// The CUE file the JSON came from: names it in errors, anchors paths.
    pub source: String,
    pub out: PathBuf,
    /// `None`: read standard input.
    pub json: Option<PathBuf>,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut source, mut out, mut json) = (None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--source" => &mut source,
            "--out" => &mut out,
            "--json" => &mut json,
            _ => return Err(format!("unknown argument {flag:?}")),
        };
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        if slot.replace(value).is_some() {
            return Err(format!("{flag} given twice"));
        }
    }
    Ok(Args {
        source: source.ok_or("--source is required")?,
        out: out.ok_or("--out is required")?.into(),
        json: json.filter(|j| j != "-").map(PathBuf::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Args, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn reads_flags_in_any_order() {
        let a = parse_strs(&["--out", "m.bin", "--source", "s.cue"]).unwrap();
        assert_eq!(
            a,
            Args {
                source: "s.cue".into(),
                out: "m.bin".into(),
                json: None,
            }
        );
        let a = parse_strs(&["--json", "x.json", "--source", "s.cue", "--out", "o"]).unwrap();
        assert_eq!(a.json, Some("x.json".into()));
        let a = parse_strs(&["--json", "-", "--source", "s.cue", "--out", "o"]).unwrap();
        assert_eq!(a.json, None);
    }

    #[test]
    fn refuses_bad_command_lines() {
        let err = |args: &[&str]| parse_strs(args).unwrap_err();
        assert_eq!(err(&["--out", "o"]), "--source is required");
        assert_eq!(err(&["--source", "s"]), "--out is required");
        assert_eq!(err(&["--source"]), "--source needs a value");
        assert_eq!(err(&["-o", "x"]), r#"unknown argument "-o""#);
        assert_eq!(
            err(&["--source", "a", "--source", "b"]),
            "--source given twice"
        );
    }
}
