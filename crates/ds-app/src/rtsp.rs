//! RTSP-OUT of the samples (test1-rtsp-out, rtsp-in-rtsp-out, redaction, preprocess): after
//! the OSD, `nvvideoconvert` → `capsfilter` (I420) → H.264/H.265 encoder → RTP payloader →
//! `udpsink`, re-served by gst-rtsp-server at `rtsp://<address>:8554/ds-test`.
//!
//! As in the Python samples: the elements and their names (`convertor_postosd`, `filter`,
//! `encoder`, `rtppay`, `udpsink`), `-c H264|H265`, `-b` bitrate (bit/s), `-e 0|1` (hardware
//! or software encoder), a shared media factory whose launch line reads the RTP back with
//! `udpsrc name=pay0`, and the line
//! ` *** DeepStream: Launched RTSP Streaming at rtsp://...:8554/ds-test ***`.
//!
//! Differences, on purpose:
//! - **No multicast.** The samples send RTP to the multicast group 224.224.255.255:5400 and
//!   read it back from there. Here the relay goes through unicast UDP on 127.0.0.1 only, on a
//!   free port picked at start (so two apps never collide on 5400); nothing leaves the
//!   machine except what RTSP clients ask for.
//! - **The server listens on 127.0.0.1 by default** (`--rtsp-address 0.0.0.0` serves other
//!   machines, as the samples do); `--rtsp-port` changes 8554, and 0 picks a free port. The
//!   printed URL is the real one (`localhost` only when listening on every address).
//! - **Bitrate in each encoder's unit.** NVIDIA's encoders take bit/s; `x264enc` and
//!   `x265enc` take kbit/s (the samples pass 4000000 to them, out of their range): the value
//!   is converted and clamped to the encoder's range.
//! - **Clients can join at any time.** The software encoders send a key frame every 30
//!   frames and the payloader repeats SPS/PPS (VPS) with each key frame (`config-interval=-1`),
//!   so a client that connects late decodes within about a second; `tune=zerolatency` and the
//!   `ultrafast` preset keep the CPU encoders real-time.
//! - **Errors are clear**: a port already taken is an error naming the address and port.

use std::net::UdpSocket;

use anyhow::{Context as _, bail};
use gst::prelude::*;
use gst_rtsp_server::prelude::*;

use crate::backend::Backend;
use crate::platform::PlatformInfo;

/// The samples' mount point.
pub const MOUNT: &str = "/ds-test";
/// The samples' RTSP port.
pub const DEFAULT_PORT: u16 = 8554;
/// The samples' default bitrate (bit/s).
pub const DEFAULT_BITRATE: u32 = 4_000_000;

/// `-c/--codec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// H.264 (`nvv4l2h264enc` / `x264enc`, `rtph264pay`).
    H264,
    /// H.265 (`nvv4l2h265enc` / `x265enc`, `rtph265pay`).
    H265,
}

impl Codec {
    /// Parses `H264` or `H265` (case-insensitive).
    ///
    /// Errors: any other name, naming it and the choices.
    pub fn parse(s: &str) -> anyhow::Result<Codec> {
        match s.to_ascii_uppercase().as_str() {
            "H264" => Ok(Codec::H264),
            "H265" => Ok(Codec::H265),
            _ => bail!("unknown codec '{s}': expected H264 or H265"),
        }
    }

    /// `H264` or `H265`: the RTP encoding name.
    pub fn name(self) -> &'static str {
        match self {
            Codec::H264 => "H264",
            Codec::H265 => "H265",
        }
    }
}

/// How to build the RTSP output.
#[derive(Debug, Clone)]
pub struct RtspOutOptions {
    /// `-c`.
    pub codec: Codec,
    /// `-b`, in bit/s.
    pub bitrate: u32,
    /// `-e`: 0 = hardware encoder (NVIDIA's on DeepStream), 1 = software (`x264enc`/`x265enc`).
    /// On the portable backend both are the software encoders.
    pub enc_type: u32,
    /// RTSP port (`--rtsp-port`); 0 picks a free one.
    pub port: u16,
    /// Address the RTSP server listens on (`--rtsp-address`).
    pub address: String,
    /// The sample sets `qos=0` on its udpsink (rtsp-in-rtsp-out).
    pub udpsink_qos_off: bool,
}

impl Default for RtspOutOptions {
    fn default() -> Self {
        RtspOutOptions {
            codec: Codec::H264,
            bitrate: DEFAULT_BITRATE,
            enc_type: 0,
            port: DEFAULT_PORT,
            address: "127.0.0.1".into(),
            udpsink_qos_off: false,
        }
    }
}

