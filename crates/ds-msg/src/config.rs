//! The msgconv config file (`config` of nvmsgconv): the static parts of the DeepStream
//! schema, in `[sensorN]`, `[placeN]` and `[analyticsN]` groups, as a GKeyFile (read with
//! glib's `KeyFile`, as nvmsgconv does) or as YAML (`.yml` / `.yaml`, DeepStream 6.2+).
//!
//! DeepStream's reading, kept here:
//! - a group counts only with `enable=1` (a group without `enable`, or `enable=0`, is
//!   skipped);
//! - `N` is the id events refer to (`sensorId`, `placeId`, `moduleId`);
//! - `location` is `lat;lon;alt` and `coordinate` is `x;y;z`: exactly three numbers;
//! - values are taken as GKeyFile gives them: double quotes are kept (`description="A"`
//!   is the seven characters `"A"`, in DeepStream's JSON too); YAML unquotes.
//!
//! Errors name the file, group and key: a group name whose suffix is not a number
//! (`[sensorA]`), a list that is not three numbers, a non-boolean `enable`. An unknown key in a
//! known group, and an unknown group, are warnings (DeepStream prints and goes on), kept in
//! [`MsgConvConfig::warnings`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use glib::{KeyFile, KeyFileFlags};

use crate::error::{Error, Result};

/// `[sensorN]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sensor {
    /// `id` (a string in the schema).
    pub id: String,
    /// `type` (`Camera` ...).
    pub type_: String,
    /// `description`.
    pub description: String,
    /// `location`: lat, lon, alt.
    pub location: [f64; 3],
    /// `coordinate`: x, y, z.
    pub coordinate: [f64; 3],
}

/// `[placeN]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// `id`.
    pub id: String,
    /// `type`.
    pub type_: String,
    /// `name`.
    pub name: String,
    /// `location`: lat, lon, alt.
    pub location: [f64; 3],
    /// `coordinate`: x, y, z.
    pub coordinate: [f64; 3],
    /// `place-sub-field1`, `place-sub-field2`, `place-sub-field3` (aisle / parking spot /
    /// entrance fields, by event type).
    pub sub_fields: [String; 3],
}

/// `[analyticsN]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analytics {
    /// `id`.
    pub id: String,
    /// `description`.
    pub description: String,
    /// `source`.
    pub source: String,
    /// `version`.
    pub version: String,
}

/// A parsed msgconv config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MsgConvConfig {
    /// The file it came from.
    pub file: PathBuf,
    /// Enabled `[sensorN]` groups by `N`.
    pub sensors: BTreeMap<i32, Sensor>,
    /// Enabled `[placeN]` groups by `N`.
    pub places: BTreeMap<i32, Place>,
    /// Enabled `[analyticsN]` groups by `N`.
    pub analytics: BTreeMap<i32, Analytics>,
    /// What was ignored (unknown keys and groups, disabled groups), one line each, naming
    /// file, group and key.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Sensor,
    Place,
    Analytics,
}

/// A source of groups and string values: the key file or the YAML document.
trait Source {
    fn groups(&self) -> Vec<String>;
    fn keys(&self, group: &str) -> Vec<String>;
    fn value(&self, group: &str, key: &str) -> Option<String>;
}

struct KeyFileSource(KeyFile);

