//! `nms.py` of the sample (a port of nvinferserver's C++ clustering): per-class greedy
//! non-maximum suppression, then top-k over all classes.
//!
//! Fixed here: the Python's top-k step calls `list.sort(lambda ...)` with the key function as
//! a positional argument, which raises `TypeError` as soon as more than `topk` boxes survive
//! the NMS. What it intends, and what this does, is to sort the survivors by confidence
//! (highest first) and keep the first `topk`.

use crate::ssd_parser::ObjectDetectionInfo;

/// `compute_overlap_1d`: length of the overlap of `[x1min, x1max]` and `[x2min, x2max]`
/// (0 when disjoint).
fn overlap_1d(x1min: f32, x1max: f32, x2min: f32, x2max: f32) -> f32 {
    if x1min > x2min {
        return overlap_1d(x2min, x2max, x1min, x1max);
    }
    if x1max < x2min {
        0.0
    } else {
        x1max.min(x2max) - x2min
    }
}

/// `compute_iou`: intersection over union of two normalised boxes (0 when the union is 0).
pub fn compute_iou(a: &ObjectDetectionInfo, b: &ObjectDetectionInfo) -> f32 {
    let ow = overlap_1d(a.left, a.left + a.width, b.left, b.left + b.width);
    let oh = overlap_1d(a.top, a.top + a.height, b.top, b.top + b.height);
    let inter = ow * oh;
    let union = a.width * a.height + b.width * b.height - inter;
    if union == 0.0 { 0.0 } else { inter / union }
}

/// `non_maximum_suppression`: indices into `boxes` kept, highest confidence first; a box is
/// kept when its IoU with every box kept before it is at most `iou_threshold`.
pub fn non_maximum_suppression(boxes: &[ObjectDetectionInfo], iou_threshold: f32) -> Vec<usize> {
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    // Stable: equal confidences keep their input order.
    order.sort_by(|&i, &j| boxes[j].detection_confidence.total_cmp(&boxes[i].detection_confidence));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if kept.iter().all(|&k| compute_iou(&boxes[i], &boxes[k]) <= iou_threshold) {
            kept.push(i);
        }
    }
    kept
}

/// `cluster_and_fill_detection_output_nms`: NMS within each class (classes in the order they
/// first appear), then, when `topk` is not 0 and more survive, the `topk` most confident.
pub fn cluster_and_fill_detection_output_nms(
    object_list: &[ObjectDetectionInfo],
    topk: usize,
    iou_threshold: f32,
) -> Vec<ObjectDetectionInfo> {
    let mut classes: Vec<u32> = Vec::new();
    for o in object_list {
        if !classes.contains(&o.class_id) {
            classes.push(o.class_id);
        }
    }
    let mut clustered = Vec::new();
    for c in classes {
        let of_class: Vec<ObjectDetectionInfo> = object_list.iter().filter(|o| o.class_id == c).copied().collect();
        clustered.extend(non_maximum_suppression(&of_class, iou_threshold).into_iter().map(|i| of_class[i]));
    }
    if topk != 0 && clustered.len() > topk {
        // The sample's intent (its list.sort call is broken, see the module doc).
        clustered.sort_by(|a, b| b.detection_confidence.total_cmp(&a.detection_confidence));
        clustered.truncate(topk);
    }
    clustered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(class_id: u32, conf: f32, left: f32, top: f32, w: f32, h: f32) -> ObjectDetectionInfo {
        ObjectDetectionInfo { class_id, detection_confidence: conf, left, top, width: w, height: h }
    }

    #[test]
    fn iou_of_known_boxes() {
        let a = o(1, 0.9, 0.0, 0.0, 0.2, 0.2);
        let b = o(1, 0.8, 0.1, 0.0, 0.2, 0.2);
        assert!((compute_iou(&a, &b) - 0.02 / 0.06).abs() < 1e-6);
        assert_eq!(compute_iou(&a, &o(1, 0.5, 0.5, 0.5, 0.1, 0.1)), 0.0);
        assert_eq!(compute_iou(&o(1, 0.5, 0.0, 0.0, 0.0, 0.0), &o(1, 0.5, 0.0, 0.0, 0.0, 0.0)), 0.0);
    }

    #[test]
    fn per_class_suppression_and_topk_by_confidence() {
        let list = [
            o(1, 0.6, 0.0, 0.0, 0.2, 0.2),
            o(1, 0.9, 0.01, 0.0, 0.2, 0.2), // overlaps the first: it wins, the first goes
            o(3, 0.7, 0.0, 0.0, 0.2, 0.2),  // same place, other class: kept
            o(1, 0.8, 0.5, 0.5, 0.2, 0.2),
        ];
        let out = cluster_and_fill_detection_output_nms(&list, 0, 0.3);
        let confs: Vec<f32> = out.iter().map(|d| d.detection_confidence).collect();
        assert_eq!(confs, [0.9, 0.8, 0.7]);
        // top-k 2 over all classes: the two most confident (the Python raised TypeError here).
        let out = cluster_and_fill_detection_output_nms(&list, 2, 0.3);
        let confs: Vec<f32> = out.iter().map(|d| d.detection_confidence).collect();
        assert_eq!(confs, [0.9, 0.8]);
    }
}
