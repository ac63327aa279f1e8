//! DeepStream's JSON schemas, as nvmsgconv's `deepstream_schema` writes them (field names,
//! nesting and value formats checked against NVIDIA's public sources; the code is ours).
//!
//! - Full (`payload-type=0`, [`full_message`]): one message per event: `messageid` (a random
//!   UUID), `mdsversion` `"1.0"`, `@timestamp`, `place`, `sensor`, `analyticsModule` (from the
//!   msgconv config groups the event's `placeId` / `sensorId` / `moduleId` select; `null`
//!   when the group is missing), `object` (tracking id, bbox corners as integers, vehicle /
//!   person / face attributes), `event` (`id`, `type`) and `videoPath`.
//! - Minimal (`payload-type=1`, [`minimal_message`]): one message per frame: `version` `"4.0"`,
//!   `id` (frame id), `@timestamp`, `sensorId`, and `objects`, one `|`-separated string per event
//!   (`trackingId|left|top|right|bottom|Type|#|attributes...|confidence`), numbers printed as
//!   C++ streams print them (six significant digits).

use serde_json::{Map, Value, json};

use crate::config::MsgConvConfig;
use crate::event::{Event, EventType, Ext, ObjectType};

/// `nvmsgconv`'s `payload-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadType {
    /// `NVDS_PAYLOAD_DEEPSTREAM` (0): the full schema.
    #[default]
    Full,
    /// `NVDS_PAYLOAD_DEEPSTREAM_MINIMAL` (1): the minimal schema.
    Minimal,
}

impl PayloadType {
    /// From nvmsgconv's property value; protobuf (2) and custom (257) are not implemented.
    pub fn from_raw(v: i32) -> crate::Result<Self> {
        match v {
            0 => Ok(Self::Full),
            1 => Ok(Self::Minimal),
            2 => Err(crate::Error::NotSupported(
                "payload-type=2 (protobuf schema) is not implemented; use 0 (full) or 1 (minimal)"
                    .into(),
            )),
            257 => Err(crate::Error::NotSupported(
                "payload-type=257 (custom schema through msg2p-lib) is not implemented; use 0 or 1"
                    .into(),
            )),
            o => Err(crate::Error::NotSupported(format!(
                "payload-type={o} is not a DeepStream payload type (0 full, 1 minimal)"
            ))),
        }
    }
}

/// A random (version 4) UUID in lower-case hex, as `uuid_generate_random` + `uuid_unparse_lower`.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    // /dev/urandom is always present on Linux; fall back to time-seeded bytes otherwise.
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .is_ok();
    if !ok {
        let mut x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(1) as u64
            ^ (std::process::id() as u64) << 32;
        for v in b.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *v = x as u8;
        }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A number as a C++ `ostream` prints it by default (`%g`, six significant digits).
pub fn fmt_g(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let sci = format!("{v:.5e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        format!(
            "{}e{}{:02}",
            trim(mant),
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    } else {
        let decimals = (5 - exp).max(0) as usize;
        trim(&format!("{v:.decimals$}"))
    }
}

fn loc(l: &[f64; 3]) -> Value {
    json!({"lat": l[0], "lon": l[1], "alt": l[2]})
}

fn coord(c: &[f64; 3]) -> Value {
    json!({"x": c[0], "y": c[1], "z": c[2]})
}

fn place_object(cfg: &MsgConvConfig, e: &Event) -> Value {
    let Some(p) = cfg.places.get(&e.place_id) else {
        return Value::Null;
    };
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("name".into(), json!(p.name));
    o.insert("type".into(), json!(p.type_));
    o.insert("location".into(), loc(&p.location));
    let [f1, f2, f3] = &p.sub_fields;
    let sub = |names: [&str; 3]| -> Value {
        let mut s = Map::new();
        s.insert(names[0].into(), json!(f1));
        s.insert(names[1].into(), json!(f2));
        s.insert(names[2].into(), json!(f3));
        s.insert("coordinate".into(), coord(&p.coordinate));
        Value::Object(s)
    };
    match e.event_type {
        EventType::Moving | EventType::Stopped => {
            o.insert("aisle".into(), sub(["id", "name", "level"]));
        }
        EventType::Empty | EventType::Parked => {
            o.insert("parkingSpot".into(), sub(["id", "type", "level"]));
        }
        EventType::Entry | EventType::Exit => {
            if e.obj_type == ObjectType::Vehicle {
                o.insert("aisle".into(), sub(["id", "name", "level"]));
            } else {
                o.insert("entrance".into(), sub(["name", "lane", "level"]));
            }
        }
        _ => {}
    }
    Value::Object(o)
}

fn sensor_object(cfg: &MsgConvConfig, e: &Event) -> Value {
    let Some(s) = cfg.sensors.get(&e.sensor_id) else {
        return Value::Null;
    };
    json!({
        "id": s.id, "type": s.type_, "description": s.description,
        "location": loc(&s.location), "coordinate": coord(&s.coordinate),
    })
}