impl Source for KeyFileSource {
    fn groups(&self) -> Vec<String> {
        self.0.groups().iter().map(|s| s.to_string()).collect()
    }
    fn keys(&self, group: &str) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        if let Ok(ks) = self.0.keys(group) {
            for k in ks.iter() {
                let k = k.to_string();
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }
    fn value(&self, group: &str, key: &str) -> Option<String> {
        self.0.string(group, key).ok().map(|s| s.to_string())
    }
}

struct YamlSource(Vec<(String, Vec<(String, String)>)>);

impl Source for YamlSource {
    fn groups(&self) -> Vec<String> {
        self.0.iter().map(|(g, _)| g.clone()).collect()
    }
    fn keys(&self, group: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(g, _)| g == group)
            .flat_map(|(_, kv)| kv.iter().map(|(k, _)| k.clone()))
            .collect()
    }
    fn value(&self, group: &str, key: &str) -> Option<String> {
        self.0
            .iter()
            .filter(|(g, _)| g == group)
            .flat_map(|(_, kv)| kv.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

fn yaml_scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        serde_yaml::Value::Null => Some(String::new()),
        _ => None,
    }
}

impl MsgConvConfig {
    /// Reads `path`: YAML when it ends in `.yml` or `.yaml`, a key file otherwise.
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::ConfigFile {
            file: path.to_path_buf(),
            reason: format!("cannot read the msgconv config: {e}"),
        })?;
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml")
        );
        Self::from_bytes(path, &bytes, yaml)
    }

    /// Parses config text as if it were the file `path`.
    pub fn from_bytes(path: &Path, bytes: &[u8], yaml: bool) -> Result<Self> {
        let file = path.to_path_buf();
        if yaml {
            let src = Self::yaml_source(&file, bytes)?;
            Self::from_source(file, &src)
        } else {
            let kf = KeyFile::new();
            kf.load_from_bytes(&glib::Bytes::from(bytes), KeyFileFlags::NONE)
                .map_err(|e| Error::ConfigFile {
                    file: file.clone(),
                    reason: format!("not a key file: {}", e.message()),
                })?;
            Self::from_source(file, &KeyFileSource(kf))
        }
    }

    fn yaml_source(file: &Path, bytes: &[u8]) -> Result<YamlSource> {
        let bad = |reason: String| Error::ConfigFile {
            file: file.to_path_buf(),
            reason,
        };
        let doc: serde_yaml::Value =
            serde_yaml::from_slice(bytes).map_err(|e| bad(format!("not YAML: {e}")))?;
        let serde_yaml::Value::Mapping(top) = doc else {
            return Err(bad("the YAML document is not a map of groups".into()));
        };
        let mut groups = Vec::new();
        for (g, body) in top {
            let Some(g) = yaml_scalar(&g) else {
                return Err(bad("a group name is not a string".into()));
            };
            let mut kv = Vec::new();
            if let serde_yaml::Value::Mapping(m) = body {
                for (k, v) in m {
                    let k = yaml_scalar(&k).unwrap_or_default();
                    let Some(v) = yaml_scalar(&v) else {
                        return Err(Error::ConfigValue {
                            file: file.to_path_buf(),
                            group: g,
                            key: k,
                            reason: "expected a single value, not a list or map".into(),
                        });
                    };
                    kv.push((k, v));
                }
            }
            groups.push((g, kv));
        }
        Ok(YamlSource(groups))
    }

    fn from_source(file: PathBuf, src: &dyn Source) -> Result<Self> {
        let mut cfg = MsgConvConfig {
            file: file.clone(),
            ..Default::default()
        };
        for group in src.groups() {
            let (kind, prefix) = if group.starts_with("sensor") {
                (Kind::Sensor, "sensor")
            } else if group.starts_with("place") {
                (Kind::Place, "place")
            } else if group.starts_with("analytics") {
                (Kind::Analytics, "analytics")
            } else {
                cfg.warnings.push(format!(
                    "{}: [{group}]: unknown group, ignored",
                    file.display()
                ));
                continue;
            };
            let suffix = &group[prefix.len()..];
            let id: i32 = match suffix.parse::<u32>() {
                Ok(n) if !suffix.starts_with('+') && i32::try_from(n).is_ok() => n as i32,
                _ => {
                    return Err(Error::ConfigGroup {
                        file,
                        group: group.clone(),
                        reason: format!(
                            "wrong {prefix} group name: expected [{prefix}N] with N a number (the id events refer to)"
                        ),
                    });
                }
            };
            let p = GroupParser {
                file: &file,
                group: &group,
                src,
            };
            let enable = match src.value(&group, "enable") {
                None => {
                    cfg.warnings.push(format!(
                        "{}: [{group}]: no enable=1: group ignored",
                        file.display()
                    ));
                    continue;
                }
                Some(v) => p.boolean("enable", &v)?,
            };
            if !enable {
                continue;
            }
            let known = |k: &str| -> bool {
                let ok = match kind {
                    Kind::Sensor => {
                        matches!(k, "id" | "type" | "description" | "location" | "coordinate")
                    }
                    Kind::Place => matches!(
                        k,
                        "id" | "type"
                            | "name"
                            | "location"
                            | "coordinate"
                            | "place-sub-field1"
                            | "place-sub-field2"
                            | "place-sub-field3"
                    ),
                    Kind::Analytics => matches!(k, "id" | "description" | "source" | "version"),
                };
                ok || k == "enable"
            };
            for k in src.keys(&group) {
                if !known(&k) {
                    cfg.warnings.push(format!(
                        "{}: [{group}] {k}: unknown key, ignored",
                        file.display()
                    ));
                }
            }
            let s = |k: &str| src.value(&group, k).unwrap_or_default();
            match kind {
                Kind::Sensor => {
                    cfg.sensors.insert(
                        id,
                        Sensor {
                            id: s("id"),
                            type_: s("type"),
                            description: s("description"),
                            location: p.triple("location", "lat;lon;alt")?,
                            coordinate: p.triple("coordinate", "x;y;z")?,
                        },
                    );
                }
                Kind::Place => {
                    cfg.places.insert(
                        id,
                        Place {
                            id: s("id"),
                            type_: s("type"),
                            name: s("name"),
                            location: p.triple("location", "lat;lon;alt")?,
                            coordinate: p.triple("coordinate", "x;y;z")?,
                            sub_fields: [
                                s("place-sub-field1"),
                                s("place-sub-field2"),
                                s("place-sub-field3"),
                            ],
                        },
                    );
                }
                Kind::Analytics => {
                    cfg.analytics.insert(
                        id,
                        Analytics {
                            id: s("id"),
                            description: s("description"),
                            source: s("source"),
                            version: s("version"),
                        },
                    );
                }
            }
        }
        Ok(cfg)
    }
}

