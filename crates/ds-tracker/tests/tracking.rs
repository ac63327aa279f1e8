//! The tracker's behaviour on scripted scenes: id stability through a crossing, probation and
//! its past-frame data, shadow tracking, early termination, Kalman prediction, ids per stream.

use std::path::Path;

use ds_tracker::{
    BBox, Detection, FrameInput, FrameOutput, RgbaImage, TargetState, Tracker, TrackerConfig,
};

const W: u32 = 320;
const H: u32 = 240;

fn config(yaml: &str) -> TrackerConfig {
    TrackerConfig::from_str_at(yaml, Path::new("test.yml")).unwrap_or_else(|e| panic!("{e}"))
}

fn nvdcf_test2() -> TrackerConfig {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs/deepstream-test2/portable/config_tracker_NvDCF_perf.yml");
    TrackerConfig::from_file(&p).unwrap_or_else(|e| panic!("{e}"))
}

fn det(b: BBox) -> Detection {
    Detection {
        class_id: 2,
        confidence: 0.9,
        bbox: b,
        label: "Person".into(),
    }
}

/// A grey frame with the given boxes filled with their colours, later ones in front.
fn frame(people: &[(BBox, [u8; 3])]) -> Vec<u8> {
    let mut v = vec![128u8; (W * H * 4) as usize];
    for (b, c) in people {
        let Some(b) = b.clipped(W as f32, H as f32) else {
            continue;
        };
        for y in b.top as u32..b.bottom() as u32 {
            for x in b.left as u32..b.right() as u32 {
                let o = ((y * W + x) * 4) as usize;
                v[o..o + 3].copy_from_slice(c);
            }
        }
    }
    v
}

fn step(t: &mut Tracker, f: u32, dets: &[Detection], pixels: Option<&[u8]>) -> FrameOutput {
    t.track(&FrameInput {
        stream_id: 0,
        frame_num: f,
        width: W,
        height: H,
        detections: dets,
        image: pixels.map(|data| RgbaImage {
            data,
            width: W,
            height: H,
            stride: W as usize * 4,
        }),
    })
}

fn id_of(out: &FrameOutput, det: usize) -> Option<u64> {
    out.objects
        .iter()
        .find(|o| o.detection == Some(det))
        .map(|o| o.object_id)
}

#[test]
fn ids_survive_two_people_crossing_with_occlusion() {
    // red walks right, blue walks left at 4 px/frame, blue in front; their boxes overlap
    // in frames 22..=28 and red's centre is hidden in frames 23..=27: for frames 22..=27 the
    // detector sees only the front person (blue).
    let mut t = Tracker::new(nvdcf_test2());
    let (mut red_id, mut blue_id) = (None, None);
    for f in 0..42u32 {
        let red = BBox::new(40.0 + 4.0 * f as f32, 80.0, 30.0, 80.0);
        let blue = BBox::new(240.0 - 4.0 * f as f32, 84.0, 30.0, 80.0);
        let pixels = frame(&[(red, [200, 30, 30]), (blue, [30, 30, 200])]);
        let occluded = (22..=27).contains(&f);
        let dets: Vec<Detection> = if occluded {
            vec![det(blue)]
        } else {
            vec![det(red), det(blue)]
        };
        let out = step(&mut t, f, &dets, Some(&pixels));
        if f < 3 {
            assert!(
                out.objects.is_empty(),
                "frame {f}: targets in probation are not output"
            );
            continue;
        }
        let (r, b) = if occluded {
            (None, id_of(&out, 0))
        } else {
            (id_of(&out, 0), id_of(&out, 1))
        };
        if let Some(b) = b {
            assert_eq!(*blue_id.get_or_insert(b), b, "frame {f}: blue kept its id");
        } else {
            panic!("frame {f}: blue not output: {out:?}");
        }
        match r {
            Some(r) => assert_eq!(*red_id.get_or_insert(r), r, "frame {f}: red kept its id"),
            None => assert!(occluded, "frame {f}: red not output: {out:?}"),
        }
    }
    assert_ne!(red_id, blue_id);
    assert_eq!(
        (red_id, blue_id),
        (Some(0), Some(1)),
        "useUniqueID 0: per-stream counter from 0"
    );
}

