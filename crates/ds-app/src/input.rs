//! Checks of the samples' inputs, so that a wrong file gives a clear message at start
//! instead of `not-negotiated` later.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, bail};

/// Checks that `path` is an H.264 elementary stream (Annex B byte-stream), the only input
/// deepstream-test1/2/4 accept (like the Python samples: `filesrc ! h264parse`).
///
/// Errors: the file cannot be opened or read, is a directory or empty, is a container (MP4,
/// AVI, Matroska: the message says how to get an elementary stream out of it), or does not
/// start with an H.264 start code.
pub fn check_h264_elementary_stream(path: &Path) -> anyhow::Result<()> {
    let mut head = [0u8; 12];
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        bail!("input {} is a directory, expected an H.264 elementary stream file", path.display());
    }
    let n = f.read(&mut head).with_context(|| format!("cannot read input {}", path.display()))?;
    if n == 0 {
        bail!("input {} is empty, expected an H.264 elementary stream", path.display());
    }
    let reencode = "re-encode it: gst-launch-1.0 filesrc location=IN ! decodebin ! videoconvert ! \
                    x264enc ! h264parse ! video/x-h264,stream-format=byte-stream ! filesink location=OUT.h264";
    let (kind, hint) = if n >= 8 && &head[4..8] == b"ftyp" {
        (
            "an MP4/QuickTime file",
            "when its video is H.264, extract it: gst-launch-1.0 filesrc location=IN ! qtdemux ! \
             h264parse ! video/x-h264,stream-format=byte-stream ! filesink location=OUT.h264; else ",
        )
    } else if n >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"AVI " {
        ("an AVI file", "")
    } else if n >= 4 && head[0..4] == [0x1a, 0x45, 0xdf, 0xa3] {
        ("a Matroska/WebM file", "")
    } else {
        let annex_b = head.starts_with(&[0, 0, 0, 1]) || head.starts_with(&[0, 0, 1]);
        if !annex_b {
            bail!(
                "input {} does not start with an H.264 start code (00 00 00 01): expected an H.264 \
                 elementary stream (Annex B byte-stream)",
                path.display()
            );
        }
        return Ok(());
    };
    bail!(
        "input {} is {kind}; this sample takes an H.264 elementary stream (.h264, Annex B) like \
         the Python sample. To make one, {hint}{reencode}",
        path.display()
    )
}

/// Checks that `path` is a JPEG file or an MJPEG stream (concatenated JPEGs), the input
/// deepstream-segmentation takes (like the Python sample: `filesrc ! jpegparse`).
///
/// Errors: the file cannot be opened or read, is a directory or empty, or does not start
/// with a JPEG SOI marker (FF D8 FF); the message names the file and what it looks like.
pub fn check_jpeg(path: &Path) -> anyhow::Result<()> {
    let mut head = [0u8; 12];
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot open input {}", path.display()))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        bail!("input {} is a directory, expected a JPEG file or MJPEG stream", path.display());
    }
    let n = f.read(&mut head).with_context(|| format!("cannot read input {}", path.display()))?;
    if n == 0 {
        bail!("input {} is empty, expected a JPEG file or MJPEG stream", path.display());
    }
    if n >= 3 && head[..3] == [0xff, 0xd8, 0xff] {
        return Ok(());
    }
    let kind = if n >= 8 && head[..8] == [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a] {
        " (it is a PNG image)"
    } else if n >= 8 && &head[4..8] == b"ftyp" {
        " (it is an MP4/QuickTime file)"
    } else if head.starts_with(&[0, 0, 0, 1]) || head.starts_with(&[0, 0, 1]) {
        " (it looks like an H.264 elementary stream)"
    } else {
        ""
    };
    bail!(
        "input {} is not a JPEG{kind}: expected a JPEG file or MJPEG stream (starting with FF D8 FF). \
         To convert an image: gst-launch-1.0 filesrc location=IN ! decodebin ! videoconvert ! jpegenc ! filesink location=OUT.jpg",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> String {
        let dir = std::env::temp_dir().join(format!("ds-app-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!("f{}", bytes.len()));
        std::fs::write(&p, bytes).unwrap();
        let r = check_h264_elementary_stream(&p).err().map(|e| e.to_string()).unwrap_or_default();
        let _ = std::fs::remove_file(&p);
        r
    }

    #[test]
    fn containers_get_the_right_hint() {
        let mp4 = check(b"\0\0\0\x18ftypisom\0\0\0\0");
        assert!(mp4.contains("MP4") && mp4.contains("qtdemux"), "{mp4}");
        let avi = check(b"RIFF\0\0\0\0AVI LIST");
        assert!(avi.contains("AVI") && avi.contains("decodebin") && !avi.contains("qtdemux"), "{avi}");
        let mkv = check(&[0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0]);
        assert!(mkv.contains("Matroska") && mkv.contains("decodebin"), "{mkv}");
        assert!(check(b"not video").contains("start code"));
        assert_eq!(check(&[0, 0, 0, 1, 0x67, 0x64]), "");
    }

    #[test]
    fn jpeg_check_names_what_the_file_is() {
        let dir = std::env::temp_dir().join(format!("ds-app-jpeg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let check = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            check_jpeg(&p).err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert_eq!(check("a.jpg", &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), "");
        let png = check("a.png", &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        assert!(png.contains("a.png") && png.contains("not a JPEG") && png.contains("PNG"), "{png}");
        assert!(check("e.jpg", b"").contains("empty"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
