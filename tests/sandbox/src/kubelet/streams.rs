//! A pod's open exec and port-forward streams. The `drop-streams` fault cuts them as a broken
//! connection would: the client's connection ends without a closing handshake or exit status.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;

/// A stream's connection that fails every read and write once the pod's streams are cut (or
/// the pod is gone).
pub struct Cuttable<T> {
    inner: T,
    cut: Pin<Box<dyn Future<Output = ()> + Send>>,
    gone: bool,
}

impl<T> Cuttable<T> {
    /// `cuts` comes from `stream_cuts` when the stream is requested: a cut made between the
    /// request and the upgrade still counts.
    pub fn new(inner: T, mut cuts: watch::Receiver<u64>) -> Cuttable<T> {
        Cuttable {
            inner,
            cut: Box::pin(async move {
                let _ = cuts.changed().await;
            }),
            gone: false,
        }
    }

    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if !self.gone && self.cut.as_mut().poll(cx).is_ready() {
            self.gone = true;
        }
        if self.gone {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "stream dropped by a sandbox fault",
            ));
        }
        Ok(())
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Cuttable<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Cuttable<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
