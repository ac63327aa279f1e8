//! Event data as plain Rust values: what `NvDsEventMsgMeta` (and its vehicle / person /
//! face extension) carries into nvmsgconv, without GStreamer or C memory. The GStreamer
//! element copies ds-meta's `EventMsgMeta` into an [`Event`]; tests build them directly.

/// `NvDsEventType`, with DeepStream's numeric values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventType {
    /// `NVDS_EVENT_ENTRY` (0).
    #[default]
    Entry,
    /// `NVDS_EVENT_EXIT` (1).
    Exit,
    /// `NVDS_EVENT_MOVING` (2).
    Moving,
    /// `NVDS_EVENT_STOPPED` (3).
    Stopped,
    /// `NVDS_EVENT_EMPTY` (4).
    Empty,
    /// `NVDS_EVENT_PARKED` (5).
    Parked,
    /// `NVDS_EVENT_RESET` (6).
    Reset,
    /// Any other value (`NVDS_EVENT_RESERVED`, `NVDS_EVENT_CUSTOM` ...), kept as is.
    Other(i32),
}

impl EventType {
    /// From the C enum value.
    pub fn from_raw(v: i32) -> Self {
        match v {
            0 => Self::Entry,
            1 => Self::Exit,
            2 => Self::Moving,
            3 => Self::Stopped,
            4 => Self::Empty,
            5 => Self::Parked,
            6 => Self::Reset,
            o => Self::Other(o),
        }
    }

    /// The schema's `event.type` string; `None` where DeepStream's schema has none.
    pub fn schema_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Entry => "entry",
            Self::Exit => "exit",
            Self::Moving => "moving",
            Self::Stopped => "stopped",
            Self::Parked => "parked",
            Self::Empty => "empty",
            Self::Reset => "reset",
            Self::Other(_) => return None,
        })
    }
}

/// `NvDsObjectType`, with DeepStream 7.1's numeric values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectType {
    /// `NVDS_OBJECT_TYPE_VEHICLE` (0).
    #[default]
    Vehicle,
    /// `NVDS_OBJECT_TYPE_PERSON` (1).
    Person,
    /// `NVDS_OBJECT_TYPE_FACE` (2).
    Face,
    /// `NVDS_OBJECT_TYPE_BAG` (3).
    Bag,
    /// `NVDS_OBJECT_TYPE_BICYCLE` (4).
    Bicycle,
    /// `NVDS_OBJECT_TYPE_ROADSIGN` (5).
    RoadSign,
    /// `NVDS_OBJECT_TYPE_CUSTOM` (0x101).
    Custom,
    /// `NVDS_OBJECT_TYPE_UNKNOWN` (0x102).
    Unknown,
    /// Any other value, kept as is.
    Other(i32),
}

impl ObjectType {
    /// From the C enum value.
    pub fn from_raw(v: i32) -> Self {
        match v {
            0 => Self::Vehicle,
            1 => Self::Person,
            2 => Self::Face,
            3 => Self::Bag,
            4 => Self::Bicycle,
            5 => Self::RoadSign,
            0x101 => Self::Custom,
            0x102 => Self::Unknown,
            o => Self::Other(o),
        }
    }

    /// The type name of the minimal schema (`Vehicle`, `Person` ...).
    pub fn minimal_name(self) -> &'static str {
        match self {
            Self::Vehicle => "Vehicle",
            Self::Person => "Person",
            Self::Face => "Face",
            Self::Bag => "Bag",
            Self::Bicycle => "Bicycle",
            Self::RoadSign => "RoadSign",
            Self::Custom => "Custom",
            Self::Unknown | Self::Other(_) => "Unknown",
        }
    }
}

/// `NvDsVehicleObject`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vehicle {
    /// `type` (for example `sedan`).
    pub type_: String,
    /// `make`.
    pub make: String,
    /// `model`.
    pub model: String,
    /// `color`.
    pub color: String,
    /// `region` (the schema's `licenseState`).
    pub region: String,
    /// `license`.
    pub license: String,
}

/// `NvDsPersonObject`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// `gender`.
    pub gender: String,
    /// `hair`.
    pub hair: String,
    /// `cap`.
    pub cap: String,
    /// `apparel`.
    pub apparel: String,
    /// `age`.
    pub age: u32,
}

/// `NvDsFaceObject`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Face {
    /// `gender`.
    pub gender: String,
    /// `hair`.
    pub hair: String,
    /// `cap`.
    pub cap: String,
    /// `glasses`.
    pub glasses: String,
    /// `facialhair`.
    pub facialhair: String,
    /// `name`.
    pub name: String,
    /// `eyecolor`.
    pub eyecolor: String,
    /// `age`.
    pub age: u32,
}

/// The extension object of an event (`extMsg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ext {
    /// A vehicle's attributes.
    Vehicle(Vehicle),
    /// A person's attributes.
    Person(Person),
    /// A face's attributes.
    Face(Face),
}

/// A bounding box in pixels (`NvDsRect`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rect {
    /// `top`.
    pub top: f32,
    /// `left`.
    pub left: f32,
    /// `width`.
    pub width: f32,
    /// `height`.
    pub height: f32,
}

/// One event (`NvDsEventMsgMeta`), as the converter reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    /// `type`.
    pub event_type: EventType,
    /// `objType`.
    pub obj_type: ObjectType,
    /// `bbox`.
    pub bbox: Rect,
    /// `location` (lat, lon, alt).
    pub location: [f64; 3],
    /// `coordinate` (x, y, z).
    pub coordinate: [f64; 3],
    /// `objClassId`.
    pub obj_class_id: i32,
    /// `sensorId`: selects `[sensorN]` of the msgconv config.
    pub sensor_id: i32,
    /// `moduleId`: selects `[analyticsN]`.
    pub module_id: i32,
    /// `placeId`: selects `[placeN]`.
    pub place_id: i32,
    /// `componentId`.
    pub component_id: i32,
    /// `frameId`.
    pub frame_id: i32,
    /// `confidence`.
    pub confidence: f64,
    /// `trackingId`.
    pub tracking_id: u64,
    /// `ts`: RFC 3339 time stamp (`@timestamp`).
    pub ts: String,
    /// `objectId`.
    pub object_id: String,
    /// `sensorStr` (the minimal schema's `sensorId` when set).
    pub sensor_str: String,
    /// `otherAttrs`.
    pub other_attrs: String,
    /// `videoPath`.
    pub video_path: String,
    /// `extMsg`.
    pub ext: Option<Ext>,
}
