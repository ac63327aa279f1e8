//! The sample's CUDA kernel on a real GPU, without DeepStream or GStreamer: uploads a pitched
//! RGBA frame, runs `halve_red` on its device pointer, reads it back and checks every byte.
//! Exits non-zero on a mismatch or when no CUDA driver is found.
//!
//! ```sh
//! cargo run -p deepstream-imagedata-multistream-cupy --example cuda_check
//! ```

#[path = "../src/cuda.rs"]
#[allow(dead_code)]
mod cuda;

fn main() -> anyhow::Result<()> {
    let (w, h, pitch) = (1920usize, 1080usize, 7936usize);
    let host: Vec<u8> = (0..pitch * h).map(|i| (i * 31 % 251) as u8).collect();
    let start = std::time::Instant::now();
    let out = cuda::roundtrip(0, &host, |p| cuda::halve_red(0, p, pitch, w, h, 4))?;
    let mut bad = 0usize;
    for y in 0..h {
        for x in 0..pitch {
            let i = y * pitch + x;
            let want = if x < w * 4 && x % 4 == 0 { (0.5 * host[i] as f32 + 0.5) as u8 } else { host[i] };
            bad += (out[i] != want) as usize;
        }
    }
    println!("halve_red on a {w}x{h} RGBA frame (pitch {pitch}) on GPU 0: {bad} wrong bytes, {:?} with upload and download", start.elapsed());
    anyhow::ensure!(bad == 0, "{bad} bytes differ");
    Ok(())
}