struct GroupParser<'a> {
    file: &'a Path,
    group: &'a str,
    src: &'a dyn Source,
}

impl GroupParser<'_> {
    fn bad(&self, key: &str, reason: String) -> Error {
        Error::ConfigValue {
            file: self.file.to_path_buf(),
            group: self.group.to_string(),
            key: key.to_string(),
            reason,
        }
    }

    fn boolean(&self, key: &str, v: &str) -> Result<bool> {
        match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(self.bad(key, format!("\"{v}\": expected 0 or 1 (or true/false)"))),
        }
    }

    /// A `a;b;c` list of three numbers; zeros when the key is absent (as DeepStream's
    /// zero-initialised struct).
    fn triple(&self, key: &str, shape: &str) -> Result<[f64; 3]> {
        let Some(v) = self.src.value(self.group, key) else {
            return Ok([0.0; 3]);
        };
        // GKeyFile's double lists accept a trailing ';'.
        let trimmed = v.trim().strip_suffix(';').unwrap_or(v.trim());
        let parts: Vec<&str> = trimmed.split(';').collect();
        if parts.len() != 3 {
            return Err(self.bad(
                key,
                format!(
                    "\"{v}\": wrong values provided, it should be like {shape} (three numbers)"
                ),
            ));
        }
        let mut out = [0.0; 3];
        for (o, p) in out.iter_mut().zip(&parts) {
            *o = p.trim().parse().map_err(|_| {
                self.bad(key, format!("\"{v}\": \"{p}\" is not a number ({shape})"))
            })?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MsgConvConfig> {
        MsgConvConfig::from_bytes(Path::new("t.txt"), text.as_bytes(), false)
    }

    #[test]
    fn keeps_quotes_as_gkeyfile_does_and_reads_lists() {
        let c = parse("[sensor0]\nenable=1\nid=CAM\ndescription=\"Garage\"\nlocation=1.5;-2;3\n")
            .unwrap();
        let s = &c.sensors[&0];
        assert_eq!(s.description, "\"Garage\"");
        assert_eq!(s.location, [1.5, -2.0, 3.0]);
        assert_eq!(s.coordinate, [0.0; 3]);
    }

    #[test]
    fn bad_group_and_value_name_file_group_key() {
        let e = parse("[sensorA]\nenable=1\n").unwrap_err().to_string();
        assert!(
            e.starts_with("t.txt: [sensorA]: wrong sensor group name"),
            "{e}"
        );
        let e = parse("[place2]\nenable=1\nlocation=1;2\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.txt: [place2] location: \"1;2\": wrong values provided"),
            "{e}"
        );
        let e = parse("[analytics0]\nenable=yes\n").unwrap_err().to_string();
        assert!(e.starts_with("t.txt: [analytics0] enable: \"yes\""), "{e}");
        let c =
            parse("[analytics0]\nenable=1\nversoin=1\n[foo]\nx=1\n[sensor1]\nenable=0\n").unwrap();
        assert_eq!(
            c.warnings,
            [
                "t.txt: [analytics0] versoin: unknown key, ignored",
                "t.txt: [foo]: unknown group, ignored"
            ]
        );
        assert!(c.sensors.is_empty());
    }
}