fn analytics_object(cfg: &MsgConvConfig, e: &Event) -> Value {
    let Some(a) = cfg.analytics.get(&e.module_id) else {
        return Value::Null;
    };
    json!({"id": a.id, "description": a.description, "source": a.source, "version": a.version})
}

fn object_object(e: &Event) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(e.tracking_id.to_string()));
    o.insert("speed".into(), json!(0.0));
    o.insert("direction".into(), json!(0.0));
    o.insert("orientation".into(), json!(0.0));
    let conf = e.confidence;
    match (e.obj_type, &e.ext) {
        (ObjectType::Vehicle, ext) => {
            let v = match ext {
                Some(Ext::Vehicle(v)) => {
                    json!({"type": v.type_, "make": v.make, "model": v.model, "color": v.color,
                    "licenseState": v.region, "license": v.license, "confidence": conf})
                }
                _ => {
                    json!({"type": "", "make": "", "model": "", "color": "", "licenseState": "", "license": "", "confidence": 1.0})
                }
            };
            o.insert("vehicle".into(), v);
        }
        (ObjectType::Person, ext) => {
            let p = match ext {
                Some(Ext::Person(p)) => {
                    json!({"age": p.age, "gender": p.gender, "hair": p.hair, "cap": p.cap,
                    "apparel": p.apparel, "confidence": conf})
                }
                _ => {
                    json!({"age": 0, "gender": "", "hair": "", "cap": "", "apparel": "", "confidence": 1.0})
                }
            };
            o.insert("person".into(), p);
        }
        (ObjectType::Face, ext) => {
            let f = match ext {
                Some(Ext::Face(f)) => {
                    json!({"age": f.age, "gender": f.gender, "hair": f.hair, "cap": f.cap,
                    "glasses": f.glasses, "facialhair": f.facialhair, "name": f.name, "eyecolor": f.eyecolor,
                    "confidence": conf})
                }
                _ => {
                    json!({"age": 0, "gender": "", "hair": "", "cap": "", "glasses": "", "facialhair": "",
                    "name": "", "eyecolor": "", "confidence": 1.0})
                }
            };
            o.insert("face".into(), f);
        }
        (ObjectType::Unknown, _) if !e.object_id.is_empty() => {
            o.insert(e.object_id.clone(), json!({}));
        }
        _ => {}
    }
    let b = e.bbox;
    // json_object_set_int_member with a float argument: truncated toward zero.
    o.insert(
        "bbox".into(),
        json!({
            "topleftx": b.left as i64, "toplefty": b.top as i64,
            "bottomrightx": (b.left + b.width) as i64, "bottomrighty": (b.top + b.height) as i64,
        }),
    );
    o.insert("location".into(), loc(&e.location));
    o.insert("coordinate".into(), coord(&e.coordinate));
    o.insert("pose".into(), json!({}));
    Value::Object(o)
}

fn event_object(e: &Event) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_v4()));
    if let Some(t) = e.event_type.schema_name() {
        o.insert("type".into(), json!(t));
    }
    Value::Object(o)
}

/// The full schema (`payload-type=0`) message of one event, as pretty-printed JSON.
pub fn full_message(cfg: &MsgConvConfig, e: &Event) -> String {
    let mut root = Map::new();
    root.insert("messageid".into(), json!(uuid_v4()));
    root.insert("mdsversion".into(), json!("1.0"));
    root.insert("@timestamp".into(), json!(e.ts));
    root.insert("place".into(), place_object(cfg, e));
    root.insert("sensor".into(), sensor_object(cfg, e));
    root.insert("analyticsModule".into(), analytics_object(cfg, e));
    root.insert("object".into(), object_object(e));
    root.insert("event".into(), event_object(e));
    root.insert("videoPath".into(), json!(e.video_path));
    serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default()
}

/// One object string of the minimal schema.
pub fn minimal_object(e: &Event) -> String {
    let b = e.bbox;
    let mut s = format!(
        "{}|{}|{}|{}|{}|{}",
        e.tracking_id,
        fmt_g(b.left as f64),
        fmt_g(b.top as f64),
        fmt_g((b.left + b.width) as f64),
        fmt_g((b.top + b.height) as f64),
        if e.obj_type == ObjectType::Unknown && !e.object_id.is_empty() {
            e.object_id.as_str()
        } else {
            e.obj_type.minimal_name()
        }
    );
    match (&e.ext, e.obj_type) {
        (Some(Ext::Vehicle(v)), ObjectType::Vehicle) => {
            s += &format!(
                "|#|{}|{}|{}|{}|{}|{}",
                v.type_, v.make, v.model, v.color, v.license, v.region
            );
        }
        (Some(Ext::Person(p)), ObjectType::Person) => {
            s += &format!(
                "|#|{}|{}|{}|{}|{}",
                p.gender, p.age, p.hair, p.cap, p.apparel
            );
        }
        (Some(Ext::Face(f)), ObjectType::Face) => {
            s += &format!(
                "|#|{}|{}|{}|{}|{}|{}|{}||{}",
                f.gender, f.age, f.hair, f.cap, f.glasses, f.facialhair, f.name, f.eyecolor
            );
        }
        (None, _) => s += "|#||||||",
        _ => {}
    }
    s += &format!("|{}", fmt_g(e.confidence));
    s
}

