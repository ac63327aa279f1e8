//! OSD parameter structs (`nvll_osd_struct.h`). Plain-value structs are the C structs
//! themselves with public fields; those holding pointers are wrappers with accessors.

use crate::error::Result;
use crate::strings;
use crate::sys;

/// `NvOSD_ColorParams`: `red`, `green`, `blue`, `alpha`, each 0.0 ..= 1.0.
pub type ColorParams = sys::NvOSD_ColorParams;
/// `NvOSD_RectParams`: a box in pixels with border and background colours.
pub type RectParams = sys::NvOSD_RectParams;
/// `NvOSD_LineParams`: a line in pixels.
pub type LineParams = sys::NvOSD_LineParams;
/// `NvOSD_ArrowParams`: an arrow in pixels.
pub type ArrowParams = sys::NvOSD_ArrowParams;
/// `NvOSD_CircleParams`: a circle in pixels.
pub type CircleParams = sys::NvOSD_CircleParams;
/// `NvBbox_Coords`: `left`, `top`, `width`, `height` in pixels.
pub type BboxCoords = sys::NvBbox_Coords;

impl sys::NvOSD_ColorParams {
    /// Sets all four components (pyds `NvOSD_ColorParams.set(r, g, b, a)`).
    pub fn set(&mut self, red: f64, green: f64, blue: f64, alpha: f64) {
        *self = Self { red, green, blue, alpha };
    }

    /// A colour from its components.
    pub const fn rgba(red: f64, green: f64, blue: f64, alpha: f64) -> Self {
        Self { red, green, blue, alpha }
    }
}

macro_rules! wrapper {
    ($(#[$m:meta])* $name:ident => $sys:ty) => {
        $(#[$m])*
        #[repr(transparent)]
        pub struct $name(pub(crate) $sys);

        impl $name {
            pub(crate) fn from_sys(s: &$sys) -> &Self {
                // SAFETY: repr(transparent).
                unsafe { &*(s as *const $sys as *const Self) }
            }
            pub(crate) fn from_sys_mut(s: &mut $sys) -> &mut Self {
                // SAFETY: repr(transparent).
                unsafe { &mut *(s as *mut $sys as *mut Self) }
            }
            /// The C struct, read-only.
            pub fn as_sys(&self) -> &$sys {
                &self.0
            }
        }
    };
}

wrapper! {
    /// `NvOSD_TextParams`: a text label. `display_text` is owned by the metadata
    /// (set copies, release frees).
    TextParams => sys::NvOSD_TextParams
}

impl TextParams {
    pub(crate) fn slice(s: &[sys::NvOSD_TextParams]) -> &[TextParams] {
        // SAFETY: repr(transparent).
        unsafe { std::slice::from_raw_parts(s.as_ptr() as *const TextParams, s.len()) }
    }
    pub(crate) fn slice_mut(s: &mut [sys::NvOSD_TextParams]) -> &mut [TextParams] {
        // SAFETY: repr(transparent).
        unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr() as *mut TextParams, s.len()) }
    }
    pub(crate) fn array_mut<const N: usize>(s: &mut [sys::NvOSD_TextParams; N]) -> &mut [TextParams; N] {
        // SAFETY: repr(transparent).
        unsafe { &mut *(s as *mut [sys::NvOSD_TextParams; N] as *mut [TextParams; N]) }
    }

    /// `display_text`; `""` when unset (pyds `get_string(display_text)`).
    pub fn display_text(&self) -> &str {
        // SAFETY: NULL or a string owned by this struct.
        unsafe { strings::read(self.0.display_text) }
    }

    /// Sets `display_text` to a copy of `text`, freeing the previous one. Error if `text`
    /// holds a NUL byte.
    pub fn set_display_text(&mut self, text: &str) -> Result<()> {
        strings::replace(&mut self.0.display_text, text, "NvOSD_TextParams.display_text")
    }

    /// `x_offset` (pixels from the left).
    pub fn x_offset(&self) -> u32 {
        self.0.x_offset
    }
    /// Sets `x_offset`.
    pub fn set_x_offset(&mut self, x: u32) {
        self.0.x_offset = x;
    }
    /// `y_offset` (pixels from the top).
    pub fn y_offset(&self) -> u32 {
        self.0.y_offset
    }
    /// Sets `y_offset`.
    pub fn set_y_offset(&mut self, y: u32) {
        self.0.y_offset = y;
    }

    /// `font_params`.
    pub fn font_params(&self) -> &FontParams {
        FontParams::from_sys(&self.0.font_params)
    }
    /// `font_params`, writable.
    pub fn font_params_mut(&mut self) -> &mut FontParams {
        FontParams::from_sys_mut(&mut self.0.font_params)
    }

    /// `set_bg_clr`: whether the text gets a background box.
    #[doc(alias = "set_bg_clr")]
    pub fn bg_enabled(&self) -> bool {
        self.0.set_bg_clr != 0
    }
    /// Sets `set_bg_clr`.
    pub fn set_bg_enabled(&mut self, on: bool) {
        self.0.set_bg_clr = on as i32;
    }
    /// `text_bg_clr`: the background colour.
    pub fn text_bg_clr(&self) -> &ColorParams {
        &self.0.text_bg_clr
    }
    /// `text_bg_clr`, writable.
    pub fn text_bg_clr_mut(&mut self) -> &mut ColorParams {
        &mut self.0.text_bg_clr
    }
}

