//! Event message metadata (`NvDsEventMsgMeta`, `nvdsmeta_schema.h`): what `nvmsgconv`
//! turns into JSON. Strings are owned by the metadata (`g_strdup` copies, freed by this
//! crate's release function); the vehicle / person / face extension is set from an owned
//! Rust value and deep-copied with the metadata.
//!
//! Layout note: DS 7.1's offsets after `sensorStr` are provisional (see `sys`); of those
//! fields this module touches only `otherAttrs`, `videoPath`, `extMsg` and `extMsgSize`.

use crate::error::Result;
use crate::meta::{fields, transparent};
use crate::strings;
use crate::sys::{self, NvDsEventMsgMeta, NvDsEventType, NvDsMetaType, NvDsObjectType};
use glib::ffi::{g_free, g_malloc0, gpointer};
use std::ffi::c_char;
use std::ptr;

/// `NvDsVehicleObject` as an owned value (pyds `alloc_nvds_vehicle_object`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vehicle {
    /// `type` (for example `"sedan"`).
    pub type_: String,
    /// `make`.
    pub make: String,
    /// `model`.
    pub model: String,
    /// `color`.
    pub color: String,
    /// `region`.
    pub region: String,
    /// `license`.
    pub license: String,
}

/// `NvDsPersonObject` as an owned value (pyds `alloc_nvds_person_object`).
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
    /// `age` (years).
    pub age: u32,
}

/// `NvDsFaceObject` as an owned value (pyds `alloc_nvds_face_object`).
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
    /// `age` (years).
    pub age: u32,
}

/// The extension object of an event message (`extMsg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtObject {
    /// `NvDsVehicleObject`.
    Vehicle(Vehicle),
    /// `NvDsPersonObject`.
    Person(Person),
    /// `NvDsFaceObject`.
    Face(Face),
}

const VEHICLE_SIZE: i32 = size_of::<sys::NvDsVehicleObject>() as i32;
const PERSON_SIZE: i32 = size_of::<sys::NvDsPersonObject>() as i32;
const FACE_SIZE: i32 = size_of::<sys::NvDsFaceObject>() as i32;

/// The owned strings of each extension struct (all its `char*` fields), by `extMsgSize`.
/// The three structs have distinct sizes, so the size alone says which one `extMsg` is;
/// copy and release never trust `objType`, which the user may change.
unsafe fn ext_strings(ext: gpointer, size: i32) -> Vec<*mut *mut c_char> {
    unsafe {
        match size {
            VEHICLE_SIZE => {
                let v = ext as *mut sys::NvDsVehicleObject;
                vec![&raw mut (*v).type_, &raw mut (*v).make, &raw mut (*v).model, &raw mut (*v).color,
                     &raw mut (*v).region, &raw mut (*v).license]
            }
            PERSON_SIZE => {
                let p = ext as *mut sys::NvDsPersonObject;
                vec![&raw mut (*p).gender, &raw mut (*p).hair, &raw mut (*p).cap, &raw mut (*p).apparel]
            }
            FACE_SIZE => {
                let f = ext as *mut sys::NvDsFaceObject;
                vec![&raw mut (*f).gender, &raw mut (*f).hair, &raw mut (*f).cap, &raw mut (*f).glasses,
                     &raw mut (*f).facialhair, &raw mut (*f).name, &raw mut (*f).eyecolor]
            }
            _ => Vec::new(),
        }
    }
}

/// The owned top-level strings of an event message.
fn msg_strings(m: &mut NvDsEventMsgMeta) -> [&mut *mut c_char; 5] {
    [&mut m.ts, &mut m.objectId, &mut m.sensorStr, &mut m.otherAttrs, &mut m.videoPath]
}

unsafe fn free_ext(m: &mut NvDsEventMsgMeta) {
    unsafe {
        if !m.extMsg.is_null() {
            for s in ext_strings(m.extMsg, m.extMsgSize) {
                g_free(*s as gpointer);
            }
            g_free(m.extMsg);
        }
    }
    m.extMsg = ptr::null_mut();
    m.extMsgSize = 0;
}

