//! OpenCV over frame views (feature `opencv`): what the Python samples do with `cv2` on the
//! arrays that `pyds.get_nvds_buf_surface` gives.
//!
//! - [`mat_mut`] / [`mat`]: an OpenCV `Mat` (`CV_8UC4`, or `CV_8UC3`) over the memory of a
//!   `[height, width, channels]` view, rows `pitch` bytes apart, without a copy: drawing on
//!   it draws on the frame (visible downstream, as in deepstream-imagedata-multistream). The
//!   `Mat` borrows the view, so it cannot outlive the mapping.
//! - [`to_bgra`]: `cv2.cvtColor(np.array(frame, copy=True), cv2.COLOR_RGBA2BGRA)`, an owned copy
//!   (of a region, for crops).
//! - [`imwrite`]: `cv2.imwrite` with an error naming the file.
//!
//! ```no_run
//! # fn f(buffer: &mut gst::BufferRef) -> anyhow::Result<()> {
//! use opencv::{core, imgproc};
//! let mut frame = ds_meta::get_nvds_buf_surface_mut(buffer, 0)?;
//! let mut view = frame.view_mut();
//! let mut m = ds_app::cv::mat_mut(&mut view)?;
//! imgproc::line_def(&mut m, core::Point::new(10, 10), core::Point::new(100, 10), core::Scalar::new(0.0, 0.0, 255.0, 0.0))?;
//! let copy = ds_app::cv::to_bgra(&view.view(), None)?;
//! ds_app::cv::imwrite(std::path::Path::new("frame.jpg"), &copy)?;
//! # Ok(()) }
//! ```

use anyhow::{Context as _, bail};
use ndarray::{ArrayView3, ArrayViewMut3};
use opencv::boxed_ref::{BoxedRef, BoxedRefMut};
use opencv::core::{self, Mat, Rect};
use opencv::imgcodecs;
use opencv::imgproc;
use opencv::prelude::*;
use std::path::Path;

pub use opencv;

/// Rows, columns, OpenCV type and row step of a `[h, w, c]` `u8` view with strides
/// `[step, c, 1]` (what ds-meta's frame views have).
fn layout(shape: &[usize], strides: &[isize]) -> anyhow::Result<(i32, i32, i32, usize)> {
    let (h, w, c) = (shape[0], shape[1], shape[2]);
    let typ = match c {
        4 => core::CV_8UC4,
        3 => core::CV_8UC3,
        1 => core::CV_8UC1,
        _ => bail!("a frame view of {c} channels: OpenCV Mats over frames take 1, 3 or 4"),
    };
    if strides[2] != 1 || strides[1] != c as isize || strides[0] < (w * c) as isize {
        bail!("frame view strides {strides:?} for shape {shape:?}: expected [pitch ≥ {}, {c}, 1]", w * c);
    }
    Ok((i32::try_from(h)?, i32::try_from(w)?, typ, strides[0] as usize))
}

/// An OpenCV `Mat` over a writable frame view, sharing its memory (no copy).
///
/// Errors: channels other than 1, 3, 4; strides not `[pitch, channels, 1]` (a view that was
/// sliced or transposed).
pub fn mat_mut<'a>(view: &'a mut ArrayViewMut3<'_, u8>) -> anyhow::Result<BoxedRefMut<'a, Mat>> {
    let (rows, cols, typ, step) = layout(view.shape(), view.strides())?;
    // SAFETY: the Mat covers rows × step bytes of memory that the view (borrowed mutably for
    // 'a) owns exclusively; the layout was checked above.
    let m = unsafe { Mat::new_rows_cols_with_data_unsafe(rows, cols, typ, view.as_mut_ptr().cast(), step) }?;
    Ok(BoxedRefMut::from(m))
}

/// An OpenCV `Mat` over a frame view, read-only, sharing its memory (no copy).
/// Errors as [`mat_mut`].
pub fn mat<'a>(view: &'a ArrayView3<'_, u8>) -> anyhow::Result<BoxedRef<'a, Mat>> {
    let (rows, cols, typ, step) = layout(view.shape(), view.strides())?;
    // SAFETY: as in mat_mut; the returned BoxedRef gives only read access.
    let m = unsafe { Mat::new_rows_cols_with_data_unsafe(rows, cols, typ, view.as_ptr().cast_mut().cast(), step) }?;
    Ok(BoxedRef::from(m))
}