#[test]
fn probation_hides_new_targets_and_releases_their_past_frames() {
    let mut t = Tracker::new(nvdcf_test2()); // probationAge 3
    for f in 0..3u32 {
        let out = step(
            &mut t,
            f,
            &[det(BBox::new(50.0 + f as f32, 50.0, 40.0, 90.0))],
            None,
        );
        assert!(
            out.objects.is_empty() && out.past_frames.is_empty(),
            "frame {f}: {out:?}"
        );
        assert_eq!(t.num_targets(0), 1);
    }
    let out = step(&mut t, 3, &[det(BBox::new(53.0, 50.0, 40.0, 90.0))], None);
    assert_eq!(out.objects.len(), 1);
    let o = &out.objects[0];
    assert_eq!((o.object_id, o.age, o.detection), (0, 3, Some(0)));
    assert_eq!(
        out.past_frames.len(),
        1,
        "the probation frames come out once"
    );
    let p = &out.past_frames[0];
    assert_eq!(
        (p.unique_id, p.class_id, p.label.as_str()),
        (0, 2, "Person")
    );
    let frames: Vec<(u32, u32, TargetState)> = p
        .frames
        .iter()
        .map(|f| (f.frame_num, f.age, f.state))
        .collect();
    assert_eq!(
        frames,
        vec![
            (0, 0, TargetState::Tentative),
            (1, 1, TargetState::Tentative),
            (2, 2, TargetState::Tentative)
        ]
    );
    assert!((p.frames[0].bbox.left - 50.0).abs() < 0.5);
    let out = step(&mut t, 4, &[det(BBox::new(54.0, 50.0, 40.0, 90.0))], None);
    assert!(out.past_frames.is_empty());
}

#[test]
fn early_termination_during_probation() {
    let mut t = Tracker::new(nvdcf_test2()); // earlyTerminationAge 1
    step(&mut t, 0, &[det(BBox::new(50.0, 50.0, 40.0, 90.0))], None);
    step(&mut t, 1, &[], None);
    assert_eq!(
        t.num_targets(0),
        0,
        "a missed frame ends a target in probation"
    );
    for f in 2..6u32 {
        let out = step(&mut t, f, &[det(BBox::new(50.0, 50.0, 40.0, 90.0))], None);
        if f < 5 {
            assert!(out.objects.is_empty());
        } else {
            assert_eq!(out.objects[0].object_id, 1, "a new target, new id");
        }
    }
}

#[test]
fn shadow_tracking_keeps_the_id_up_to_max_shadow_tracking_age() {
    let yaml = "%YAML:1.0\nTargetManagement:\n  probationAge: 1\n  maxShadowTrackingAge: 4\n  earlyTerminationAge: 1\n  outputShadowTracks: 1\nTrajectoryManagement:\n  useUniqueID: 0\n";
    let b = BBox::new(100.0, 60.0, 40.0, 90.0);
    for (missed, same) in [(4u32, true), (5, false)] {
        let mut t = Tracker::new(config(yaml));
        for f in 0..3 {
            step(&mut t, f, &[det(b)], None);
        }
        for f in 3..3 + missed {
            let out = step(&mut t, f, &[], None);
            assert!(
                out.objects.is_empty(),
                "IOU tracker: no output without a detection"
            );
            assert_eq!(out.shadow_tracks.len(), usize::from(t.num_targets(0) == 1));
            if let Some(s) = out.shadow_tracks.first() {
                assert_eq!(s.frames[0].state, TargetState::Inactive);
            }
        }
        let out = step(&mut t, 3 + missed, &[det(b)], None);
        if same {
            assert_eq!(
                out.objects[0].object_id, 0,
                "re-associated after {missed} missed frames"
            );
            assert_eq!(
                out.past_frames[0].frames.len(),
                missed as usize,
                "the shadow frames are past-frame data"
            );
        } else {
            assert!(
                out.objects.is_empty(),
                "terminated after {missed} frames: a new target in probation"
            );
            let out = step(&mut t, 4 + missed, &[det(b)], None);
            assert_eq!(out.objects[0].object_id, 1);
        }
    }
}