/// Frees everything an event message owns, and the message itself.
unsafe fn free_msg(m: *mut NvDsEventMsgMeta) {
    unsafe {
        for s in msg_strings(&mut *m) {
            strings::clear(s);
        }
        free_ext(&mut *m);
        g_free(m as gpointer);
    }
}

/// The user meta copy function of event messages: deep copy of strings and extension;
/// pointers this crate does not own (`objSignature`, `pose`, `embedding`, the 3D/LLM
/// fields) are not carried into the copy.
unsafe extern "C" fn event_msg_copy(data: gpointer, _user_data: gpointer) -> gpointer {
    unsafe {
        let um = data as *mut sys::NvDsUserMeta;
        let src = (*um).user_meta_data as *const NvDsEventMsgMeta;
        if src.is_null() {
            return ptr::null_mut();
        }
        let dst = g_malloc0(size_of::<NvDsEventMsgMeta>()) as *mut NvDsEventMsgMeta;
        ptr::copy_nonoverlapping(src, dst, 1);
        let d = &mut *dst;
        for s in msg_strings(d) {
            *s = strings::dup_raw(*s);
        }
        d.objSignature = sys::NvDsObjectSignature { signature: ptr::null_mut(), size: 0 };
        d.pose.joints = ptr::null_mut();
        d.pose.num_joints = 0;
        d.embedding.embedding_vector = ptr::null_mut();
        d.embedding.embedding_length = 0;
        d.bbox3d = ptr::null_mut();
        d.llm = ptr::null_mut();
        d.interactions = ptr::null_mut();
        d.num_interactions = 0;
        d.congestions = ptr::null_mut();
        d.num_congestions = 0;
        d.fov = ptr::null_mut();
        d.num_fov = 0;
        d.segmentation = ptr::null_mut();
        d.singleView3DTracking.convexHull.points = ptr::null_mut();
        d.singleView3DTracking.convexHull.numFilled = 0;
        if !(*src).extMsg.is_null() && !ext_strings((*src).extMsg, (*src).extMsgSize).is_empty() {
            let size = (*src).extMsgSize as usize;
            let ext = g_malloc0(size);
            ptr::copy_nonoverlapping((*src).extMsg as *const u8, ext as *mut u8, size);
            for s in ext_strings(ext, (*src).extMsgSize) {
                *s = strings::dup_raw(*s);
            }
            d.extMsg = ext;
        } else {
            d.extMsg = ptr::null_mut();
            d.extMsgSize = 0;
        }
        dst as gpointer
    }
}

/// The user meta release function of event messages.
unsafe extern "C" fn event_msg_release(data: gpointer, _user_data: gpointer) {
    unsafe {
        let um = data as *mut sys::NvDsUserMeta;
        let m = (*um).user_meta_data as *mut NvDsEventMsgMeta;
        if !m.is_null() {
            free_msg(m);
        }
        (*um).user_meta_data = ptr::null_mut();
    }
}

/// Acquires a user meta holding a fresh, zeroed event message (not yet added).
///
/// # Safety
/// `batch` is a live batch meta.
pub(crate) unsafe fn acquire_event_user_meta(batch: *mut sys::NvDsBatchMeta) -> Result<*mut sys::NvDsUserMeta> {
    let make = || unsafe { g_malloc0(size_of::<NvDsEventMsgMeta>()) };
    unsafe {
        crate::user::acquire_filled(batch, NvDsMetaType::NVDS_EVENT_MSG_META, event_msg_copy, event_msg_release, make)
    }
}

transparent! {
    /// `NvDsEventMsgMeta`: an event for the message converter. Attach one with
    /// [`crate::FrameMeta::add_event_msg_meta`]; read one with [`crate::UserMeta::event_msg`].
    EventMsgMeta => sys::NvDsEventMsgMeta
}

