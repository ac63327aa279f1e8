//! The geometry of nvdsanalytics' rules, in frame pixels, with its integer conventions
//! (coordinates are `i32`, the object's reference point is computed with integer division).

/// A point in pixels (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Point {
    /// x, pixels from the left.
    pub x: i32,
    /// y, pixels from the top.
    pub y: i32,
}

impl Point {
    /// `Point { x, y }`.
    pub const fn new(x: i32, y: i32) -> Point {
        Point { x, y }
    }

    /// Scaled from config pixels to frame pixels: `x * sx`, `y * sy`, truncated toward zero
    /// (as nvdsanalytics scales its configured points).
    pub fn scaled(self, sx: f32, sy: f32) -> Point {
        Point::new((self.x as f32 * sx) as i32, (self.y as f32 * sy) as i32)
    }
}

/// Whether `p` is inside `polygon` (closed: the last point joins the first), by counting the
/// polygon's edges crossed by the horizontal ray from x = 0 to `p` (an odd count is inside).
/// An edge counts when `p.y` is in `[min_y, max_y)` of its two ends and its crossing x
/// (integer division) is in `[0, p.x]`; horizontal edges never count. Points on the left and
/// top edges are inside, as in nvdsanalytics. A polygon of fewer than 3 points contains
/// nothing.
pub fn point_in_polygon(polygon: &[Point], p: Point) -> bool {
    if polygon.len() < 3 {
        return false;
    }
    let mut crossings = 0u32;
    for (i, a) in polygon.iter().enumerate() {
        let b = polygon[(i + 1) % polygon.len()];
        let spans = (p.y >= a.y && p.y < b.y) || (p.y < a.y && p.y >= b.y);
        if !spans {
            continue;
        }
        let (av, bv) = ((a.y - b.y) as i64, (b.x - a.x) as i64);
        let cv = (b.y as i64) * (a.x as i64) - (b.x as i64) * (a.y as i64);
        if av != 0 {
            let x = -(bv * p.y as i64 + cv) / av;
            if x >= 0 && x <= p.x as i64 {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

/// A line `a·x + b·y + c = 0` with `(a, b)` of unit length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// a.
    pub a: f64,
    /// b.
    pub b: f64,
    /// c.
    pub c: f64,
}

impl Line {
    /// The line through `p` and `q` (`None` when they are the same point). Its positive side
    /// is on the right of p → q in image coordinates (y down): the sign of
    /// `(p.y - q.y)·x + (q.x - p.x)·y + (p.x·q.y - q.x·p.y)`.
    pub fn through(p: (f64, f64), q: (f64, f64)) -> Option<Line> {
        let a = p.1 - q.1;
        let b = q.0 - p.0;
        let c = p.0 * q.1 - q.0 * p.1;
        let m = (a * a + b * b).sqrt();
        (m > 0.0).then(|| Line {
            a: a / m,
            b: b / m,
            c: c / m,
        })
    }

    /// The signed distance of `(x, y)` to the line, pixels.
    pub fn side(&self, x: f64, y: f64) -> f64 {
        self.a * x + self.b * y + self.c
    }

    /// Where two lines meet (`None` when they are parallel).
    pub fn intersection(&self, o: &Line) -> Option<(f64, f64)> {
        let det = self.a * o.b - self.b * o.a;
        if det.abs() < 1e-5 {
            return None;
        }
        Some((
            (-self.c * o.b + self.b * o.c) / det,
            (-self.a * o.c + self.c * o.a) / det,
        ))
    }
}

/// The unit vector from `p` to `q` ((0, 0) when they coincide).
pub fn unit(p: (f64, f64), q: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let m = (dx * dx + dy * dy).sqrt();
    if m < 1e-9 {
        (0.0, 0.0)
    } else {
        (dx / m, dy / m)
    }
}

/// Whether the movement from `prev` to `curr` follows `dir` (a unit vector): the cosine of the
/// angle between them is at least `min_cos`. No movement follows nothing.
pub fn follows(dir: (f64, f64), prev: Point, curr: Point, min_cos: f32) -> bool {
    let (x, y) = ((curr.x - prev.x) as f64, (curr.y - prev.y) as f64);
    if x == 0.0 && y == 0.0 {
        return false;
    }
    (dir.0 * x + dir.1 * y) / (x * x + y * y).sqrt() >= min_cos as f64
}

/// Whether the movement `prev → curr` crosses `line` (strict change of side, each side value
/// truncated to whole pixels as nvdsanalytics does) while following `dir` (cosine ≥ `min_cos`).
pub fn crosses_with_direction(
    dir: (f64, f64),
    line: &Line,
    prev: Point,
    curr: Point,
    min_cos: f32,
) -> bool {
    if !follows(dir, prev, curr, min_cos) {
        return false;
    }
    let p = line.side(prev.x as f64, prev.y as f64) as i32;
    let c = line.side(curr.x as f64, curr.y as f64) as i32;
    (c > 0 && p < 0) || (c < 0 && p > 0)
}

/// Whether the line through the movement `prev → curr` meets the segment `a → b` inside it:
/// the meeting point `i` has a positive projection on `a → b` and lies closer to `a` than
/// `b` is (nvdsanalytics' test for `extended=0`).
pub fn meets_segment(
    prev: (f64, f64),
    curr: (f64, f64),
    segment: &Line,
    a: Point,
    b: Point,
) -> bool {
    let Some(movement) = Line::through(prev, curr) else {
        return false;
    };
    let Some((xi, yi)) = movement.intersection(segment) else {
        return false;
    };
    let v1 = (xi - a.x as f64, yi - a.y as f64);
    let v2 = ((b.x - a.x) as f64, (b.y - a.y) as f64);
    let dot = v1.0 * v2.0 + v1.1 * v2.1;
    dot > 0.0 && (v2.0 * v2.0 + v2.1 * v2.1) > (v1.0 * v1.0 + v1.1 * v1.1)
}

/// Which crossing of a line a `loose` rule counts when its direction vector starts (or ends)
/// clearly on one side of the line: nvdsanalytics' `eModeDir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossingSense {
    /// Use the direction vector (cosine test).
    UseDirection,
    /// From the positive side of the line to the negative side.
    PositiveToNegative,
    /// From the negative side to the positive side.
    NegativeToPositive,
}

/// The [`CrossingSense`] of a rule with direction `d0 → d1` and line `l0 → l1` (frame
/// pixels): the direction must point at the line (its unit vector towards the meeting point
/// of the two lines has cosine > 0.99 with it); then the side of `d0` (or of `d1`) gives the
/// sense. Parallel lines or a vector pointing away: [`CrossingSense::UseDirection`].
pub fn crossing_sense(d0: Point, d1: Point, l0: Point, l1: Point) -> CrossingSense {
    let f = |p: Point| (p.x as f64, p.y as f64);
    let (Some(dir_line), Some(lc)) = (Line::through(f(d0), f(d1)), Line::through(f(l0), f(l1)))
    else {
        return CrossingSense::UseDirection;
    };
    let Some(i) = dir_line.intersection(&lc) else {
        return CrossingSense::UseDirection;
    };
    let dir = unit(f(d0), f(d1));
    let dot = |u: (f64, f64)| u.0 * dir.0 + u.1 * dir.1;
    let (m1, m2) = (dot(unit(f(d0), i)), dot(unit(f(d1), i)));
    let (v1, v2) = (
        lc.side(d0.x as f64, d0.y as f64),
        lc.side(d1.x as f64, d1.y as f64),
    );
    use CrossingSense::*;
    if (m1 > 0.99 && v1 > 1e-5) || (m1 < -0.99 && v1 < 1e-5) {
        PositiveToNegative
    } else if (m1 < -0.99 && v1 > 1e-5) || (m1 > 0.99 && v1 < 1e-5) {
        NegativeToPositive
    } else if (m2 > 0.99 && v2 > 0.0) || (m2 < -0.99 && v2 < 0.0) {
        PositiveToNegative
    } else if (m2 < -0.99 && v2 > 0.0) || (m2 > 0.99 && v2 < 0.0) {
        NegativeToPositive
    } else {
        UseDirection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<Point> {
        vec![
            Point::new(10, 10),
            Point::new(110, 10),
            Point::new(110, 110),
            Point::new(10, 110),
        ]
    }

    #[test]
    fn point_in_square_and_concave_polygon() {
        let sq = square();
        assert!(point_in_polygon(&sq, Point::new(50, 50)));
        assert!(!point_in_polygon(&sq, Point::new(5, 50)));
        assert!(!point_in_polygon(&sq, Point::new(150, 50)));
        assert!(!point_in_polygon(&sq, Point::new(50, 120)));
        // top-left edges inside, bottom edge outside ([min_y, max_y) rule)
        assert!(point_in_polygon(&sq, Point::new(10, 10)));
        assert!(!point_in_polygon(&sq, Point::new(50, 110)));
        // a U shape: the notch is outside
        let u = [
            Point::new(0, 0),
            Point::new(30, 0),
            Point::new(30, 60),
            Point::new(60, 60),
            Point::new(60, 0),
            Point::new(90, 0),
            Point::new(90, 90),
            Point::new(0, 90),
        ];
        assert!(point_in_polygon(&u, Point::new(15, 30)));
        assert!(!point_in_polygon(&u, Point::new(45, 30)));
        assert!(point_in_polygon(&u, Point::new(75, 30)));
        assert!(point_in_polygon(&u, Point::new(45, 75)));
        // degenerate polygons contain nothing
        assert!(!point_in_polygon(&sq[..2], Point::new(50, 10)));
    }

    #[test]
    fn sides_and_crossing_with_direction() {
        // a vertical line x = 100 drawn downwards: its positive side is x < 100
        let l = Line::through((100.0, 0.0), (100.0, 200.0)).unwrap();
        assert!(l.side(50.0, 10.0) > 0.0 && l.side(150.0, 10.0) < 0.0);
        let right = (1.0, 0.0);
        let (a, b) = (Point::new(80, 50), Point::new(120, 50));
        assert!(crosses_with_direction(right, &l, a, b, 0.5));
        assert!(
            !crosses_with_direction(right, &l, b, a, 0.5),
            "against the direction"
        );
        assert!(
            !crosses_with_direction(right, &l, a, Point::new(99, 50), 0.5),
            "not across"
        );
        // a steep movement across: cosine 0.37 passes loose (0.1), fails balanced (0.5)
        let steep = Point::new(120, 150);
        assert!(crosses_with_direction(right, &l, a, steep, 0.1));
        assert!(!crosses_with_direction(right, &l, a, steep, 0.5));
        assert!(!follows(right, a, a, 0.1), "no movement follows nothing");
    }

    #[test]
    fn segment_test_of_extended_0() {
        let (a, b) = (Point::new(100, 0), Point::new(100, 100));
        let seg = Line::through((100.0, 0.0), (100.0, 100.0)).unwrap();
        assert!(meets_segment((80.0, 50.0), (120.0, 50.0), &seg, a, b));
        assert!(
            !meets_segment((80.0, 150.0), (120.0, 150.0), &seg, a, b),
            "below the segment"
        );
        assert!(
            !meets_segment((80.0, -10.0), (120.0, -10.0), &seg, a, b),
            "above it"
        );
        assert!(
            !meets_segment((80.0, 50.0), (80.0, 60.0), &seg, a, b),
            "parallel"
        );
    }

    #[test]
    fn crossing_sense_of_a_direction_pointing_at_the_line() {
        let (l0, l1) = (Point::new(100, 0), Point::new(100, 200));
        // direction from the positive side (x < 100) towards the line
        assert_eq!(
            crossing_sense(Point::new(40, 100), Point::new(80, 100), l0, l1),
            CrossingSense::PositiveToNegative
        );
        assert_eq!(
            crossing_sense(Point::new(160, 100), Point::new(120, 100), l0, l1),
            CrossingSense::NegativeToPositive
        );
        // parallel to the line
        assert_eq!(
            crossing_sense(Point::new(40, 0), Point::new(40, 100), l0, l1),
            CrossingSense::UseDirection
        );
    }

    #[test]
    fn scaling_truncates() {
        assert_eq!(
            Point::new(295, 643).scaled(0.4, 0.5333),
            Point::new(118, 342)
        );
    }
}
