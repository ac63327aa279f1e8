//! Clustering of detections, per class, as nvinfer does it (`cluster-mode`).
//!
//! - NMS (2): sort by confidence (stable), keep a box unless its IoU with a kept box is
//!   above `nms-iou-threshold`; then `post-cluster-threshold` (strictly above) and `topk`.
//! - DBSCAN (1): boxes are points, the distance between two boxes is `1 − IoU`; a box with at
//!   least `minBoxes` boxes (itself included) within `eps` is a core box; clusters are grown
//!   from core boxes; a cluster counts when its confidences sum to at least
//!   `dbscan-min-score`. Each cluster becomes one box, the confidence-weighted mean of its
//!   members, with the highest member confidence. Then `post-cluster-threshold` and `topk`.
//!   `minBoxes=0` turns clustering off (nvinfer skips it).
//! - Hybrid (3): DBSCAN finds the clusters and drops noise boxes; NMS then runs on the
//!   surviving original boxes.
//! - groupRectangles (0): OpenCV's algorithm (similar boxes within `eps`, groups of more
//!   than `group-threshold` boxes are averaged, small groups inside bigger ones dropped);
//!   `group-threshold=0` leaves the boxes as they are. nvinfer reports confidence −0.1 for
//!   grouped boxes; the portable backend reports the group's highest confidence instead.
//! - None (4): `topk` only.
//!
//! NVIDIA's DBSCAN library is closed source; the distance and merge rule above are this
//! crate's, documented here, and checked by hand-computed tests.

use crate::config::{ClassAttrs, ClusterMode};
use crate::output::Detection;
use crate::preprocess::Rect;

/// Intersection over union of two boxes (0 when the union is empty).
pub fn iou(a: &Rect, b: &Rect) -> f32 {
    let w = (a.right().min(b.right()) - a.left.max(b.left)).max(0.0);
    let h = (a.bottom().min(b.bottom()) - a.top.max(b.top)).max(0.0);
    let inter = w * h;
    let union = a.area() + b.area() - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

fn sort_by_confidence(dets: &mut [Detection]) {
    dets.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// Keeps the `k` most confident detections (all when `k < 0`), most confident first.
pub fn top_k(mut dets: Vec<Detection>, k: i32) -> Vec<Detection> {
    sort_by_confidence(&mut dets);
    if k >= 0 {
        dets.truncate(k as usize);
    }
    dets
}

/// Non-maximum suppression of one class's detections.
pub fn nms(mut dets: Vec<Detection>, iou_threshold: f32) -> Vec<Detection> {
    sort_by_confidence(&mut dets);
    let mut kept: Vec<Detection> = Vec::new();
    for d in dets {
        if kept.iter().all(|k| iou(&d.rect, &k.rect) <= iou_threshold) {
            kept.push(d);
        }
    }
    kept
}

/// DBSCAN labels: `Some(cluster)` or `None` for noise.
fn dbscan_labels(dets: &[Detection], eps: f32, min_boxes: usize) -> Vec<Option<usize>> {
    let n = dets.len();
    let neighbours: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i && 1.0 - iou(&dets[i].rect, &dets[j].rect) <= eps)
                .collect()
        })
        .collect();
    let core: Vec<bool> = neighbours
        .iter()
        .map(|nb| nb.len() + 1 >= min_boxes)
        .collect();
    let mut labels = vec![None; n];
    let mut next = 0;
    for i in 0..n {
        if labels[i].is_some() || !core[i] {
            continue;
        }
        labels[i] = Some(next);
        let mut stack = vec![i];
        while let Some(p) = stack.pop() {
            if !core[p] {
                continue;
            }
            for &q in &neighbours[p] {
                if labels[q].is_none() {
                    labels[q] = Some(next);
                    stack.push(q);
                }
            }
        }
        next += 1;
    }
    labels
}

fn dbscan_clusters(
    dets: &[Detection],
    eps: f32,
    min_boxes: usize,
    min_score: f32,
) -> Vec<Vec<usize>> {
    let labels = dbscan_labels(dets, eps, min_boxes);
    let count = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let mut clusters = vec![Vec::new(); count];
    for (i, l) in labels.iter().enumerate() {
        if let Some(l) = l {
            clusters[*l].push(i);
        }
    }
    clusters.retain(|c| {
        c.len() >= min_boxes && c.iter().map(|&i| dets[i].confidence).sum::<f32>() >= min_score
    });
    clusters
}

