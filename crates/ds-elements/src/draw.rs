//! CPU drawing on RGBA frames: what `dsosd` renders (the equivalent of nvdsosd's NvOSD calls).
//!
//! Colours are `[r, g, b, a]` in 0.0..=1.0 like `NvOSD_ColorParams`; every primitive is
//! alpha-blended once per pixel (`dst = src * a + dst * (1 - a)`), so overlapping parts of one
//! primitive never darken twice. Text is rasterised from a TrueType font with `ab_glyph`.

use ab_glyph::{Font, FontArc, ScaleFont};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// An RGBA colour, components in 0.0..=1.0.
pub type Color = [f64; 4];

/// Which ends of an arrow get a head (`NvOSD_Arrow_Head_Direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowHead {
    /// Head at (x1, y1).
    Start,
    /// Head at (x2, y2).
    End,
    /// Heads at both ends.
    Both,
}

/// One thing to draw, in frame pixel coordinates (what nvdsosd reads from the metadata).
#[derive(Debug, Clone)]
pub enum Shape {
    /// `NvOSD_RectParams`: a border of `border_width` drawn inside the rectangle, and an
    /// optional filled background.
    Rect {
        /// Left edge.
        left: f32,
        /// Top edge.
        top: f32,
        /// Width.
        width: f32,
        /// Height.
        height: f32,
        /// Border width in pixels (0: no border).
        border_width: u32,
        /// Border colour.
        border_color: Color,
        /// Background fill, when `has_bg_color`.
        bg_color: Option<Color>,
    },
    /// `NvOSD_TextParams`: text whose box has its top-left corner at (x, y).
    Text {
        /// Left of the text box.
        x: f32,
        /// Top of the text box.
        y: f32,
        /// The text (one line per `\n`).
        text: String,
        /// Pango-style font name ("Serif", "Sans", "Monospace" ...).
        font_name: String,
        /// Font size in points (nvdsosd: points at 96 dpi, i.e. px = pt * 4 / 3).
        font_size: u32,
        /// Glyph colour.
        color: Color,
        /// Background colour of the text box, when `set_bg_clr`.
        bg_color: Option<Color>,
    },
    /// `NvOSD_LineParams`.
    Line {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Line width in pixels.
        width: u32,
        /// Colour.
        color: Color,
    },
    /// `NvOSD_ArrowParams`.
    Arrow {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Shaft width in pixels.
        width: u32,
        /// Where the heads go.
        head: ArrowHead,
        /// Colour.
        color: Color,
    },
    /// `NvOSD_MaskParams` of an object (nvdsosd `display-mask`): `values` over the box,
    /// resized to it with [`mask_value`] and drawn where the value reaches `threshold`.
    Mask {
        /// Left edge of the box.
        left: f32,
        /// Top edge of the box.
        top: f32,
        /// Box width.
        width: f32,
        /// Box height.
        height: f32,
        /// Mask values per row.
        mask_width: u32,
        /// Mask rows.
        mask_height: u32,
        /// `mask_width × mask_height` values, row-major.
        values: Vec<f32>,
        /// Inside where the resized value is at least this.
        threshold: f32,
        /// Colour blended over the inside.
        color: Color,
    },
    /// `NvOSD_CircleParams`: an outline `width` pixels wide (0: 1) and an optional filled disc.
    Circle {
        /// Centre x.
        xc: f32,
        /// Centre y.
        yc: f32,
        /// Radius in pixels.
        radius: f32,
        /// Outline width (`circle_width`).
        width: u32,
        /// Outline colour.
        color: Color,
        /// Fill colour, when `has_bg_color`.
        bg_color: Option<Color>,
    },
}

