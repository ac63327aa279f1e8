//! What deepstream-test2's portable secondary classifiers say about the vehicles of a clip.
//!
//! Runs `dsstreammux → dsinfer (test2 portable pgie) → dsinfer (sgie1) → dsinfer (sgie2)` on
//! an H.264 elementary stream or MP4 and prints, per vehicle (class 0) of each frame, its size
//! and each classifier's label and probability, then how often each label came. The sgies run
//! in synchronous mode (copies of the configs with `classifier-async-mode=0`) because there
//! is no tracker here, and asynchronous mode infers on tracked objects only (as nvinfer);
//! `THRESHOLD` replaces both configs' `classifier-threshold` (e.g. 0 to see every best class).
//!
//! ```text
//! cargo run -p ds-elements --example test2_sgie_labels -- streams/vtest.h264 [FRAMES] [WIDTHxHEIGHT] [THRESHOLD]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use ds_meta::BatchMeta;
use gst::prelude::*;

fn sync_copy(root: &Path, name: &str, threshold: Option<&str>) -> Result<PathBuf> {
    let dir = root.join("configs/deepstream-test2/portable");
    let mut out = String::new();
    let text = std::fs::read_to_string(dir.join(name))
        .with_context(|| format!("{}", dir.join(name).display()))?;
    for line in text.lines() {
        let line = if line.starts_with("classifier-async-mode=") {
            "classifier-async-mode=0".to_string()
        } else if let (Some(t), true) = (threshold, line.starts_with("classifier-threshold=")) {
            format!("classifier-threshold={t}")
        } else if let Some(v) = line.strip_prefix("onnx-file=") {
            format!("onnx-file={}", dir.join(v).display())
        } else if let Some(v) = line.strip_prefix("labelfile-path=") {
            format!("labelfile-path={}", dir.join(v).display())
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    let p = std::env::temp_dir().join(format!("test2-sync-{}-{name}", std::process::id()));
    std::fs::write(&p, out)?;
    Ok(p)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(clip) = args.first() else {
        bail!("usage: test2_sgie_labels CLIP [FRAMES] [WIDTHxHEIGHT] [THRESHOLD]");
    };
    let frames: u32 = args
        .get(1)
        .map_or(Ok(100), |s| s.parse())
        .context("FRAMES")?;
    let (w, h) = match args.get(2) {
        Some(s) => {
            let (a, b) = s.split_once('x').context("WIDTHxHEIGHT")?;
            (a.parse::<u32>()?, b.parse::<u32>()?)
        }
        None => (1920, 1080),
    };
    let threshold = args.get(3).map(String::as_str);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let clip = Path::new(clip)
        .canonicalize()
        .with_context(|| clip.clone())?;
    gst::init()?;
    ds_elements::register_static()?;
    let demux = if clip.extension().is_some_and(|e| e == "mp4") {
        "qtdemux ! "
    } else {
        ""
    };
    let line = format!(
        "filesrc location={} ! {demux}h264parse ! avdec_h264 ! identity eos-after={} ! m.sink_0 \
         dsstreammux name=m batch-size=1 width={w} height={h} batched-push-timeout=33000 ! \
         dsinfer config-file-path={} ! dsinfer name=sgie1 config-file-path={} ! \
         dsinfer name=sgie2 config-file-path={} ! fakesink",
        clip.display(),
        frames + 1,
        root.join("configs/deepstream-test2/portable/dstest2_pgie_config.txt")
            .display(),
        sync_copy(&root, "dstest2_sgie1_config.txt", threshold)?.display(),
        sync_copy(&root, "dstest2_sgie2_config.txt", threshold)?.display(),
    );
    let p = gst::parse::launch(&line)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let c2 = counts.clone();
    let sgie2 = p.by_name("sgie2").context("sgie2")?;
    sgie2.static_pad("src").context("src pad")?.add_probe(
        gst::PadProbeType::BUFFER,
        move |_, info| {
            let Some(bm) = info.buffer().and_then(|b| BatchMeta::from_buffer(b)) else {
                return gst::PadProbeReturn::Ok;
            };
            for f in bm.frames() {
                for o in f.objects().filter(|o| o.class_id() == 0) {
                    let r = o.rect_params();
                    let mut s = String::new();
                    for c in o.classifier_metas() {
                        for l in c.label_infos() {
                            let key = format!("sgie{} {}", c.unique_component_id() - 1, l.label());
                            *c2.lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .entry(key)
                                .or_default() += 1;
                            s.push_str(&format!(
                                "  sgie{}: {} {:.2}",
                                c.unique_component_id() - 1,
                                l.label(),
                                l.result_prob()
                            ));
                        }
                    }
                    println!(
                        "frame {} vehicle at {:.0},{:.0} {:.0}x{:.0}{}",
                        f.frame_num(),
                        r.left,
                        r.top,
                        r.width,
                        r.height,
                        if s.is_empty() {
                            "  (not classified)".into()
                        } else {
                            s
                        }
                    );
                }
            }
            gst::PadProbeReturn::Ok
        },
    );
    let t = Instant::now();
    p.set_state(gst::State::Playing)?;
    let bus = p.bus().context("bus")?;
    let mut result = Ok(());
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                result = Err(anyhow::anyhow!("{} ({:?})", e.error(), e.debug()));
                break;
            }
            _ => {}
        }
    }
    p.set_state(gst::State::Null)?;
    result?;
    let sgie1 = p.by_name("sgie1").context("sgie1")?;
    println!(
        "{frames} frames at {w}x{h} in {:.1} s; crops inferred: sgie1 {}, sgie2 {}",
        t.elapsed().as_secs_f64(),
        sgie1.property::<u64>("inferred-objects"),
        sgie2.property::<u64>("inferred-objects")
    );
    for (label, n) in counts.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        println!("{n:6}  {label}");
    }
    Ok(())
}