/// DBSCAN clustering of one class's detections: one merged box per cluster.
pub fn dbscan(dets: &[Detection], eps: f32, min_boxes: usize, min_score: f32) -> Vec<Detection> {
    let mut out = Vec::new();
    for cluster in dbscan_clusters(dets, eps, min_boxes, min_score) {
        let wsum: f32 = cluster.iter().map(|&i| dets[i].confidence.max(1e-6)).sum();
        let mut r = Rect::default();
        let mut best = &dets[cluster[0]];
        for &i in &cluster {
            let d = &dets[i];
            let w = d.confidence.max(1e-6) / wsum;
            r.left += w * d.rect.left;
            r.top += w * d.rect.top;
            r.width += w * d.rect.width;
            r.height += w * d.rect.height;
            if d.confidence > best.confidence {
                best = d;
            }
        }
        out.push(Detection {
            rect: r,
            ..best.clone()
        });
    }
    sort_by_confidence(&mut out);
    out
}

/// Hybrid clustering: the boxes of DBSCAN clusters (noise dropped), then NMS.
pub fn dbscan_nms_hybrid(
    dets: &[Detection],
    eps: f32,
    min_boxes: usize,
    min_score: f32,
    iou_threshold: f32,
) -> Vec<Detection> {
    let members: Vec<Detection> = dbscan_clusters(dets, eps, min_boxes, min_score)
        .into_iter()
        .flatten()
        .map(|i| dets[i].clone())
        .collect();
    nms(members, iou_threshold)
}

/// OpenCV `groupRectangles(rects, group_threshold, eps)` on one class's detections.
pub fn group_rectangles(dets: &[Detection], group_threshold: i32, eps: f32) -> Vec<Detection> {
    if group_threshold <= 0 || dets.is_empty() {
        return dets.to_vec();
    }
    let similar = |a: &Rect, b: &Rect| {
        let delta = eps * (a.width.min(b.width) + a.height.min(b.height)) * 0.5;
        (a.left - b.left).abs() <= delta
            && (a.top - b.top).abs() <= delta
            && (a.right() - b.right()).abs() <= delta
            && (a.bottom() - b.bottom()).abs() <= delta
    };
    // Partition (union-find) by similarity.
    let n = dets.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if similar(&dets[i].rect, &dets[j].rect) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        match groups.iter_mut().find(|(r, _)| *r == root) {
            Some((_, m)) => m.push(i),
            None => groups.push((root, vec![i])),
        }
    }
    let averaged: Vec<(Detection, usize)> = groups
        .iter()
        .map(|(_, m)| {
            let k = m.len() as f32;
            let mut r = Rect::default();
            let mut best = &dets[m[0]];
            for &i in m {
                r.left += dets[i].rect.left / k;
                r.top += dets[i].rect.top / k;
                r.width += dets[i].rect.width / k;
                r.height += dets[i].rect.height / k;
                if dets[i].confidence > best.confidence {
                    best = &dets[i];
                }
            }
            (
                Detection {
                    rect: r,
                    ..best.clone()
                },
                m.len(),
            )
        })
        .collect();
    let gt = group_threshold as usize;
    let mut out = Vec::new();
    for (i, (d1, n1)) in averaged.iter().enumerate() {
        if *n1 <= gt {
            continue;
        }
        let r1 = d1.rect;
        let inside_bigger = averaged.iter().enumerate().any(|(j, (d2, n2))| {
            if j == i || *n2 <= gt {
                return false;
            }
            let r2 = d2.rect;
            let dx = r2.width * eps;
            let dy = r2.height * eps;
            r1.left >= r2.left - dx
                && r1.top >= r2.top - dy
                && r1.right() <= r2.right() + dx
                && r1.bottom() <= r2.bottom() + dy
                && (*n2 > (*n1).max(3) || *n1 < 3)
        });
        if !inside_bigger {
            out.push(d1.clone());
        }
    }
    out
}