macro_rules! string_fields {
    ($($(#[$m:meta])* $get:ident, $set:ident => $f:ident;)*) => {$(
        $(#[$m])*
        pub fn $get(&self) -> &str {
            // SAFETY: NULL or a string owned by this message.
            unsafe { strings::read(self.0.$f) }
        }
        #[doc = concat!("Sets `", stringify!($f), "` (a copy owned by the message).")]
        pub fn $set(&mut self, v: &str) -> Result<()> {
            strings::replace(&mut self.0.$f, v, concat!("NvDsEventMsgMeta.", stringify!($f)))
        }
    )*};
}

impl EventMsgMeta {
    fields! {
        /// `type`: the event.
        event_type, set_event_type: NvDsEventType => type_;
        /// `objType`: the kind of object (set by [`Self::set_ext`] too).
        obj_type, set_obj_type: NvDsObjectType => objType;
        /// `objClassId`.
        obj_class_id, set_obj_class_id: i32 => objClassId;
        /// `sensorId`.
        sensor_id, set_sensor_id: i32 => sensorId;
        /// `moduleId`.
        module_id, set_module_id: i32 => moduleId;
        /// `placeId`.
        place_id, set_place_id: i32 => placeId;
        /// `componentId`.
        component_id, set_component_id: i32 => componentId;
        /// `frameId`.
        frame_id, set_frame_id: i32 => frameId;
        /// `confidence`.
        confidence, set_confidence: f64 => confidence;
        /// `trackingId`.
        tracking_id, set_tracking_id: u64 => trackingId;
    }

    string_fields! {
        /// `ts`: RFC 3339 time stamp (see [`crate::generate_ts_rfc3339`]).
        ts, set_ts => ts;
        /// `objectId`.
        object_id, set_object_id => objectId;
        /// `sensorStr`.
        sensor_str, set_sensor_str => sensorStr;
        /// `otherAttrs`.
        other_attrs, set_other_attrs => otherAttrs;
        /// `videoPath`.
        video_path, set_video_path => videoPath;
    }

    /// Sets `ts` to now, UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn set_ts_now(&mut self) -> Result<()> {
        self.set_ts(&generate_ts_rfc3339())
    }

    /// `bbox` (pixels; note `NvDsRect` is top, left, width, height).
    pub fn bbox(&self) -> &sys::NvDsRect {
        &self.0.bbox
    }
    /// `bbox`, writable.
    pub fn bbox_mut(&mut self) -> &mut sys::NvDsRect {
        &mut self.0.bbox
    }
    /// `location`.
    pub fn location(&self) -> &sys::NvDsGeoLocation {
        &self.0.location
    }
    /// `location`, writable.
    pub fn location_mut(&mut self) -> &mut sys::NvDsGeoLocation {
        &mut self.0.location
    }
    /// `coordinate`.
    pub fn coordinate(&self) -> &sys::NvDsCoordinate {
        &self.0.coordinate
    }
    /// `coordinate`, writable.
    pub fn coordinate_mut(&mut self) -> &mut sys::NvDsCoordinate {
        &mut self.0.coordinate
    }

    /// Sets the extension object (`extMsg`, `extMsgSize = sizeof(struct)`) to a C copy of
    /// `ext`, freeing any previous one, and `objType` to VEHICLE / PERSON / FACE to match.
    #[doc(alias = "alloc_nvds_vehicle_object")]
    #[doc(alias = "alloc_nvds_person_object")]
    #[doc(alias = "alloc_nvds_face_object")]
    pub fn set_ext(&mut self, ext: &ExtObject) -> Result<()> {
        // Duplicate every string first, so an error leaves the message unchanged.
        let field = "NvDsEventMsgMeta.extMsg";
        let dup = |s: &String| strings::g_strdup(s, field);
        let (size, texts, age, obj_type): (i32, Vec<Result<*mut c_char>>, u32, NvDsObjectType) = match ext {
            ExtObject::Vehicle(v) => (VEHICLE_SIZE,
                [&v.type_, &v.make, &v.model, &v.color, &v.region, &v.license].map(dup).into(),
                0, NvDsObjectType::NVDS_OBJECT_TYPE_VEHICLE),
            ExtObject::Person(p) => (PERSON_SIZE, [&p.gender, &p.hair, &p.cap, &p.apparel].map(dup).into(),
                p.age, NvDsObjectType::NVDS_OBJECT_TYPE_PERSON),
            ExtObject::Face(f) => (FACE_SIZE,
                [&f.gender, &f.hair, &f.cap, &f.glasses, &f.facialhair, &f.name, &f.eyecolor].map(dup).into(),
                f.age, NvDsObjectType::NVDS_OBJECT_TYPE_FACE),
        };
        if let Some(pos) = texts.iter().position(|t| t.is_err()) {
            let mut texts = texts;
            let err = texts.remove(pos);
            for t in texts.into_iter().flatten() {
                // SAFETY: just allocated with g_malloc.
                unsafe { g_free(t as gpointer) };
            }
            return err.map(|_| ());
        }
        // SAFETY: a fresh zeroed struct of the matching size; the string slots are its fields.
        unsafe {
            free_ext(&mut self.0);
            let p = g_malloc0(size as usize);
            for (slot, t) in ext_strings(p, size).into_iter().zip(texts.into_iter().flatten()) {
                *slot = t;
            }
            match size {
                PERSON_SIZE => (*(p as *mut sys::NvDsPersonObject)).age = age,
                FACE_SIZE => (*(p as *mut sys::NvDsFaceObject)).age = age,
                _ => {}
            }
            self.0.extMsg = p;
            self.0.extMsgSize = size;
        }
        self.0.objType = obj_type;
        Ok(())
    }

    /// The extension object, read back as an owned value; `None` when there is none (or it
    /// is of a kind this crate does not know).
    pub fn ext(&self) -> Option<ExtObject> {
        if self.0.extMsg.is_null() {
            return None;
        }
        // SAFETY: extMsg of a known size is the struct of that size (see ext_strings).
        unsafe {
            let s = |p: *mut c_char| strings::read(p).to_owned();
            match self.0.extMsgSize {
                VEHICLE_SIZE => {
                    let v = &*(self.0.extMsg as *const sys::NvDsVehicleObject);
                    Some(ExtObject::Vehicle(Vehicle { type_: s(v.type_), make: s(v.make), model: s(v.model),
                        color: s(v.color), region: s(v.region), license: s(v.license) }))
                }
                PERSON_SIZE => {
                    let p = &*(self.0.extMsg as *const sys::NvDsPersonObject);
                    Some(ExtObject::Person(Person { gender: s(p.gender), hair: s(p.hair), cap: s(p.cap),
                        apparel: s(p.apparel), age: p.age }))
                }
                FACE_SIZE => {
                    let f = &*(self.0.extMsg as *const sys::NvDsFaceObject);
                    Some(ExtObject::Face(Face { gender: s(f.gender), hair: s(f.hair), cap: s(f.cap),
                        glasses: s(f.glasses), facialhair: s(f.facialhair), name: s(f.name),
                        eyecolor: s(f.eyecolor), age: f.age }))
                }
                _ => None,
            }
        }
    }

    /// Removes the extension object.
    pub fn clear_ext(&mut self) {
        // SAFETY: extMsg is NULL or owned by this message.
        unsafe { free_ext(&mut self.0) }
    }
}

/// The current time, UTC, as RFC 3339 with milliseconds: `YYYY-MM-DDTHH:MM:SS.mmmZ`
/// (pyds `generate_ts_rfc3339`).
pub fn generate_ts_rfc3339() -> String {
    format_ts_rfc3339(chrono::Utc::now())
}

/// Formats a time as [`generate_ts_rfc3339`] does.
pub fn format_ts_rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `NvDsPayload` as an owned value (pyds `alloc_nvds_payload`): a message made by the
/// converter, attached as `NVDS_PAYLOAD_META` user metadata the way nvmsgconv attaches its
/// payloads, so a DeepStream `nvmsgbroker` reads it as its own `NvDsPayload` (the C struct is
/// what `user_meta_data` points at; `payload` points into the owned bytes).
#[doc(alias = "alloc_nvds_payload")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payload {
    /// The message bytes (`payload`, `payloadSize`).
    pub bytes: Vec<u8>,
    /// `componentId` (nvmsgconv's `comp-id`).
    pub component_id: u32,
}