/// The value at pixel (x, y) of a `src_w × src_h` mask resized to `dst_w × dst_h`, by the
/// rule of the segmask sample's `resize_mask`: `x0 = x × src_w / dst_w` (no half-pixel
/// offset), the neighbours `floor`/`ceil` of it clipped to the mask, bilinear between them.
pub fn mask_value(values: &[f32], src_w: usize, src_h: usize, dst_w: usize, dst_h: usize, x: usize, y: usize) -> f32 {
    let (rw, rh) = (src_w as f32 / dst_w as f32, src_h as f32 / dst_h as f32);
    let (x0, y0) = (x as f32 * rw, y as f32 * rh);
    let clip = |v: f32, n: usize| (v.max(0.0) as usize).min(n - 1);
    let (left, right) = (clip(x0.floor(), src_w), clip(x0.ceil(), src_w));
    let (top, bottom) = (clip(y0.floor(), src_h), clip(y0.ceil(), src_h));
    let at = |c: usize, r: usize| values[r * src_w + c];
    let top_lerp = at(left, top) + (at(right, top) - at(left, top)) * (x0 - left as f32);
    let bottom_lerp = at(left, bottom) + (at(right, bottom) - at(left, bottom)) * (x0 - left as f32);
    top_lerp + (bottom_lerp - top_lerp) * (y0 - top as f32)
}

/// A colour and its alpha (times the coverage), ready to be blended over RGBA pixels:
/// `out = src * a + dst * (1 - a)` per colour channel, `a * 255 + dst * (1 - a)` for alpha,
/// rounded to the nearest integer.
#[derive(Clone, Copy)]
struct Ink {
    src: [f64; 3],
    a: f64,
}

impl Ink {
    /// `None` where nothing would change (alpha 0).
    #[inline]
    fn new(color: &Color, cov: f64) -> Option<Ink> {
        let a = (color[3] * cov).clamp(0.0, 1.0);
        if a <= 0.0 {
            return None;
        }
        let src = [0, 1, 2].map(|c| color[c].clamp(0.0, 1.0) * 255.0);
        Some(Ink { src, a })
    }

    /// The pixel that blending gives whatever was there, at alpha 1.
    fn opaque(&self) -> Option<[u8; 4]> {
        (self.a >= 1.0).then(|| [round_u8(self.src[0]), round_u8(self.src[1]), round_u8(self.src[2]), 255])
    }

    #[inline]
    fn over(&self, px: &mut [u8]) {
        let keep = 1.0 - self.a;
        for (p, src) in px.iter_mut().zip(self.src) {
            *p = round_u8(src * self.a + *p as f64 * keep);
        }
        px[3] = round_u8(self.a * 255.0 + px[3] as f64 * keep);
    }
}

/// `v` (0..=255) rounded half up, clamped to a byte: `f64::round` without the libm call
/// (x86-64's baseline has no rounding instruction).
#[inline(always)]
fn round_u8(v: f64) -> u8 {
    (v + 0.5) as u8
}

/// A mutable view of one tightly or loosely packed RGBA frame.
pub struct Canvas<'a> {
    data: &'a mut [u8],
    width: usize,
    height: usize,
    stride: usize,
}

impl<'a> Canvas<'a> {
    /// Wraps `data` (at least `stride * height` bytes) as an RGBA canvas.
    pub fn new(data: &'a mut [u8], width: u32, height: u32, stride: usize) -> Option<Self> {
        let (width, height) = (width as usize, height as usize);
        if stride < width * 4 || data.len() < stride * height.saturating_sub(1) + width * 4 {
            return None;
        }
        Some(Canvas {
            data,
            width,
            height,
            stride,
        })
    }

    /// Frame width.
    pub fn width(&self) -> u32 {
        self.width as u32
    }

    /// Frame height.
    pub fn height(&self) -> u32 {
        self.height as u32
    }