/// Clusters detections of all classes: per class with that class's attributes, in class
/// order, most confident first within a class.
pub fn cluster<'a>(
    dets: Vec<Detection>,
    mode: ClusterMode,
    attrs: impl Fn(u32) -> &'a ClassAttrs,
) -> Vec<Detection> {
    let mut classes: Vec<u32> = dets.iter().map(|d| d.class_id).collect();
    classes.sort_unstable();
    classes.dedup();
    let mut out = Vec::with_capacity(dets.len());
    for c in classes {
        let a = attrs(c);
        let mine: Vec<Detection> = dets.iter().filter(|d| d.class_id == c).cloned().collect();
        let post = |v: Vec<Detection>| -> Vec<Detection> {
            v.into_iter()
                .filter(|d| {
                    d.confidence > a.post_cluster_threshold || a.post_cluster_threshold <= 0.0
                })
                .collect()
        };
        let clustered = match mode {
            ClusterMode::Nms => top_k(post(nms(mine, a.nms_iou_threshold)), a.topk),
            ClusterMode::Dbscan => {
                let v = if a.min_boxes > 0 {
                    dbscan(&mine, a.eps, a.min_boxes as usize, a.dbscan_min_score)
                } else {
                    mine
                };
                top_k(post(v), a.topk)
            }
            ClusterMode::DbscanNmsHybrid => {
                let v = if a.min_boxes > 0 {
                    dbscan_nms_hybrid(
                        &mine,
                        a.eps,
                        a.min_boxes as usize,
                        a.dbscan_min_score,
                        a.nms_iou_threshold,
                    )
                } else {
                    nms(mine, a.nms_iou_threshold)
                };
                top_k(post(v), a.topk)
            }
            ClusterMode::GroupRectangles => group_rectangles(&mine, a.group_threshold, a.eps),
            ClusterMode::None => top_k(mine, a.topk),
        };
        out.extend(clustered);
    }
    out
}