// SAFETY: the C view points into `self.bytes`, whose heap buffer does not move with self.
unsafe impl crate::user::CPayload for Payload {
    type C = sys::NvDsPayload;
    fn meta_type() -> NvDsMetaType {
        NvDsMetaType::NVDS_PAYLOAD_META
    }
    fn to_c(&self) -> (Self::C, Box<dyn std::any::Any>) {
        let payload = if self.bytes.is_empty() { ptr::null_mut() } else { self.bytes.as_ptr() as gpointer };
        (sys::NvDsPayload { payload, payloadSize: self.bytes.len() as u32, componentId: self.component_id }, Box::new(()))
    }
}

impl crate::UserMeta {
    /// The `NvDsPayload` of `NVDS_PAYLOAD_META` user metadata (made by this crate's
    /// [`Payload`] or by DeepStream's nvmsgconv): the bytes and the component id.
    pub fn nvds_payload(&self) -> Option<(&[u8], u32)> {
        if self.meta_type() != NvDsMetaType::NVDS_PAYLOAD_META || self.user_meta_data().is_null() {
            return None;
        }
        // SAFETY: NVDS_PAYLOAD_META user data is an NvDsPayload whose payload holds payloadSize bytes.
        unsafe {
            let p = &*(self.user_meta_data() as *const sys::NvDsPayload);
            if p.payload.is_null() || p.payloadSize == 0 {
                return Some((&[], p.componentId));
            }
            Some((std::slice::from_raw_parts(p.payload as *const u8, p.payloadSize as usize), p.componentId))
        }
    }
}

