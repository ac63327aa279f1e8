//! AMQP adapter (`libnvds_amqp_proto.so`): not implemented yet; building it says so.

use super::{BrokerConfig, ConnStr, Protocol};
use crate::error::{Error, Result};

/// The AMQP adapter (not implemented: [`AmqpAdapter::new`] returns an error).
pub struct AmqpAdapter;

impl AmqpAdapter {
    /// Checks `conn-str`, then reports that AMQP is not implemented.
    pub fn new(conn_str: &str, _cfg: &BrokerConfig) -> Result<(Self, Vec<String>)> {
        if !conn_str.is_empty() {
            ConnStr::parse(conn_str, Protocol::Amqp)?;
        }
        Err(Error::NotSupported("the AMQP adapter (libnvds_amqp_proto.so) is not implemented yet".into()))
    }
}

impl super::Adapter for AmqpAdapter {
    fn connect(&mut self) -> Result<()> {
        Err(Error::NotSupported("AMQP".into()))
    }
    fn send(&mut self, _topic: &str, _payload: &[u8]) -> Result<()> {
        Err(Error::NotSupported("AMQP".into()))
    }
    fn disconnect(&mut self) {}
}
