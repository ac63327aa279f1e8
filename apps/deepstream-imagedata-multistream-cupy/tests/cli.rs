//! deepstream-imagedata-multistream-cupy on the portable backend: the frames are changed in
//! place (the red channel halved), which the output MP4's pixels show; bad input.

use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-imagedata-multistream-cupy");
const APP: &str = "deepstream-imagedata-multistream-cupy";

#[test]
fn red_channel_halved_in_the_output() {
    let clip = ds_testkit::stream("vtest-4s.mp4");
    let mp4 = ds_testkit::out_path(APP, "out.mp4");
    let _ = std::fs::remove_file(&mp4);
    let out = ds_testkit::run(
        BIN,
        &["-i", &ds_testkit::stream_uri("vtest-4s.mp4"), "--backend", "portable", "--sink", "file", "--output", mp4.to_str().unwrap()],
        &[],
        Duration::from_secs(300),
    );
    let (stdout, stderr) = ds_testkit::text(&out);
    assert!(out.status.success(), "exit {:?}\nstderr:\n{stderr}", out.status);
    let keep = [5, 20, 35];
    let (n_in, src) = ds_testkit::decode(&clip, &keep);
    let (n_out, dst) = ds_testkit::decode(&mp4, &keep);
    assert_eq!(n_out, n_in, "every frame of the clip in the output");
    assert_eq!(stdout.matches("Frame Number= ").count(), n_in);
    for ((k, a), (_, b)) in src.iter().zip(&dst) {
        let m_in = a.mean_rgb(0, 0, a.width, a.height);
        let m_out = b.mean_rgb(0, 0, b.width, b.height);
        let ratio = [m_out[0] / m_in[0], m_out[1] / m_in[1], m_out[2] / m_in[2]];
        println!("frame {k}: mean RGB in {m_in:.1?} out {m_out:.1?} ratio {ratio:.2?}");
        assert!((0.4..0.65).contains(&ratio[0]), "frame {k}: red not halved: {ratio:.2?}");
        assert!((0.85..1.15).contains(&ratio[1]) && (0.85..1.15).contains(&ratio[2]), "frame {k}: green/blue changed: {ratio:.2?}");
        // Same picture otherwise.
        let ga = a.grey_thumbnail(0, 0, a.width, a.height, 32, 18);
        let gb = b.grey_thumbnail(0, 0, b.width, b.height, 32, 18);
        assert!(ds_testkit::correlation(&ga, &gb) > 0.9, "frame {k}: not the clip's picture");
    }
}

#[test]
fn bad_input_is_an_error() {
    let out = ds_testkit::run(BIN, &["-i", "no-such-clip.mp4", "--backend", "portable", "--sink", "fake"], &[], Duration::from_secs(60));
    let (_, stderr) = ds_testkit::text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("'no-such-clip.mp4' is not a URI"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let out = ds_testkit::run(BIN, &[], &[], Duration::from_secs(60));
    assert!(!out.status.success());
    assert!(ds_testkit::text(&out).1.contains("--input"));
}