    /// Blends `color` with extra coverage `cov` (0..=1) into pixel (x, y), ignoring pixels
    /// outside the frame.
    #[inline]
    pub fn blend(&mut self, x: i64, y: i64, color: &Color, cov: f64) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let Some(ink) = Ink::new(color, cov) else {
            return;
        };
        let o = y as usize * self.stride + x as usize * 4;
        ink.over(&mut self.data[o..o + 4]);
    }

    /// Blends `color` over the pixels of [x0, x1) x [y0, y1), clipped to the frame.
    pub fn fill_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, color: &Color) {
        let (x0, x1) = (x0.max(0), x1.min(self.width as i64));
        let (y0, y1) = (y0.max(0), y1.min(self.height as i64));
        let Some(ink) = Ink::new(color, 1.0) else {
            return;
        };
        if x0 >= x1 {
            return;
        }
        let opaque = ink.opaque();
        for y in y0..y1 {
            let o = y as usize * self.stride;
            let row = &mut self.data[o + x0 as usize * 4..o + x1 as usize * 4];
            match opaque {
                // what blending gives at alpha 1, written straight
                Some(px) => row.chunks_exact_mut(4).for_each(|p| p.copy_from_slice(&px)),
                None => row.chunks_exact_mut(4).for_each(|p| ink.over(p)),
            }
        }
    }

    /// Draws the border of a rectangle, `bw` pixels wide, inside the rectangle.
    pub fn rect_border(&mut self, left: i64, top: i64, w: i64, h: i64, bw: i64, color: &Color) {
        if bw <= 0 || w <= 0 || h <= 0 {
            return;
        }
        let bw = bw.min(w / 2 + 1).min(h / 2 + 1);
        let (r, b) = (left + w, top + h);
        self.fill_rect(left, top, r, top + bw, color);
        self.fill_rect(left, b - bw, r, b, color);
        self.fill_rect(left, top + bw, left + bw, b - bw, color);
        self.fill_rect(r - bw, top + bw, r, b - bw, color);
    }

    /// Blends `color` over every pixel whose centre satisfies `inside`, within a bounding box.
    fn fill_where(
        &mut self,
        bbox: (f32, f32, f32, f32),
        color: &Color,
        inside: impl Fn(f32, f32) -> bool,
    ) {
        let x0 = (bbox.0.floor() as i64).max(0);
        let y0 = (bbox.1.floor() as i64).max(0);
        let x1 = (bbox.2.ceil() as i64 + 1).min(self.width as i64);
        let y1 = (bbox.3.ceil() as i64 + 1).min(self.height as i64);
        for y in y0..y1 {
            for x in x0..x1 {
                if inside(x as f32 + 0.5, y as f32 + 0.5) {
                    self.blend(x, y, color, 1.0);
                }
            }
        }
    }

    /// Draws a line `width` pixels wide with round caps.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: u32, color: &Color) {
        let hw = (width.max(1) as f32) / 2.0;
        let bbox = (
            x1.min(x2) - hw,
            y1.min(y2) - hw,
            x1.max(x2) + hw,
            y1.max(y2) + hw,
        );
        self.fill_where(bbox, color, |x, y| seg_dist(x, y, x1, y1, x2, y2) <= hw);
    }

    /// Draws an arrow: a line plus filled triangular heads.
    #[allow(clippy::too_many_arguments)]
    pub fn arrow(
        &mut self,
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: u32,
        head: ArrowHead,
        color: &Color,
    ) {
        let hw = (width.max(1) as f32) / 2.0;
        let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1e-3);
        let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
        let head_len = (width.max(1) as f32 * 4.0).max(10.0).min(len);
        let head_half = head_len * 0.6;
        let tri = |tx: f32, ty: f32, dx: f32, dy: f32| {
            // tip at (tx, ty), pointing along (dx, dy)
            let (bx, by) = (tx - dx * head_len, ty - dy * head_len);
            [
                (tx, ty),
                (bx - dy * head_half, by + dx * head_half),
                (bx + dy * head_half, by - dx * head_half),
            ]
        };
        let mut heads = Vec::new();
        if matches!(head, ArrowHead::End | ArrowHead::Both) {
            heads.push(tri(x2, y2, ux, uy));
        }
        if matches!(head, ArrowHead::Start | ArrowHead::Both) {
            heads.push(tri(x1, y1, -ux, -uy));
        }
        let pad = hw + head_half;
        let bbox = (
            x1.min(x2) - pad,
            y1.min(y2) - pad,
            x1.max(x2) + pad,
            y1.max(y2) + pad,
        );
        self.fill_where(bbox, color, |x, y| {
            seg_dist(x, y, x1, y1, x2, y2) <= hw || heads.iter().any(|t| in_triangle(x, y, t))
        });
    }

    /// Draws a circle outline `width` pixels wide (centred on the radius) and, when given,
    /// a filled disc inside it.
    pub fn circle(
        &mut self,
        xc: f32,
        yc: f32,
        r: f32,
        width: u32,
        color: &Color,
        bg: Option<&Color>,
    ) {
        let hw = width.max(1) as f32 / 2.0;
        let bbox = (
            xc - r - hw - 1.0,
            yc - r - hw - 1.0,
            xc + r + hw + 1.0,
            yc + r + hw + 1.0,
        );
        if let Some(bg) = bg {
            self.fill_where(bbox, bg, |x, y| {
                ((x - xc).powi(2) + (y - yc).powi(2)).sqrt() < r - hw
            });
        }
        self.fill_where(bbox, color, |x, y| {
            (((x - xc).powi(2) + (y - yc).powi(2)).sqrt() - r).abs() <= hw
        });
    }

    /// Draws `text` with its box's top-left corner at (x, y); returns the box (w, h).
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: f32,
        y: f32,
        text: &str,
        font: &FontArc,
        font_size_pt: u32,
        color: &Color,
        bg: Option<&Color>,
    ) -> (f32, f32) {
        let Some(scale) = font.pt_to_px_scale(font_size_pt.max(1) as f32) else {
            return (0.0, 0.0);
        };
        let sf = font.as_scaled(scale);
        let line_h = sf.ascent() - sf.descent() + sf.line_gap();
        let lines: Vec<&str> = text.split('\n').collect();
        let widths: Vec<f32> = lines.iter().map(|l| text_width(&sf, l)).collect();
        let w = widths.iter().cloned().fold(0.0, f32::max);
        let h = line_h * lines.len() as f32 - sf.line_gap();
        if let Some(bg) = bg {
            self.fill_rect(
                x.floor() as i64,
                y.floor() as i64,
                (x + w).ceil() as i64,
                (y + h).ceil() as i64,
                bg,
            );
        }
        for (i, line) in lines.iter().enumerate() {
            let baseline = y + sf.ascent() + line_h * i as f32;
            let mut pen = x;
            let mut prev = None;
            for ch in line.chars() {
                let id = sf.glyph_id(ch);
                if let Some(p) = prev {
                    pen += sf.kern(p, id);
                }
                let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, baseline));
                pen += sf.h_advance(id);
                prev = Some(id);
                if let Some(outlined) = font.outline_glyph(glyph) {
                    let b = outlined.px_bounds();
                    outlined.draw(|gx, gy, cov| {
                        self.blend(
                            b.min.x as i64 + gx as i64,
                            b.min.y as i64 + gy as i64,
                            color,
                            cov as f64,
                        );
                    });
                }
            }
        }
        (w, h)
    }

    /// Draws one [`Shape`]; text needs a font (`None`: text is skipped).
    pub fn draw(&mut self, shape: &Shape, fonts: Option<&FontSet>) {
        match shape {
            Shape::Mask {
                left,
                top,
                width,
                height,
                mask_width,
                mask_height,
                values,
                threshold,
                color,
            } => {
                let (mw, mh) = (*mask_width as usize, *mask_height as usize);
                let (w, h) = (width.floor() as i64, height.floor() as i64);
                if mw == 0 || mh == 0 || w <= 0 || h <= 0 || values.len() < mw * mh {
                    return;
                }
                let (l, t) = (left.round() as i64, top.round() as i64);
                for y in 0..h {
                    for x in 0..w {
                        let v = mask_value(values, mw, mh, w as usize, h as usize, x as usize, y as usize);
                        if v >= *threshold {
                            self.blend(l + x, t + y, color, 1.0);
                        }
                    }
                }
            }
            Shape::Rect {
                left,
                top,
                width,
                height,
                border_width,
                border_color,
                bg_color,
            } => {
                let (l, t) = (left.round() as i64, top.round() as i64);
                let (w, h) = (width.round() as i64, height.round() as i64);
                if let Some(bg) = bg_color {
                    self.fill_rect(l, t, l + w, t + h, bg);
                }
                self.rect_border(l, t, w, h, *border_width as i64, border_color);
            }
            Shape::Text {
                x,
                y,
                text,
                font_name,
                font_size,
                color,
                bg_color,
            } => {
                if let Some(fonts) = fonts {
                    let font = fonts.for_name(font_name);
                    self.text(*x, *y, text, font, *font_size, color, bg_color.as_ref());
                }
            }
            Shape::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => self.line(*x1, *y1, *x2, *y2, *width, color),
            Shape::Arrow {
                x1,
                y1,
                x2,
                y2,
                width,
                head,
                color,
            } => self.arrow(*x1, *y1, *x2, *y2, *width, *head, color),
            Shape::Circle {
                xc,
                yc,
                radius,
                width,
                color,
                bg_color,
            } => self.circle(*xc, *yc, *radius, *width, color, bg_color.as_ref()),
        }
    }
}

