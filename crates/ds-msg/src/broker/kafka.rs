//! Kafka adapter (`libnvds_kafka_proto.so`): not implemented yet; building it says so.

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

/// The Kafka adapter (not implemented: [`KafkaAdapter::new`] returns an error).
pub struct KafkaAdapter;

impl KafkaAdapter {
    /// Checks `conn-str`, then reports that AMQP is not implemented.
    pub fn new(conn_str: &str, _cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        if !conn_str.is_empty() {
            ConnStr::parse(conn_str, Protocol::Kafka)?;
        }
        Err(Error::NotSupported("the Kafka adapter (libnvds_kafka_proto.so) is not implemented yet".into()))
    }
}

impl super::Adapter for KafkaAdapter {
    fn connect(&mut self) -> Result<()> {
        Err(Error::NotSupported("Kafka".into()))
    }
    fn send(&mut self, _topic: &str, _payload: &[u8]) -> Result<()> {
        Err(Error::NotSupported("Kafka".into()))
    }
    fn disconnect(&mut self) {}
}