/// The flags of the RTSP output that every RTSP-OUT sample adds to the Python sample's own.
#[derive(Debug, Clone, clap::Args)]
pub struct RtspArgs {
    /// Port of the RTSP server (the samples use 8554); 0 picks a free port (printed).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub rtsp_port: u16,
    /// Address the RTSP server listens on: 127.0.0.1 (this machine only), or 0.0.0.0 to serve
    /// other machines as the Python samples do.
    #[arg(long, default_value = "127.0.0.1")]
    pub rtsp_address: String,
}

/// The RTSP output: the bin to link after the OSD, and the server serving it.
pub struct RtspOut {
    /// `convertor_postosd ! filter ! encoder ! rtppay ! udpsink`, with a ghost `sink` pad.
    pub bin: gst::Bin,
    /// The URL clients connect to.
    pub url: String,
    /// The UDP port of the 127.0.0.1 relay.
    pub relay_port: u16,
    server: gst_rtsp_server::RTSPServer,
    source: Option<glib::SourceId>,
}

impl RtspOut {
    /// The RTSP server (e.g. to count clients).
    pub fn server(&self) -> &gst_rtsp_server::RTSPServer {
        &self.server
    }
}

impl Drop for RtspOut {
    fn drop(&mut self) {
        if let Some(id) = self.source.take() {
            id.remove();
        }
    }
}

/// Converts the samples' `-b` (bit/s) to what encoder `factory` takes: bit/s for NVIDIA's,
/// kbit/s for `x264enc` (1..=2048000) and `x265enc` (1..=102400), rounded and clamped.
pub fn encoder_bitrate(factory: &str, bits_per_second: u32) -> u32 {
    let kbps = bits_per_second.saturating_add(500) / 1000;
    match factory {
        "x264enc" => kbps.clamp(1, 2_048_000),
        "x265enc" => kbps.clamp(1, 102_400),
        _ => bits_per_second,
    }
}

/// A free UDP port on 127.0.0.1 for the relay.
fn free_udp_port() -> anyhow::Result<u16> {
    let s = UdpSocket::bind("127.0.0.1:0").context("finding a free UDP port on 127.0.0.1 for the RTP relay")?;
    Ok(s.local_addr()?.port())
}