fn text_width<F: Font, S: ScaleFont<F>>(sf: &S, text: &str) -> f32 {
    let mut w = 0.0;
    let mut prev = None;
    for ch in text.chars() {
        let id = sf.glyph_id(ch);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    w
}

fn seg_dist(px: f32, py: f32, x1: f32, y1: f32, x2: f32, y2: f32) -> f32 {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let l2 = dx * dx + dy * dy;
    let t = if l2 <= 0.0 {
        0.0
    } else {
        (((px - x1) * dx + (py - y1) * dy) / l2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (x1 + t * dx, y1 + t * dy);
    ((px - cx).powi(2) + (py - cy).powi(2)).sqrt()
}

fn in_triangle(px: f32, py: f32, t: &[(f32, f32); 3]) -> bool {
    let s = |a: (f32, f32), b: (f32, f32)| (px - b.0) * (a.1 - b.1) - (a.0 - b.0) * (py - b.1);
    let d1 = s(t[0], t[1]);
    let d2 = s(t[1], t[2]);
    let d3 = s(t[2], t[0]);
    let neg = d1 < 0.0 || d2 < 0.0 || d3 < 0.0;
    let pos = d1 > 0.0 || d2 > 0.0 || d3 > 0.0;
    !(neg && pos)
}

/// The directory the fonts are read from (Debian's `fonts-dejavu-core`).
pub const FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";
/// The font every text falls back to; `DS_OSD_FONT` (a .ttf path) overrides it.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The fonts text is drawn with: DejaVu Sans, plus DejaVu Serif / Sans Mono for Pango names
/// that ask for them ("Serif", "Monospace") where installed.
#[derive(Clone)]
pub struct FontSet {
    sans: FontArc,
    serif: Option<FontArc>,
    mono: Option<FontArc>,
}

impl FontSet {
    /// Loads the fonts; the error says which file is missing and how to get it.
    pub fn load() -> Result<FontSet, String> {
        let sans_path = std::env::var_os("DS_OSD_FONT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_FONT));
        let sans = load_font(&sans_path).map_err(|e| {
            format!("{e} (install the Debian package fonts-dejavu-core, or set DS_OSD_FONT to a .ttf file)")
        })?;
        let dir = Path::new(FONT_DIR);
        Ok(FontSet {
            sans,
            serif: load_font(&dir.join("DejaVuSerif.ttf")).ok(),
            mono: load_font(&dir.join("DejaVuSansMono.ttf")).ok(),
        })
    }

    /// The process-wide font set, loaded once.
    pub fn shared() -> Result<FontSet, String> {
        static FONTS: OnceLock<Mutex<Option<FontSet>>> = OnceLock::new();
        let cell = FONTS.get_or_init(|| Mutex::new(None));
        let mut g = crate::util::lock(cell);
        if let Some(f) = g.as_ref() {
            return Ok(f.clone());
        }
        let f = FontSet::load()?;
        *g = Some(f.clone());
        Ok(f)
    }

    /// The font for a Pango-style family name.
    pub fn for_name(&self, name: &str) -> &FontArc {
        let n = name.to_ascii_lowercase();
        if n.contains("mono") || n.contains("courier") {
            self.mono.as_ref().unwrap_or(&self.sans)
        } else if n.contains("serif") && !n.contains("sans") {
            self.serif.as_ref().unwrap_or(&self.sans)
        } else {
            &self.sans
        }
    }
}

fn load_font(path: &Path) -> Result<FontArc, String> {
    let data =
        std::fs::read(path).map_err(|e| format!("cannot read font {}: {e}", path.display()))?;
    FontArc::try_from_vec(data).map_err(|e| format!("invalid font {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(buf: &[u8], w: usize, x: usize, y: usize) -> [u8; 4] {
        let o = (y * w + x) * 4;
        [buf[o], buf[o + 1], buf[o + 2], buf[o + 3]]
    }

    #[test]
    fn rect_border_and_background() {
        let (w, h) = (64usize, 48usize);
        let mut buf = vec![0u8; w * h * 4];
        let mut c = Canvas::new(&mut buf, w as u32, h as u32, w * 4).unwrap();
        c.draw(
            &Shape::Rect {
                left: 10.0,
                top: 8.0,
                width: 20.0,
                height: 16.0,
                border_width: 3,
                border_color: [1.0, 0.0, 0.0, 1.0],
                bg_color: Some([0.0, 0.0, 1.0, 0.5]),
            },
            None,
        );
        assert_eq!(px(&buf, w, 10, 8), [255, 0, 0, 255]);
        assert_eq!(px(&buf, w, 12, 20), [255, 0, 0, 255]);
        assert_eq!(px(&buf, w, 29, 23), [255, 0, 0, 255]);
        assert_eq!(px(&buf, w, 30, 23)[0], 0);
        // inside: half-transparent blue over black
        assert_eq!(&px(&buf, w, 20, 15)[..3], &[0, 0, 128]);
        assert_eq!(px(&buf, w, 5, 5), [0, 0, 0, 0]);
    }

    #[test]
    fn line_arrow_circle() {
        let (w, h) = (100usize, 100usize);
        let mut buf = vec![0u8; w * h * 4];
        let mut c = Canvas::new(&mut buf, w as u32, h as u32, w * 4).unwrap();
        let g = [0.0, 1.0, 0.0, 1.0];
        c.line(10.0, 10.0, 90.0, 10.0, 4, &g);
        c.arrow(10.0, 50.0, 90.0, 50.0, 2, ArrowHead::End, &g);
        c.circle(50.0, 80.0, 10.0, 2, &g, None);
        assert_eq!(px(&buf, w, 50, 10)[1], 255);
        assert_eq!(px(&buf, w, 50, 13)[1], 0);
        assert_eq!(px(&buf, w, 50, 50)[1], 255);
        // the head is wider than the shaft
        assert_eq!(px(&buf, w, 84, 52)[1], 255);
        assert_eq!(px(&buf, w, 30, 53)[1], 0);
        assert_eq!(px(&buf, w, 60, 80)[1], 255);
        assert_eq!(px(&buf, w, 50, 80)[1], 0);
    }

    #[test]
    fn text_with_background() {
        let fonts = FontSet::load().expect("DejaVu fonts (fonts-dejavu-core) must be installed");
        let (w, h) = (200usize, 40usize);
        let mut buf = vec![0u8; w * h * 4];
        let mut c = Canvas::new(&mut buf, w as u32, h as u32, w * 4).unwrap();
        let (tw, th) = c.text(
            5.0,
            5.0,
            "Hello",
            fonts.for_name("Serif"),
            10,
            &[1.0, 1.0, 1.0, 1.0],
            Some(&[0.0, 0.0, 1.0, 1.0]),
        );
        // 10 pt at 96 dpi = 13.3 px em: the box is about that high
        assert!(th > 12.0 && th < 20.0, "{th}");
        assert!(tw > 25.0 && tw < 60.0, "{tw}");
        let mut white = 0;
        let mut blue = 0;
        for y in 5..(5 + th as usize) {
            for x in 5..(5 + tw as usize) {
                let p = px(&buf, w, x, y);
                if p[0] > 200 {
                    white += 1;
                }
                if p == [0, 0, 255, 255] {
                    blue += 1;
                }
            }
        }
        assert!(white > 20 && blue > 100, "white {white} blue {blue}");
        assert_eq!(px(&buf, w, 150, 30), [0, 0, 0, 0]);
    }
}