/// The minimal schema (`payload-type=1`) message of the events of one frame (the time
/// stamp, frame id and sensor come from the first event); `None` without events.
pub fn minimal_message(cfg: &MsgConvConfig, events: &[Event]) -> Option<String> {
    let first = events.first()?;
    let sensor = if !first.sensor_str.is_empty() {
        first.sensor_str.clone()
    } else {
        cfg.sensors
            .get(&first.sensor_id)
            .map(|s| s.id.clone())
            .unwrap_or_else(|| "0".into())
    };
    let mut root = Map::new();
    root.insert("version".into(), json!("4.0"));
    root.insert("id".into(), json!(first.frame_id.to_string()));
    root.insert("@timestamp".into(), json!(first.ts));
    root.insert("sensorId".into(), json!(sensor));
    root.insert(
        "objects".into(),
        Value::Array(events.iter().map(|e| json!(minimal_object(e))).collect()),
    );
    serde_json::to_string_pretty(&Value::Object(root)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Person, Rect, Vehicle};

    #[test]
    fn numbers_print_as_cpp_streams() {
        assert_eq!(fmt_g(957.0), "957");
        assert_eq!(fmt_g(12.5), "12.5");
        assert_eq!(fmt_g(1834.1234), "1834.12");
        assert_eq!(fmt_g(0.8), "0.8");
        assert_eq!(fmt_g(0.873_456_7), "0.873457");
        assert_eq!(fmt_g(1234567.0), "1.23457e+06");
        assert_eq!(fmt_g(0.00001234), "1.234e-05");
        assert_eq!(fmt_g(-3.0), "-3");
    }

    #[test]
    fn uuid_is_version_4() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, uuid_v4());
    }

    fn cfg() -> MsgConvConfig {
        MsgConvConfig::from_bytes(std::path::Path::new("c.txt"),
            b"[sensor0]\nenable=1\nid=CAM\ntype=Camera\nlocation=1;2;3\n[place0]\nenable=1\nid=1\nname=XYZ\ntype=garage\nplace-sub-field1=walsh\nplace-sub-field2=lane1\nplace-sub-field3=P2\n[analytics0]\nenable=1\nid=XYZ\nversion=1.0\n",
            false).unwrap()
    }

    #[test]
    fn full_schema_fields() {
        let e = Event {
            event_type: EventType::Moving,
            obj_type: ObjectType::Vehicle,
            bbox: Rect {
                top: 10.7,
                left: 20.2,
                width: 30.0,
                height: 40.0,
            },
            confidence: 0.5,
            tracking_id: 7,
            ts: "2026-01-01T00:00:00.000Z".into(),
            ext: Some(Ext::Vehicle(Vehicle {
                type_: "sedan".into(),
                region: "CA".into(),
                ..Default::default()
            })),
            ..Default::default()
        };
        let v: Value = serde_json::from_str(&full_message(&cfg(), &e)).unwrap();
        assert_eq!(v["sensor"]["id"], "CAM");
        assert_eq!(v["sensor"]["location"]["alt"], 3.0);
        assert_eq!(v["place"]["aisle"]["name"], "lane1");
        assert_eq!(v["analyticsModule"]["version"], "1.0");
        assert_eq!(v["object"]["id"], "7");
        assert_eq!(v["object"]["vehicle"]["licenseState"], "CA");
        assert_eq!(
            v["object"]["bbox"],
            json!({"topleftx": 20, "toplefty": 10, "bottomrightx": 50, "bottomrighty": 50})
        );
        assert_eq!(v["event"]["type"], "moving");
        assert_eq!(v["@timestamp"], "2026-01-01T00:00:00.000Z");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "messageid",
                "mdsversion",
                "@timestamp",
                "place",
                "sensor",
                "analyticsModule",
                "object",
                "event",
                "videoPath"
            ]
        );
    }

    #[test]
    fn minimal_schema_strings() {
        let e = Event {
            event_type: EventType::Entry,
            obj_type: ObjectType::Person,
            bbox: Rect {
                top: 150.0,
                left: 957.0,
                width: 877.0,
                height: 65.5,
            },
            confidence: 0.8,
            tracking_id: 3,
            frame_id: 30,
            ts: "t".into(),
            ext: Some(Ext::Person(Person {
                gender: "male".into(),
                age: 45,
                hair: "black".into(),
                cap: "none".into(),
                apparel: "formal".into(),
            })),
            ..Default::default()
        };
        let v: Value = serde_json::from_str(&minimal_message(&cfg(), &[e]).unwrap()).unwrap();
        assert_eq!(
            v["objects"][0],
            "3|957|150|1834|215.5|Person|#|male|45|black|none|formal|0.8"
        );
        assert_eq!(v["sensorId"], "CAM");
        assert_eq!(v["id"], "30");
        assert_eq!(v["version"], "4.0");
    }
}
