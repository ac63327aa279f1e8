//! Data association (NvMultiObjectTracker's `DataAssociator`): which detection continues
//! which target.

/// One valid (target, detection) candidate with its total matching score.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Index of the target.
    pub target: usize,
    /// Index of the detection.
    pub detection: usize,
    /// Total score (weighted sum of the similarity scores).
    pub score: f32,
}

/// Greedy matching: candidates by decreasing score (ties: lower target, then detection
/// index first), each target and detection used once. `target_used` / `det_used` carry the
/// matches of earlier cascade stages and are updated.
pub fn greedy(
    mut candidates: Vec<Candidate>,
    target_used: &mut [bool],
    det_used: &mut [bool],
) -> Vec<(usize, usize)> {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.target.cmp(&b.target))
            .then(a.detection.cmp(&b.detection))
    });
    let mut pairs = Vec::new();
    for c in candidates {
        if target_used[c.target] || det_used[c.detection] {
            continue;
        }
        target_used[c.target] = true;
        det_used[c.detection] = true;
        pairs.push((c.target, c.detection));
    }
    pairs
}
