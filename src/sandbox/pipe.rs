//! A capped in-memory output pipe for guest stdout/stderr: it keeps the first `cap` bytes and
//! stops the guest with a trap on the first write past the cap, so that flooding output ends
//! in `output_limit` instead of filling the host's memory.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{OutputStream, StreamError};

/// Largest single write the guest is offered; it only bounds chunking, not the total.
const PERMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct CappedPipe {
    cap: usize,
    buf: Arc<Mutex<Vec<u8>>>,
    overflowed: Arc<AtomicBool>,
}

/// Message of the trap raised on overflow; the sandbox recognizes it.
pub const OVERFLOW_TRAP: &str = "passk: output limit exceeded";

impl CappedPipe {
    pub fn new(cap: usize) -> Self {
        CappedPipe {
            cap,
            buf: Arc::new(Mutex::new(Vec::new())),
            overflowed: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::SeqCst)
    }

    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Appends what fits; returns false once the cap is passed.
    fn push(&self, bytes: &[u8]) -> bool {
        let Ok(mut buf) = self.buf.lock() else {
            return false;
        };
        let room = self.cap.saturating_sub(buf.len());
        if bytes.len() > room {
            buf.extend_from_slice(&bytes[..room]);
            self.overflowed.store(true, Ordering::SeqCst);
            return false;
        }
        buf.extend_from_slice(bytes);
        true
    }
}

#[async_trait::async_trait]
impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        if self.push(&bytes) {
            Ok(())
        } else {
            Err(StreamError::Trap(wasmtime::format_err!("{OVERFLOW_TRAP}")))
        }
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(PERMIT)
    }
}

#[async_trait::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CappedPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.push(buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(std::io::Error::other(OVERFLOW_TRAP)))
        }
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_prefix_and_flags_overflow() {
        let mut p = CappedPipe::new(5);
        assert!(p.write(Bytes::from_static(b"abc")).is_ok());
        assert!(!p.overflowed());
        assert!(p.write(Bytes::from_static(b"defg")).is_err());
        assert!(p.overflowed());
        assert_eq!(p.contents(), b"abcde");
    }
}
