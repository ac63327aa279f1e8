//! Serves a clip of `streams/` over RTSP on 127.0.0.1 (what the live tests do), for trying the
//! RTSP samples by hand: `cargo run -p ds-testkit --example rtsp-serve -- vtest.h264 8555`.
//! Prints the URL; runs until killed.

fn main() {
    let mut args = std::env::args().skip(1);
    let clip = args.next().unwrap_or_else(|| "vtest.h264".into());
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let launch = ds_testkit::live::clip_launch(&ds_testkit::stream(&clip));
    let server = ds_testkit::live::RtspTestServer::start(&launch, port);
    println!("{}", server.url);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