wrapper! {
    /// `NvOSD_FontParams`. `font_name` is interned (DeepStream never frees it).
    FontParams => sys::NvOSD_FontParams
}

impl FontParams {
    /// `font_name` (`""` when unset).
    pub fn font_name(&self) -> &str {
        // SAFETY: NULL or an interned / C-owned string.
        unsafe { strings::read(self.0.font_name) }
    }
    /// Sets `font_name` (for example `"Serif"`).
    pub fn set_font_name(&mut self, name: &str) -> Result<()> {
        self.0.font_name = strings::intern(name, "NvOSD_FontParams.font_name")?;
        Ok(())
    }
    /// `font_size` (points).
    pub fn font_size(&self) -> u32 {
        self.0.font_size
    }
    /// Sets `font_size`.
    pub fn set_font_size(&mut self, size: u32) {
        self.0.font_size = size;
    }
    /// `font_color`.
    pub fn font_color(&self) -> &ColorParams {
        &self.0.font_color
    }
    /// `font_color`, writable.
    pub fn font_color_mut(&mut self) -> &mut ColorParams {
        &mut self.0.font_color
    }
}

wrapper! {
    /// `NvOSD_MaskParams`: an instance mask of `width × height` floats, owned by the object
    /// meta (allocated with `g_malloc0`, freed on release).
    MaskParams => sys::NvOSD_MaskParams
}

impl MaskParams {
    /// The mask values (`size / 4` floats at `data`; pyds `get_mask_array`), row-major
    /// `[height][width]`; empty when there is none.
    #[doc(alias = "get_mask_array")]
    pub fn data(&self) -> &[f32] {
        if self.0.data.is_null() {
            return &[];
        }
        // SAFETY: data holds `size` bytes owned by this struct.
        unsafe { std::slice::from_raw_parts(self.0.data, self.0.size as usize / 4) }
    }
    /// The mask as a `[height, width]` view without a copy (pyds `get_mask_array`, reshaped
    /// as the segmask sample does); `None` when there is no mask or `size` does not hold
    /// `width × height` floats.
    #[doc(alias = "get_mask_array")]
    pub fn array(&self) -> Option<ndarray::ArrayView2<'_, f32>> {
        let (h, w) = (self.0.height as usize, self.0.width as usize);
        let d = self.data();
        if d.is_empty() || d.len() < h * w {
            return None;
        }
        ndarray::ArrayView2::from_shape((h, w), &d[..h * w]).ok()
    }
    /// The mask values, writable.
    pub fn data_mut(&mut self) -> &mut [f32] {
        if self.0.data.is_null() {
            return &mut [];
        }
        // SAFETY: as `data`, exclusively borrowed.
        unsafe { std::slice::from_raw_parts_mut(self.0.data, self.0.size as usize / 4) }
    }
    /// Replaces the mask with a zeroed one of `width × height` floats and returns it
    /// (pyds `alloc_mask_array`).
    #[doc(alias = "alloc_mask_array")]
    pub fn alloc(&mut self, width: u32, height: u32) -> &mut [f32] {
        let n = width as usize * height as usize;
        // SAFETY: the old data was NULL or g_malloc'd and owned here.
        unsafe {
            glib::ffi::g_free(self.0.data as glib::ffi::gpointer);
            self.0.data = if n == 0 { std::ptr::null_mut() } else { glib::ffi::g_malloc0(n * 4) as *mut f32 };
        }
        self.0.size = (n * 4) as u32;
        self.0.width = width;
        self.0.height = height;
        self.data_mut()
    }
    /// `threshold`: values above it are inside the object.
    pub fn threshold(&self) -> f32 {
        self.0.threshold
    }
    /// Sets `threshold`.
    pub fn set_threshold(&mut self, t: f32) {
        self.0.threshold = t;
    }
    /// `width` of the mask (values).
    pub fn width(&self) -> u32 {
        self.0.width
    }
    /// `height` of the mask (values).
    pub fn height(&self) -> u32 {
        self.0.height
    }
}
