//! What the guard's tests share: a key, and a wire that records what a guarded connection
//! writes.

use std::sync::Arc;

use ureq::unversioned::transport::{Buffers, NextTimeout, Transport};

use crate::config::SecretKey;
use crate::http::guard::state::Attempt;

pub(super) const KEY: &[u8] = b"sk_test_4eC39HqLyjWDarjtT1zdp7dc";

/// A transport that records each write, and reads nothing.
#[derive(Debug)]
pub(super) struct Wire {
    buffers: ureq::unversioned::transport::LazyBuffers,
    writes: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

pub(super) fn recording_wire() -> (Wire, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    let writes = Arc::default();
    let buffers = ureq::unversioned::transport::LazyBuffers::new(1024, 1024);
    let wire = Wire {
        buffers,
        writes: Arc::clone(&writes),
    };
    (wire, writes)
}

impl Transport for Wire {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }
    fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
        let out = self.buffers.output()[..amount].to_vec();
        self.writes.lock().unwrap().push(out);
        Ok(())
    }
    fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
        Ok(false)
    }
    fn is_open(&mut self) -> bool {
        true
    }
}

/// Writes `bytes` as ureq does: into the output buffer, then `transmit_output`.
pub(super) fn send(t: &mut dyn Transport, bytes: &[u8]) {
    t.buffers().output()[..bytes.len()].copy_from_slice(bytes);
    t.transmit_output(bytes.len(), NextTimeout::default())
        .unwrap();
}

pub(super) fn begin() -> Attempt {
    let key = SecretKey::new(String::from_utf8(KEY.to_vec()).unwrap());
    Attempt::begin(Some(&key), &Arc::from("api.example:8443"), None)
}

pub(super) fn text(writes: &std::sync::Mutex<Vec<Vec<u8>>>) -> Vec<String> {
    let writes = writes.lock().unwrap();
    writes
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}