/// An owned BGRA copy of an RGBA view, or of its region `roi` (x, y, width, height in pixels,
/// clipped to the frame): `cv2.cvtColor(frame[y:y+h, x:x+w].copy(), cv2.COLOR_RGBA2BGRA)`.
///
/// Errors: the view is not RGBA; the region is empty after clipping.
pub fn to_bgra(view: &ArrayView3<'_, u8>, roi: Option<Rect>) -> anyhow::Result<Mat> {
    if view.shape()[2] != 4 {
        bail!("to_bgra: an RGBA view is needed, this one has {} channels", view.shape()[2]);
    }
    let src = mat(view)?;
    let full = Rect::new(0, 0, src.cols(), src.rows());
    let r = roi.map(|r| r & full).unwrap_or(full);
    if r.width <= 0 || r.height <= 0 {
        bail!("to_bgra: region {roi:?} is outside the {} × {} frame", full.width, full.height);
    }
    let region = Mat::roi(&src, r)?;
    let mut out = Mat::default();
    imgproc::cvt_color_def(&region, &mut out, imgproc::COLOR_RGBA2BGRA)?;
    Ok(out)
}

/// `cv2.imwrite(path, image)`: the format from the extension (`.jpg` → JPEG).
/// Errors name the file: OpenCV cannot write it (no such folder, unknown extension).
pub fn imwrite(path: &Path, image: &impl core::ToInputArray) -> anyhow::Result<()> {
    let name = path.to_str().with_context(|| format!("{}: not a UTF-8 path", path.display()))?;
    let ok = imgcodecs::imwrite_def(name, image).with_context(|| format!("writing {}", path.display()))?;
    if !ok {
        bail!("OpenCV could not write {} (does its folder exist? is the extension an image format?)", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, s};

    #[test]
    fn drawing_on_the_mat_draws_on_the_view() {
        // A 20 × 30 RGBA frame inside rows of 128 bytes (pitch > width × 4).
        let mut storage = vec![0u8; 20 * 128];
        let mut full = ArrayViewMut3::from_shape((20, 32, 4), &mut storage[..]).unwrap();
        let mut view = full.slice_mut(s![.., ..30, ..]);
        {
            let mut m = mat_mut(&mut view).unwrap();
            assert_eq!((m.rows(), m.cols(), m.typ()), (20, 30, core::CV_8UC4));
            imgproc::line(&mut m, core::Point::new(2, 5), core::Point::new(25, 5), core::Scalar::new(0.0, 0.0, 255.0, 0.0), 1, imgproc::LINE_8, 0)
                .unwrap();
        }
        assert_eq!(view[[5, 10, 2]], 255, "the line is in the frame's memory");
        assert_eq!(view[[6, 10, 2]], 0);
        assert_eq!(storage[5 * 128 + 10 * 4 + 2], 255, "rows are 128 bytes apart");
    }

    #[test]
    fn bgra_copy_of_a_region_and_jpeg() {
        let mut a = Array3::<u8>::zeros((40, 60, 4));
        a.slice_mut(s![10..20, 30..50, ..]).assign(&ndarray::arr1(&[250u8, 10, 20, 255]));
        let crop = to_bgra(&a.view(), Some(Rect::new(30, 10, 20, 10))).unwrap();
        assert_eq!((crop.rows(), crop.cols()), (10, 20));
        assert_eq!(*crop.at_2d::<core::Vec4b>(3, 3).unwrap(), core::Vec4b::from([20, 10, 250, 255]));
        let e = to_bgra(&a.view(), Some(Rect::new(100, 100, 5, 5))).unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");

        let dir = std::env::temp_dir().join(format!("ds-app-cv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("crop.jpg");
        imwrite(&f, &crop).unwrap();
        let back = imgcodecs::imread(f.to_str().unwrap(), imgcodecs::IMREAD_COLOR).unwrap();
        assert_eq!((back.rows(), back.cols()), (10, 20));
        let e = imwrite(&dir.join("missing/x.jpg"), &crop).unwrap_err();
        assert!(format!("{e:#}").contains("missing/x.jpg"), "{e:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