#[test]
fn kalman_prediction_carries_a_moving_target_through_missed_detections() {
    // 20x40 box moving 6 px/frame: after 6 missed frames it is 36 px away, no overlap with
    // where it was last seen.
    let with_kf = "StateEstimator:\n  stateEstimatorType: 1\n  processNoiseVar4Vel: 0.5\nDataAssociator:\n  usePrediction4Assoc: 1\nTargetManagement:\n  probationAge: 1\n  maxShadowTrackingAge: 10\n  outputShadowTracks: 1\nTrajectoryManagement:\n  useUniqueID: 0\n";
    let without = "TargetManagement:\n  probationAge: 1\n  maxShadowTrackingAge: 10\nTrajectoryManagement:\n  useUniqueID: 0\n";
    let at = |f: u32| BBox::new(10.0 + 6.0 * f as f32, 100.0, 20.0, 40.0);
    for (yaml, same) in [(with_kf, true), (without, false)] {
        let mut t = Tracker::new(config(yaml));
        for f in 0..15 {
            step(&mut t, f, &[det(at(f))], None);
        }
        for f in 15..21 {
            let out = step(&mut t, f, &[], None);
            if same {
                let p = &out.shadow_tracks[0].frames[0].bbox;
                assert!(
                    (p.left - at(f).left).abs() < 3.0,
                    "frame {f}: predicted {p:?}, truth {:?}",
                    at(f)
                );
            }
        }
        let out = step(&mut t, 21, &[det(at(21))], None);
        if same {
            assert_eq!(out.objects[0].object_id, 0, "matched to its prediction");
        } else {
            assert!(
                out.objects.is_empty(),
                "no state estimator: the detection starts a new target"
            );
        }
    }
}

#[test]
fn ids_are_per_stream_counters_or_carry_the_stream_id() {
    for (unique, expect) in [(0, [0u64, 0, 1]), (1, [0, 5 << 32, (5 << 32) | 1])] {
        let yaml = format!(
            "TargetManagement:\n  probationAge: 0\nTrajectoryManagement:\n  useUniqueID: {unique}\n"
        );
        let mut t = Tracker::new(config(&yaml));
        let mut ids = Vec::new();
        for (stream, b) in [
            (0u32, BBox::new(10.0, 10.0, 20.0, 40.0)),
            (5, BBox::new(10.0, 10.0, 20.0, 40.0)),
            (5, BBox::new(200.0, 10.0, 20.0, 40.0)),
        ] {
            let d = [det(b)];
            let out = t.track(&FrameInput {
                stream_id: stream,
                frame_num: 0,
                width: W,
                height: H,
                detections: &d,
                image: None,
            });
            ids.push(out.objects[0].object_id);
        }
        assert_eq!(ids, expect, "useUniqueID {unique}");
    }
}