/// Drops detections outside a class's size and ROI limits (`detected-min/max-w/h`,
/// `roi-top-offset`, `roi-bottom-offset`), in frame pixels, as nvinfer does when it attaches
/// object metadata. `frame_height` is the frame's height in pixels.
pub fn filter_by_size<'a>(
    dets: Vec<Detection>,
    frame_height: f32,
    attrs: impl Fn(u32) -> &'a ClassAttrs,
) -> Vec<Detection> {
    dets.into_iter()
        .filter(|d| {
            let a = attrs(d.class_id);
            let r = &d.rect;
            !(r.width < a.detected_min_w as f32
                || r.height < a.detected_min_h as f32
                || (a.detected_max_w > 0 && r.width > a.detected_max_w as f32)
                || (a.detected_max_h > 0 && r.height > a.detected_max_h as f32)
                || r.top < a.roi_top_offset as f32
                || r.bottom() > frame_height - a.roi_bottom_offset as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(class_id: u32, confidence: f32, l: f32, t: f32, w: f32, h: f32) -> Detection {
        Detection {
            class_id,
            confidence,
            rect: Rect::new(l, t, w, h),
            label: None,
            landmarks: Vec::new(),
            mask: None,
        }
    }

    #[test]
    fn iou_by_hand() {
        // 10x10 boxes overlapping by 5x10: inter 50, union 150.
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        let b = Rect::new(5.0, 0.0, 10.0, 10.0);
        assert!((iou(&a, &b) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(iou(&a, &Rect::new(20.0, 20.0, 5.0, 5.0)), 0.0);
        assert_eq!(iou(&a, &a), 1.0);
    }

    #[test]
    fn nms_keeps_best_and_disjoint() {
        let dets = vec![
            det(0, 0.6, 1.0, 0.0, 10.0, 10.0), // IoU with best: 9x10=90 / 110 = 0.818 -> dropped
            det(0, 0.9, 0.0, 0.0, 10.0, 10.0), // best
            det(0, 0.8, 5.0, 0.0, 10.0, 10.0), // IoU 1/3 -> kept at threshold 0.5
            det(0, 0.7, 50.0, 50.0, 10.0, 10.0), // disjoint -> kept
        ];
        let out = nms(dets.clone(), 0.5);
        let confs: Vec<f32> = out.iter().map(|d| d.confidence).collect();
        assert_eq!(confs, vec![0.9, 0.8, 0.7]);
        // At threshold 0.3, the 1/3 overlap is suppressed too.
        let out = nms(dets, 0.3);
        let confs: Vec<f32> = out.iter().map(|d| d.confidence).collect();
        assert_eq!(confs, vec![0.9, 0.7]);
    }

    #[test]
    fn nms_mode_applies_topk_and_post_threshold_per_class() {
        let a = ClassAttrs {
            nms_iou_threshold: 0.5,
            topk: 1,
            ..ClassAttrs::default()
        };
        let b = ClassAttrs {
            nms_iou_threshold: 0.5,
            post_cluster_threshold: 0.75,
            ..ClassAttrs::default()
        };
        let dets = vec![
            det(0, 0.9, 0.0, 0.0, 10.0, 10.0),
            det(0, 0.8, 50.0, 0.0, 10.0, 10.0),
            det(1, 0.7, 0.0, 0.0, 10.0, 10.0),
            det(1, 0.8, 50.0, 0.0, 10.0, 10.0),
        ];
        let out = cluster(dets, ClusterMode::Nms, |c| if c == 0 { &a } else { &b });
        let got: Vec<(u32, f32)> = out.iter().map(|d| (d.class_id, d.confidence)).collect();
        assert_eq!(got, vec![(0, 0.9), (1, 0.8)]);
    }

    #[test]
    fn dbscan_merges_overlapping_boxes_weighted_by_confidence() {
        // Two boxes with IoU 0.818 (distance 0.18) and one far box.
        let dets = vec![
            det(0, 0.75, 0.0, 0.0, 10.0, 10.0),
            det(0, 0.25, 1.0, 0.0, 10.0, 10.0),
            det(0, 0.5, 50.0, 50.0, 10.0, 10.0),
        ];
        // eps 0.2 links the pair; minBoxes 2 makes the lone box noise.
        let out = dbscan(&dets, 0.2, 2, 0.0);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].confidence, 0.75);
        assert!((out[0].rect.left - 0.25).abs() < 1e-6); // 0.75*0 + 0.25*1
        assert_eq!(out[0].rect.width, 10.0);
        // minBoxes 1: every box is a cluster.
        assert_eq!(dbscan(&dets, 0.2, 1, 0.0).len(), 2);
        // dbscan-min-score 1.1: the pair sums to 1.0 and is dropped.
        assert_eq!(dbscan(&dets, 0.2, 2, 1.1).len(), 0);
        // eps 0.1 does not link them.
        assert_eq!(dbscan(&dets, 0.1, 2, 0.0).len(), 0);
    }

    #[test]
    fn hybrid_drops_noise_then_nms() {
        let dets = vec![
            det(0, 0.75, 0.0, 0.0, 10.0, 10.0),
            det(0, 0.25, 1.0, 0.0, 10.0, 10.0),
            det(0, 0.5, 50.0, 50.0, 10.0, 10.0),
        ];
        let out = dbscan_nms_hybrid(&dets, 0.2, 2, 0.0, 0.5);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rect, Rect::new(0.0, 0.0, 10.0, 10.0)); // the original best box
    }

    #[test]
    fn group_rectangles_like_opencv() {
        // Three similar boxes (within eps 0.2: delta = 0.2 * (10 + 10) / 2 = 2) and one lone box.
        let dets = vec![
            det(0, 0.5, 0.0, 0.0, 10.0, 10.0),
            det(0, 0.9, 1.0, 1.0, 10.0, 10.0),
            det(0, 0.6, 2.0, 2.0, 10.0, 10.0),
            det(0, 0.7, 40.0, 40.0, 10.0, 10.0),
        ];
        // group-threshold 1: groups need more than 1 box: the lone box goes.
        let out = group_rectangles(&dets, 1, 0.2);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rect, Rect::new(1.0, 1.0, 10.0, 10.0));
        assert_eq!(out[0].confidence, 0.9);
        // group-threshold 0: unchanged.
        assert_eq!(group_rectangles(&dets, 0, 0.2).len(), 4);
        // group-threshold 3: the group of 3 is not enough.
        assert!(group_rectangles(&dets, 3, 0.2).is_empty());
    }

    #[test]
    fn size_and_roi_filters() {
        let a = ClassAttrs {
            detected_min_w: 10,
            detected_max_h: 100,
            roi_top_offset: 5,
            roi_bottom_offset: 10,
            ..ClassAttrs::default()
        };
        let dets = vec![
            det(0, 0.9, 0.0, 10.0, 9.0, 20.0),   // too narrow
            det(0, 0.9, 0.0, 10.0, 20.0, 120.0), // too tall
            det(0, 0.9, 0.0, 2.0, 20.0, 20.0),   // top above roi-top-offset
            det(0, 0.9, 0.0, 180.0, 20.0, 15.0), // bottom 195 > 200 - 10
            det(0, 0.9, 0.0, 170.0, 20.0, 20.0), // bottom 190: kept
        ];
        let out = filter_by_size(dets, 200.0, |_| &a);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rect.top, 170.0);
    }
}
