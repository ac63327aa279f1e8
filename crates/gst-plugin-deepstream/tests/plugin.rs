//! The plugin as a user meets it: `gst-inspect-1.0` on every element, every `gst-launch-1.0`
//! line of the element docs, the README and docs/ run on the real clips, and GStreamer's
//! usual error for a wrong property value.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use ds_testkit::root;

/// A folder holding only the plugin (GStreamer scans `GST_PLUGIN_PATH` recursively: the
/// whole target/debug would make it open every shared object there).
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // the test binary is target/<profile>/deps/plugin-...; the cdylib is in target/<profile>
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
        // `cargo test` builds the library as an rlib for the tests, not the cdylib: build it
        // (up to date in a second when it is; cargo does not hold its lock while tests run)
        let target_dir = profile_dir.parent().unwrap();
        let mut build = Command::new(option_env!("CARGO").unwrap_or("cargo"));
        build.args(["build", "--locked", "-p", "gst-plugin-deepstream", "--target-dir"]).arg(target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        build.current_dir(root()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = ds_testkit::wait(build.spawn().unwrap(), Duration::from_secs(1200), "cargo build -p gst-plugin-deepstream");
        assert!(out.status.success(), "building the plugin failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let so = profile_dir.join("libgstdeepstreamrs.so");
        assert!(so.is_file(), "{} not built", so.display());
        let dir = profile_dir.join("gst-plugin-test");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&so, dir.join("libgstdeepstreamrs.so")).unwrap();
        dir
    })
}

fn gst_command(program: &str) -> Command {
    let mut c = Command::new(program);
    let dir = plugin_dir();
    c.env("GST_PLUGIN_PATH", dir)
        .env("GST_REGISTRY", dir.join("registry.bin"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

#[test]
fn gst_inspect_shows_every_element_with_documented_properties() {
    for name in ds_elements::ELEMENT_NAMES {
        let out = gst_command("gst-inspect-1.0").arg(name).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "gst-inspect-1.0 {name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("deepstreamrs") && text.contains("Element Properties:"), "{name}:\n{text}");
        // every property of ours has a description (gst-inspect prints a blurb line before
        // its "flags:" line; an undocumented one repeats the name)
        assert!(!text.contains("(null)"), "{name}: a property without a description:\n{text}");
    }
}

#[test]
fn a_wrong_property_value_gives_gstreamers_error() {
    let out = gst_command("gst-launch-1.0")
        .args(["videotestsrc", "num-buffers=1", "!", "m.sink_0", "dsstreammux", "name=m", "batch-size=abc", "!", "fakesink"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(err.contains("could not set property \"batch-size\"") && err.contains("abc"), "{err}");
}

/// The `gst-launch-1.0` lines (continuations joined) of the fenced blocks of `text`, with
/// the `//! ` of doc comments stripped.
fn launch_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_start().strip_prefix("//!").unwrap_or(raw.trim_start());
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let l = line.trim();
        match current.as_mut() {
            Some(c) => c.push_str(l.trim_end_matches('\\')),
            None if l.starts_with("gst-launch-1.0 ") => current = Some(l.trim_end_matches('\\').to_owned()),
            None => continue,
        }
        if !l.ends_with('\\')
            && let Some(c) = current.take()
        {
            out.push(c.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// Every documented line, with where it is written.
fn documented_lines() -> Vec<(String, String)> {
    let r = root();
    let mut files: Vec<PathBuf> = vec![r.join("README.md")];
    for dir in ["crates/ds-elements/src", "docs"] {
        let mut stack = vec![r.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if matches!(p.extension().and_then(|x| x.to_str()), Some("rs" | "md")) {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for l in launch_lines(&text) {
            lines.push((f.strip_prefix(&r).unwrap().display().to_string(), l));
        }
    }
    lines
}

/// The line as the test runs it: headless sinks, the short clip, real paths.
fn headless(line: &str) -> String {
    let streams = root().join("streams");
    line.replace("autovideosink", "fakesink")
        .replace("streams/vtest.h264", "streams/vtest-5s.h264")
        .replace("file:///path/to/streams/", &format!("file://{}/", streams.display()))
}

#[test]
fn every_documented_gst_launch_line_runs() {
    let lines = documented_lines();
    // the element docs have at least one line per element
    assert!(lines.len() >= ds_elements::ELEMENT_NAMES.len(), "{lines:?}");
    let mut failures = Vec::new();
    for (file, line) in &lines {
        let cmd = headless(line);
        let looping = cmd.contains("file-loop=true");
        let child = gst_command("sh").arg("-c").arg(format!("exec {cmd}")).spawn().unwrap();
        let start = std::time::Instant::now();
        let out = if looping {
            // a looping source never ends: it must run 5 s without an error
            std::thread::sleep(Duration::from_secs(5));
            let mut child = child;
            let still_running = child.try_wait().unwrap().is_none();
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            if !still_running {
                failures.push(format!("{file}: {cmd}\n  ended early: {}", String::from_utf8_lossy(&out.stderr)));
            }
            out
        } else {
            ds_testkit::wait(child, Duration::from_secs(180), &cmd)
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        if (!looping && !out.status.success()) || text.contains("ERROR") || text.contains("CRITICAL") {
            failures.push(format!("{file}: {cmd}\n  exit {:?} after {:?}:\n{text}", out.status.code(), start.elapsed()));
        }
    }
    assert!(failures.is_empty(), "{} of {} documented lines failed:\n{}", failures.len(), lines.len(), failures.join("\n"));
}

#[test]
fn the_line_parser_joins_continuations() {
    let doc = "//! ```text\n//! gst-launch-1.0 a ! \\\n//!   b ! c\n//! ```\n";
    assert_eq!(launch_lines(doc), vec!["gst-launch-1.0 a ! b ! c"]);
}