/// Builds the RTSP-OUT branch (not yet in a pipeline) and starts the RTSP server on the
/// default main context (served while the sample's main loop runs). Prints the
/// `Launched RTSP Streaming at ...` line with the real URL.
///
/// Errors: an element is missing (named); the RTSP port is taken or cannot be bound (the
/// message names the address and port).
pub fn make_rtsp_out(backend: Backend, opts: &RtspOutOptions) -> anyhow::Result<RtspOut> {
    let bin = gst::Bin::with_name("rtsp-out");
    let mk = |f: &str, n: &str| backend.make(f, n);
    let hardware = opts.enc_type == 0;
    let mut chain = vec![mk("nvvideoconvert", "convertor_postosd")?];
    if backend == Backend::Portable {
        // dsvideoconvert gives RGBA: the CPU conversion to I420 is a separate element.
        chain.push(mk("videoconvert", "convertor_i420")?);
    }
    let caps = if backend == Backend::DeepStream && hardware {
        gst::Caps::builder("video/x-raw").features(["memory:NVMM"]).field("format", "I420").build()
    } else {
        gst::Caps::builder("video/x-raw").field("format", "I420").build()
    };
    let filter = mk("capsfilter", "filter")?;
    filter.set_property("caps", &caps);
    chain.push(filter);

    // Make the encoder: NVIDIA's (mapped to x264enc/x265enc on the portable backend) or the
    // software one.
    let nv_encoder = match (opts.codec, hardware) {
        (Codec::H264, true) => "nvv4l2h264enc",
        (Codec::H265, true) => "nvv4l2h265enc",
        (Codec::H264, false) => "x264enc",
        (Codec::H265, false) => "x265enc",
    };
    let encoder = mk(nv_encoder, "encoder")?;
    let factory = backend.factory_name(nv_encoder).to_owned();
    encoder.set_property("bitrate", encoder_bitrate(&factory, opts.bitrate));
    match factory.as_str() {
        "x264enc" | "x265enc" => {
            encoder.set_property_from_str("tune", "zerolatency");
            encoder.set_property_from_str("speed-preset", "ultrafast");
            if factory == "x264enc" {
                encoder.set_property("key-int-max", 30u32);
            } else {
                encoder.set_property("key-int-max", 30i32);
            }
        }
        _ => {
            if PlatformInfo::get().is_integrated_gpu() {
                encoder.set_property_from_str("preset-level", "1");
                encoder.set_property("insert-sps-pps", true);
            }
        }
    }
    chain.push(encoder);
    if factory == "x264enc" {
        // x264enc's caps allow several profiles: ask for one every client decodes.
        let c = mk("capsfilter", "encoder-caps")?;
        c.set_property("caps", gst::Caps::builder("video/x-h264").field("profile", "high").build());
        chain.push(c);
    }

    // Make the payload-encode video into RTP packets
    let rtppay = mk(if opts.codec == Codec::H264 { "rtph264pay" } else { "rtph265pay" }, "rtppay")?;
    rtppay.set_property("config-interval", -1i32);
    chain.push(rtppay);

    // Make the UDP sink: unicast to 127.0.0.1 (the samples: multicast 224.224.255.255:5400)
    let relay_port = free_udp_port()?;
    let udpsink = mk("udpsink", "udpsink")?;
    udpsink.set_property("host", "127.0.0.1");
    udpsink.set_property("port", relay_port as i32);
    udpsink.set_property("async", false);
    udpsink.set_property("sync", true);
    if opts.udpsink_qos_off {
        udpsink.set_property("qos", false);
    }
    chain.push(udpsink);

    bin.add_many(&chain)?;
    gst::Element::link_many(&chain).context("linking the RTSP output (convertor, caps, encoder, payloader, udpsink)")?;
    let first = chain.first().context("empty RTSP output chain")?;
    let pad = first.static_pad("sink").context("convertor without a sink pad")?;
    bin.add_pad(&gst::GhostPad::builder_with_target(&pad)?.name("sink").build())?;

    // Start streaming
    let server = gst_rtsp_server::RTSPServer::new();
    server.set_address(&opts.address);
    server.set_service(&opts.port.to_string());
    let factory = gst_rtsp_server::RTSPMediaFactory::new();
    factory.set_launch(&format!(
        "( udpsrc name=pay0 address=127.0.0.1 port={relay_port} buffer-size=524288 caps=\"application/x-rtp, \
         media=video, clock-rate=90000, encoding-name=(string){}, payload=96 \" )",
        opts.codec.name()
    ));
    factory.set_shared(true);
    server
        .mount_points()
        .context("RTSP server without mount points")?
        .add_factory(MOUNT, factory);
    let source = server.attach(None).map_err(|_| port_error(&opts.address, opts.port))?;
    let port = server.bound_port();
    let host = if opts.address == "0.0.0.0" || opts.address == "::" { "localhost" } else { opts.address.as_str() };
    let url = format!("rtsp://{host}:{port}{MOUNT}");
    println!("\n *** DeepStream: Launched RTSP Streaming at {url} ***\n");
    Ok(RtspOut { bin, url, relay_port, server, source: Some(source) })
}

/// Why the RTSP server could not listen: asks the OS (binding the same address) for the
/// reason, and names the address and port.
fn port_error(address: &str, port: u16) -> anyhow::Error {
    let reason = match std::net::TcpListener::bind((address, port)) {
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return anyhow::anyhow!(
                "RTSP port {port} on {address} is already in use (another RTSP server or DeepStream app?): \
                 choose another with --rtsp-port, or --rtsp-port 0 for a free one"
            );
        }
        Err(e) => e.to_string(),
        Ok(_) => "unknown reason".to_owned(),
    };
    anyhow::anyhow!("cannot start the RTSP server on {address}:{port}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrate_in_each_encoders_unit() {
        assert_eq!(encoder_bitrate("nvv4l2h264enc", 4_000_000), 4_000_000);
        assert_eq!(encoder_bitrate("x264enc", 4_000_000), 4000);
        assert_eq!(encoder_bitrate("x265enc", 4_000_000), 4000);
        assert_eq!(encoder_bitrate("x265enc", 400_000_000), 102_400);
        assert_eq!(encoder_bitrate("x264enc", 100), 1);
    }

    #[test]
    fn codec_names() {
        assert_eq!(Codec::parse("h265").unwrap(), Codec::H265);
        let e = Codec::parse("VP9").unwrap_err().to_string();
        assert!(e.contains("VP9") && e.contains("H264"), "{e}");
    }

    #[test]
    fn a_taken_port_is_named() {
        gst::init().unwrap();
        crate::init(Some("portable")).unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let opts = RtspOutOptions { port, ..Default::default() };
        let err = make_rtsp_out(Backend::Portable, &opts).err().expect("port taken").to_string();
        assert!(err.contains(&format!("port {port}")) && err.contains("already in use"), "{err}");
    }
}