#[test]
fn detections_below_min_detector_confidence_and_other_classes_are_not_tracked() {
    let mut t = Tracker::new(config(
        "BaseConfig:\n  minDetectorConfidence: 0.5\nTargetManagement:\n  probationAge: 0\n",
    ));
    let mut low = det(BBox::new(10.0, 10.0, 20.0, 40.0));
    low.confidence = 0.3;
    let out = step(&mut t, 0, &[low], None);
    assert!(out.objects.is_empty());
    assert_eq!(t.num_targets(0), 0);
    // checkClassMatch: a car on the person's box does not continue the person
    let b = BBox::new(100.0, 10.0, 20.0, 40.0);
    let p = step(&mut t, 1, &[det(b)], None).objects[0].object_id;
    let mut car = det(b);
    car.class_id = 0;
    let out = step(&mut t, 2, &[car], None);
    assert!(
        out.objects
            .iter()
            .all(|o| o.object_id != p || o.class_id == 2)
    );
    assert!(
        out.objects
            .iter()
            .all(|o| o.detection.is_none() || o.class_id == 0)
    );
}

#[test]
fn max_targets_per_stream_and_min_iou_diff_limit_new_targets() {
    let mut t = Tracker::new(config(
        "TargetManagement:\n  probationAge: 0\n  maxTargetsPerStream: 2\n  minIouDiff4NewTarget: 0.3\n",
    ));
    let dets: Vec<Detection> = (0..4)
        .map(|i| det(BBox::new(10.0 + 60.0 * i as f32, 10.0, 20.0, 40.0)))
        .collect();
    assert_eq!(step(&mut t, 0, &dets, None).objects.len(), 2);
    assert_eq!(t.num_targets(0), 2);
    let mut t = Tracker::new(config(
        "TargetManagement:\n  probationAge: 0\n  minIouDiff4NewTarget: 0.3\nDataAssociator:\n  checkClassMatch: 0\n",
    ));
    // two boxes with IOU 0.6: the second (less confident) is discarded
    let mut a = det(BBox::new(10.0, 10.0, 40.0, 40.0));
    a.confidence = 0.95;
    let b = det(BBox::new(18.0, 10.0, 40.0, 40.0));
    let out = step(&mut t, 0, &[a, b], None);
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].detection, Some(0));
}

#[test]
fn nvdcf_outputs_a_missed_target_while_its_appearance_is_still_there() {
    // the detector misses a still-visible person for 3 frames: the visual tracker
    // (colour-histogram approximation) keeps outputting it, without a detection.
    let mut t = Tracker::new(nvdcf_test2());
    let b = |f: u32| BBox::new(60.0 + 2.0 * f as f32, 60.0, 36.0, 90.0);
    for f in 0..12u32 {
        let pixels = frame(&[(b(f), [40, 160, 60])]);
        let dets = if (6..9).contains(&f) {
            vec![]
        } else {
            vec![det(b(f))]
        };
        let out = step(&mut t, f, &dets, Some(&pixels));
        if f >= 3 {
            assert_eq!(out.objects.len(), 1, "frame {f}: {out:?}");
            let o = &out.objects[0];
            assert_eq!(o.object_id, 0);
            assert_eq!(o.detection.is_none(), (6..9).contains(&f));
            assert!(
                o.tracker_confidence >= 0.2,
                "frame {f}: {}",
                o.tracker_confidence
            );
        }
    }
    // without the frame the same misses are not output (no visual tracker confidence)
    let mut t = Tracker::new(nvdcf_test2());
    for f in 0..9u32 {
        let dets = if (6..9).contains(&f) {
            vec![]
        } else {
            vec![det(b(f))]
        };
        let out = step(&mut t, f, &dets, None);
        if (6..9).contains(&f) {
            assert!(out.objects.is_empty());
        }
    }
}

#[test]
fn bbox_unclipping_keeps_the_size_at_the_border() {
    let mut t = Tracker::new(config(
        "TargetManagement:\n  probationAge: 0\n  enableBboxUnClipping: 1\nTrajectoryManagement:\n  useUniqueID: 0\n",
    ));
    step(&mut t, 0, &[det(BBox::new(20.0, 50.0, 40.0, 80.0))], None);
    // the person walks out on the left: the detector box is cut to 25 px at x = 0
    let out = step(&mut t, 1, &[det(BBox::new(0.0, 50.0, 25.0, 80.0))], None);
    let o = &out.objects[0];
    assert_eq!(o.object_id, 0);
    assert_eq!(
        (o.bbox.left, o.bbox.width),
        (-15.0, 40.0),
        "unclipped: extends past the border"
    );
}

