//! Every real-world nvdsanalytics config of the corpus is read with the values its author
//! wrote (duplicate groups merged as GKeyFile merges them, trailing `;`, trailing spaces,
//! `-stream-all` groups), this project's configs are read, and malformed files are refused
//! with a message naming the file, group, key and what was expected.
//!
//! The corpus is `../shared/reference/config-corpus/analytics` beside the checkout where it
//! exists, else the verbatim copy under `tests/data/corpus`.

#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use ds_analytics::{AnalyticsConfig, ConfigError, Mode, Point};

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/config-corpus/analytics")
}

fn copy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus")
}

fn corpus(name: &str) -> PathBuf {
    let d = if shared_dir().is_dir() {
        shared_dir()
    } else {
        copy_dir()
    };
    d.join(name)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    v.sort();
    v
}

fn parse(name: &str) -> AnalyticsConfig {
    AnalyticsConfig::from_file(&corpus(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn labels<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    v.iter().map(|x| f(x).to_string()).collect()
}

#[test]
fn copies_equal_the_shared_reference() {
    let shared = shared_dir();
    if !shared.is_dir() {
        return; // no ../shared beside this checkout: the copies are all there is
    }
    assert_eq!(
        names(&shared),
        names(&copy_dir()),
        "tests/data/corpus holds other files than {}",
        shared.display()
    );
    for n in names(&shared) {
        let a = std::fs::read(shared.join(&n)).expect("shared file");
        let b = std::fs::read(copy_dir().join(&n)).expect("copy");
        assert!(
            a == b,
            "tests/data/corpus/{n} differs from {}: copy it again",
            shared.display()
        );
    }
}

#[test]
fn every_corpus_file_is_read() {
    let all = names(&copy_dir());
    assert_eq!(all.len(), 5, "{all:?}");
    for n in &all {
        let c = parse(n);
        assert!(c.enable, "{n}");
        assert!(
            !c.streams.is_empty() || !c.all.is_empty(),
            "{n}: no rules read"
        );
    }
}

#[test]
fn duplicate_line_crossing_groups_merge() {
    let c = parse("KamoliddinS__ds_yolov5-nvdsa-nvdsmsg__config_nvdsanalytics.txt");
    assert_eq!(
        (c.config_width, c.config_height, c.osd_mode, c.font_size),
        (1920, 1080, 2, 12)
    );
    let s = &c.streams[&0];
    assert_eq!(s.rois.len(), 1);
    assert_eq!(s.rois[0].label, "RF");
    assert_eq!(s.rois[0].points.len(), 4);
    assert_eq!(s.rois[0].class_ids, vec![-1]);
    assert_eq!(labels(&s.lines, |l| &l.label), ["Enter", "Exit"]);
    let exit = &s.lines[1];
    assert_eq!(exit.direction, [Point::new(500, 530), Point::new(380, 460)]);
    assert_eq!(exit.line, [Point::new(320, 540), Point::new(480, 430)]);
    assert_eq!(
        (exit.mode, exit.extended, exit.enable),
        (Mode::Loose, true, true)
    );
    assert_eq!(exit.class_ids, vec![0]);
}

#[test]
fn occupancy_analytics_all_four_features() {
    let c =
        parse("NVIDIA-AI-IOT__deepstream-occupancy-analytics__config__nvdsanalytics_config.txt");
    let s0 = &c.streams[&0];
    assert!(!s0.rois[0].enable);
    assert_eq!(labels(&s0.lines, |l| &l.label), ["Exit", "Entry"]);
    assert!(
        s0.lines
            .iter()
            .all(|l| l.mode == Mode::Balanced && !l.extended && l.enable)
    );
    assert_eq!(
        s0.lines[0].line,
        [Point::new(300, 1000), Point::new(1350, 800)]
    );
    assert_eq!(labels(&s0.directions, |d| &d.label), ["South", "North"]);
    assert!(!s0.directions[0].enable);
    let s1 = &c.streams[&1];
    assert_eq!(s1.rois[0].class_ids, vec![0]);
    assert_eq!(s1.overcrowding[0].object_threshold, 3);
    assert!(!s1.overcrowding[0].enable);
    assert!(s1.lines.iter().all(|l| l.extended));
}

#[test]
fn several_named_rois_in_1280x720() {
    let c = parse("levipereira__deepstream_ocr__config_nvdsanalytics.txt");
    assert_eq!((c.config_width, c.config_height), (1280, 720));
    for s in [0, 1] {
        let r = &c.streams[&s].rois;
        assert_eq!(
            labels(r, |r| &r.label),
            ["road-left", "road-right", "shoulder", "parked"]
        );
        assert_eq!(
            r.iter().map(|r| r.points.len()).collect::<Vec<_>>(),
            [10, 9, 17, 4]
        );
        assert!(r.iter().all(|r| r.enable && r.class_ids.is_empty()));
    }
}

#[test]
fn stream_all_groups_apply_where_a_stream_has_none() {
    let c = parse("preronamajumder__deepstream-lpr-python-version__config_nvdsanalytics.txt");
    assert_eq!((c.config_width, c.config_height), (640, 480));
    assert!(c.all.rois[0].enable && c.all.lines[0].enable);
    assert_eq!(c.all.overcrowding[0].object_threshold, 5);
    assert_eq!(
        c.all.lines[0].line,
        [Point::new(100, 0), Point::new(100, 300)]
    );
    // stream 0 has no group of its own: the -stream-all rules
    let s0 = c.rules_for(0);
    assert!(s0.rois[0].enable && s0.lines[0].enable && !s0.lines[0].extended);
    // stream 1's own groups (all disabled) replace them
    let s1 = c.rules_for(1);
    assert!(!s1.rois[0].enable && !s1.lines[0].enable);
    assert_eq!(
        s1.lines[0].line,
        [Point::new(851, 773), Point::new(1203, 732)]
    );
    assert_eq!(c.streams_beyond(1), vec![1]);
}

#[test]
fn four_duplicate_groups_empty_osd_mode_and_trailing_spaces() {
    let c = parse("socieboy__deepstream-examples__Analitycs__analitycs.txt");
    assert_eq!(
        (c.osd_mode, c.font_size),
        (2, 15),
        "the second [property] wins"
    );
    let s = &c.streams[&0];
    assert_eq!(
        labels(&s.lines, |l| &l.label),
        ["LINE-1", "LINE-2", "LINE-3", "LINE-4"]
    );
    assert!(
        s.lines
            .iter()
            .all(|l| !l.extended && l.mode == Mode::Loose && l.class_ids.is_empty())
    );
    assert_eq!(
        labels(&s.directions, |d| &d.label),
        ["South", "North", "West", "East"]
    );
    assert_eq!(s.directions[2].to, Point::new(1920, 540));
    assert_eq!(s.rois[0].points.len(), 5);
    assert!(!s.rois[0].enable);
}

#[test]
fn this_projects_configs_are_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/deepstream-nvdsanalytics");
    for f in [
        "config_nvdsanalytics.txt",
        "portable/config_nvdsanalytics.txt",
    ] {
        let c = AnalyticsConfig::from_file(&root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(c.warnings.is_empty(), "{f}: {:?}", c.warnings);
        assert!(!c.rules_for(0).lines.is_empty(), "{f}");
    }
}

fn err(text: &str) -> String {
    let body = format!("[property]\nenable=1\nconfig-width=1920\nconfig-height=1080\n{text}");
    match AnalyticsConfig::parse_bytes(Path::new("bad.txt"), body.as_bytes()) {
        Ok(c) => panic!("accepted: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_polygons_are_refused_naming_the_key() {
    assert_eq!(
        err("[roi-filtering-stream-0]\nenable=1\nroi-A=1;2;3;4;5\n"),
        "bad.txt: [roi-filtering-stream-0] roi-A=1;2;3;4;5: expected a polygon: at least 3 points as x1;y1;x2;y2;... (integers >= 0, an even count)"
    );
    assert!(err("[roi-filtering-stream-0]\nroi-A=1;2;3;4\n").contains("at least 3 points"));
    assert!(
        err("[overcrowding-stream-0]\nroi-OC=1;2;x;4;5;6\n")
            .contains("[overcrowding-stream-0] roi-OC=1;2;x;4;5;6: expected a polygon")
    );
    assert!(err("[roi-filtering-stream-0]\nroi-A=1;2;3;-4;5;6\n").contains("integers >= 0"));
    assert_eq!(
        err("[roi-filtering-stream-0]\nenable=1\n"),
        "bad.txt: [roi-filtering-stream-0]: no roi-<label> key in the group"
    );
}

#[test]
fn a_line_crossing_entry_needs_8_numbers() {
    assert_eq!(
        err("[line-crossing-stream-0]\nenable=1\nline-crossing-Exit=789;672;1084;900;851;773\n"),
        "bad.txt: [line-crossing-stream-0] line-crossing-Exit=789;672;1084;900;851;773: expected 8 integers >= 0 separated by ';': the direction (x1;y1;x2;y2) then the line (x1;y1;x2;y2)"
    );
    assert!(
        err("[direction-detection-stream-0]\ndirection-N=1;2;3\n").contains("expected 4 integers")
    );
    assert!(
        err("[line-crossing-stream-0]\nline-crossing-A=1;2;3;4;5;6;7;8\nextended=maybe\n")
            .contains("extended=maybe: expected a boolean")
    );
}

#[test]
fn bad_groups_property_values_and_files() {
    assert_eq!(
        err("[line-crossing-stream-x]\nline-crossing-A=1;2;3;4;5;6;7;8\n"),
        "bad.txt: [line-crossing-stream-x]: the group name must end in -stream-<N> or -stream-all"
    );
    let no_width = AnalyticsConfig::parse_bytes(
        Path::new("w.txt"),
        b"[property]\nenable=1\nconfig-height=10\n",
    );
    assert_eq!(
        no_width.unwrap_err().to_string(),
        "w.txt: [property] config-width=: expected an integer >= 0"
    );
    let osd = AnalyticsConfig::parse_bytes(
        Path::new("o.txt"),
        b"[property]\nenable=1\nconfig-width=1\nconfig-height=1\nosd-mode=3\n",
    );
    assert_eq!(
        osd.unwrap_err().to_string(),
        "o.txt: [property] osd-mode=3: expected 0, 1 or 2"
    );
    let none = AnalyticsConfig::parse_bytes(
        Path::new("p.txt"),
        b"[roi-filtering-stream-0]\nroi-A=1;1;5;1;5;5\n",
    );
    assert_eq!(
        none.unwrap_err(),
        ConfigError::NoPropertyGroup {
            file: "p.txt".into()
        }
    );
    let missing =
        AnalyticsConfig::from_file(Path::new("/nonexistent/config_nvdsanalytics.txt")).unwrap_err();
    assert!(
        missing.to_string().starts_with(
            "/nonexistent/config_nvdsanalytics.txt: cannot read the analytics config: "
        ),
        "{missing}"
    );
    let syntax =
        AnalyticsConfig::parse_bytes(Path::new("s.txt"), b"[property\nenable=1\n").unwrap_err();
    assert!(matches!(syntax, ConfigError::Syntax { .. }), "{syntax}");
}

#[test]
fn unknown_keys_groups_and_modes_are_warnings() {
    let c = AnalyticsConfig::parse_bytes(
        Path::new("u.txt"),
        b"[property]\nenable=1\nconfig-width=10\nconfig-height=10\ncolour=red\n[tracker]\na=1\n[line-crossing-stream-3]\nline-crossing-A=1;2;3;4;5;6;7;8\nmode=sideways\nline_color=1;0;0\n",
    )
    .expect("parses");
    assert_eq!(
        c.warnings,
        [
            "unknown key 'colour' in group [property]",
            "group [tracker] ignored",
            "[line-crossing-stream-3] mode=sideways: unknown mode, using Loose",
            "unknown key 'line_color' in group [line-crossing-stream-3]",
        ]
    );
    // a group for stream 3 in a pipeline of 2 sources
    assert_eq!(c.streams_beyond(2), vec![3]);
    assert!(c.rules_for(0).is_empty());
}
