//! Boxes and the association metrics on them.

/// An axis-aligned box in frame pixels (`left`, `top`, `width`, `height`, as
/// `NvOSD_RectParams` / `NvBbox_Coords`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    /// Left edge (pixels).
    pub left: f32,
    /// Top edge (pixels).
    pub top: f32,
    /// Width (pixels).
    pub width: f32,
    /// Height (pixels).
    pub height: f32,
}

impl BBox {
    /// A box from its left, top, width and height (pixels).
    pub fn new(left: f32, top: f32, width: f32, height: f32) -> BBox {
        BBox {
            left,
            top,
            width,
            height,
        }
    }
    /// Right edge.
    pub fn right(&self) -> f32 {
        self.left + self.width
    }
    /// Bottom edge.
    pub fn bottom(&self) -> f32 {
        self.top + self.height
    }
    /// Area (pixels², 0 for a degenerate box).
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }
    /// Centre (x, y).
    pub fn center(&self) -> (f32, f32) {
        (self.left + self.width / 2.0, self.top + self.height / 2.0)
    }
    /// The box from its centre and size.
    pub fn from_center(cx: f32, cy: f32, w: f32, h: f32) -> BBox {
        BBox::new(cx - w / 2.0, cy - h / 2.0, w, h)
    }
    /// Area of the intersection with `o`.
    pub fn intersection(&self, o: &BBox) -> f32 {
        let w = self.right().min(o.right()) - self.left.max(o.left);
        let h = self.bottom().min(o.bottom()) - self.top.max(o.top);
        if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
    }
    /// Intersection over union with `o` (0 ..= 1).
    pub fn iou(&self, o: &BBox) -> f32 {
        let i = self.intersection(o);
        let u = self.area() + o.area() - i;
        if u <= 0.0 { 0.0 } else { i / u }
    }
    /// NvMultiObjectTracker's size similarity: the smaller area over the larger (0 ..= 1).
    pub fn size_similarity(&self, o: &BBox) -> f32 {
        let (a, b) = (self.area(), o.area());
        let m = a.max(b);
        if m <= 0.0 { 0.0 } else { a.min(b) / m }
    }
    /// The box grown by `pad` pixels on each side.
    pub fn padded(&self, pad: f32) -> BBox {
        BBox::new(
            self.left - pad,
            self.top - pad,
            self.width + 2.0 * pad,
            self.height + 2.0 * pad,
        )
    }
    /// The part of the box inside a `width` × `height` frame; `None` if nothing is inside.
    pub fn clipped(&self, width: f32, height: f32) -> Option<BBox> {
        let l = self.left.max(0.0);
        let t = self.top.max(0.0);
        let r = self.right().min(width);
        let b = self.bottom().min(height);
        (r > l && b > t).then(|| BBox::new(l, t, r - l, b - t))
    }
}