#[test]
fn removing_a_stream_forgets_its_targets_and_optionally_its_ids() {
    let mut t = Tracker::new(config(
        "TargetManagement:\n  probationAge: 0\nTrajectoryManagement:\n  useUniqueID: 0\n",
    ));
    let b = BBox::new(10.0, 10.0, 20.0, 40.0);
    assert_eq!(step(&mut t, 0, &[det(b)], None).objects[0].object_id, 0);
    t.remove_stream(0, false); // EOS without id reset: targets gone, counter kept
    assert_eq!(t.num_targets(0), 0);
    assert_eq!(step(&mut t, 1, &[det(b)], None).objects[0].object_id, 1);
    t.remove_stream(0, true); // ids restart from 0
    assert_eq!(step(&mut t, 2, &[det(b)], None).objects[0].object_id, 0);
}

#[test]
fn cascaded_matching_continues_targets_with_tentative_detections() {
    // NvSORT-like: tentative detections (0.2 <= conf < 0.5) match validated targets on IOU
    // only, and start no target
    let yaml = "BaseConfig:\n  minDetectorConfidence: 0.2\nTargetManagement:\n  probationAge: 1\nTrajectoryManagement:\n  useUniqueID: 0\nDataAssociator:\n  associationMatcherType: 1\n  tentativeDetectorConfidence: 0.5\n  minMatchingScore4TentativeIou: 0.3\nStateEstimator:\n  stateEstimatorType: 2\n";
    let mut t = Tracker::new(config(yaml));
    let at = |f: u32| BBox::new(50.0 + 3.0 * f as f32, 60.0, 30.0, 80.0);
    for f in 0..4 {
        step(&mut t, f, &[det(at(f))], None);
    }
    let mut weak = det(at(4));
    weak.confidence = 0.3;
    let mut weak_far = det(BBox::new(250.0, 60.0, 30.0, 80.0));
    weak_far.confidence = 0.3;
    let out = step(&mut t, 4, &[weak, weak_far], None);
    assert_eq!(out.objects.len(), 1);
    assert_eq!(
        (out.objects[0].object_id, out.objects[0].detection),
        (0, Some(0))
    );
    assert_eq!(
        t.num_targets(0),
        1,
        "the weak far detection started no target"
    );
}

#[test]
fn mahalanobis_gating_rejects_a_detection_far_from_the_prediction() {
    // a target moving right 2 px/frame; then a detection overlapping its box but 30 px
    // lower: with thresholdMahalanobis 9.49 (chi-square 95 %, 4 dof) it starts a new target
    let base = "TargetManagement:\n  probationAge: 0\n  minIouDiff4NewTarget: 0.9\nTrajectoryManagement:\n  useUniqueID: 0\nStateEstimator:\n  stateEstimatorType: 2\n  noiseWeightVar4Loc: 0.05\n  noiseWeightVar4Vel: 0.00625\nDataAssociator:\n  usePrediction4Assoc: 1\n";
    for (gate, same) in [("", true), ("  thresholdMahalanobis: 9.4877\n", false)] {
        let mut t = Tracker::new(config(&format!("{base}{gate}")));
        for f in 0..10 {
            step(
                &mut t,
                f,
                &[det(BBox::new(50.0 + 2.0 * f as f32, 60.0, 30.0, 80.0))],
                None,
            );
        }
        let out = step(&mut t, 10, &[det(BBox::new(70.0, 90.0, 30.0, 80.0))], None);
        assert_eq!(
            out.objects
                .iter()
                .any(|o| o.object_id == 0 && o.detection.is_some()),
            same,
            "gate {gate:?}: {out:?}"
        );
    }
}