/// `NvDsEvent` as an owned value (pyds `alloc_nvds_event`): the array of events that
/// nvmsgconv hands to a message converter library (`nvds_msg2p_generate(ctx, events, size)`
/// and `nvds_msg2p_generate_multiple`, `nvdsmeta_schema.h` / `nvmsgconv.h`), each event an
/// `NvDsEventType` and a pointer to its `NvDsEventMsgMeta`.
///
/// The list borrows the messages (from a frame's `NVDS_EVENT_MSG_META` user metadata, see
/// [`Events::from_frame`]), so it cannot outlive the buffer that holds them; the C array
/// ([`Events::as_c`]) is freed with the list, the messages are not (they belong to their
/// user metadata, as in DeepStream where the converter does not free them).
#[doc(alias = "alloc_nvds_event")]
#[derive(Default)]
pub struct Events<'a> {
    c: Vec<sys::NvDsEvent>,
    _messages: std::marker::PhantomData<&'a EventMsgMeta>,
}

impl std::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.c.iter().map(|e| (e.eventType, e.metadata))).finish()
    }
}

impl<'a> Events<'a> {
    /// An empty list.
    pub fn new() -> Self {
        Events { c: Vec::new(), _messages: std::marker::PhantomData }
    }

    /// The events of `frame`: one per `NVDS_EVENT_MSG_META` user meta, in list order, each
    /// with the message's own `type` as `eventType` (what nvmsgconv collects per frame).
    pub fn from_frame(frame: &'a crate::FrameMeta) -> Self {
        let mut events = Events::new();
        for m in frame.user_metas().filter_map(|u| u.event_msg()) {
            events.push(m.event_type(), m);
        }
        events
    }

    /// Appends an event of type `event_type` for `message`.
    pub fn push(&mut self, event_type: NvDsEventType, message: &'a EventMsgMeta) {
        let metadata = message as *const EventMsgMeta as *mut sys::NvDsEventMsgMeta;
        self.c.push(sys::NvDsEvent { eventType: event_type, metadata });
    }

    /// Number of events (the `size` argument of `nvds_msg2p_generate`).
    pub fn len(&self) -> usize {
        self.c.len()
    }

    /// No event.
    pub fn is_empty(&self) -> bool {
        self.c.is_empty()
    }

    /// The C array, `NvDsEvent[len]`, valid while the list lives.
    pub fn as_c(&self) -> &[sys::NvDsEvent] {
        &self.c
    }

    /// Event `i`: its type and message.
    pub fn get(&self, i: usize) -> Option<(NvDsEventType, &'a EventMsgMeta)> {
        let e = self.c.get(i)?;
        // SAFETY: `metadata` came from a `&'a EventMsgMeta` in `push`.
        Some((e.eventType, unsafe { EventMsgMeta::from_ptr(e.metadata) }))
    }
}
