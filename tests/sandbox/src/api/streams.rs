//! `pods/exec` (WebSocket v5/v4 channel protocol) and `pods/portforward` (WebSocket v4).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::{Message, handshake::derive_accept_key};

use super::{Body, full};
use crate::cluster::Cluster;
use crate::kubelet;
use crate::procs::{self, Proc};
use crate::status::ApiError;

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const CLOSE: u8 = 255;

type Ws = WebSocketStream<kubelet::Cuttable<TokioIo<hyper::upgrade::Upgraded>>>;

/// Accepts a WebSocket upgrade offering one of `ours` (in our order of preference).
/// Returns the 101 response; `then` runs on the upgraded connection.
fn upgrade<F, Fut>(
    req: &mut Request<Incoming>,
    ours: &[&'static str],
    cuts: tokio::sync::watch::Receiver<u64>,
    then: F,
) -> Result<Response<Body>, ApiError>
where
    F: FnOnce(Ws, &'static str) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    if !header("upgrade").eq_ignore_ascii_case("websocket") {
        return Err(ApiError::bad_request(
            "Upgrade request required: the vault-sandbox API serves exec and port-forward over WebSocket only (SPDY is not supported)",
        ));
    }
    let offered: Vec<String> = req
        .headers()
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|p| p.trim().to_string()))
        .collect();
    let protocol = ours
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .copied()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "unable to upgrade: none of the offered subprotocols {offered:?} is supported (want one of {ours:?})"
            ))
        })?;
    let accept = derive_accept_key(header("sec-websocket-key").as_bytes());
    let on_upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            let io = kubelet::Cuttable::new(TokioIo::new(upgraded), cuts);
            let ws = WebSocketStream::from_raw_socket(io, Role::Server, None).await;
            then(ws, protocol).await;
        }
    });
    Ok(Response::builder()
        .status(101)
        .header("upgrade", "websocket")
        .header("connection", "Upgrade")
        .header("sec-websocket-accept", accept)
        .header("sec-websocket-protocol", protocol)
        .body(full(Bytes::new()))
        .expect("101 response"))
}

pub struct ExecParams {
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
}

pub fn exec(
    c: Arc<Cluster>,
    req: &mut Request<Incoming>,
    pod: &str,
    p: ExecParams,
) -> Result<Response<Body>, ApiError> {
    let mut cmd = kubelet::exec_command(&c, pod, &p.command).map_err(ApiError::bad_request)?;
    let cuts = kubelet::stream_cuts(&c, pod)
        .ok_or_else(|| ApiError::bad_request(format!("pod {pod} is not running")))?;
    cmd.stdin(if p.stdin {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let program = p.command.first().cloned().unwrap_or_default();
    let tty = p.tty;
    upgrade(
        req,
        &["v5.channel.k8s.io", "v4.channel.k8s.io"],
        cuts,
        move |ws, _| async move {
            run_exec(ws, cmd, program, tty).await;
        },
    )
}

async fn run_exec(ws: Ws, cmd: tokio::process::Command, program: String, tty: bool) {
    let (mut sink, mut source) = ws.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(64);
    let mut child = match procs::spawn(cmd).await {
        Ok(child) => child,
        Err(e) => {
            let msg = format!("exec: \"{program}\": {e}\n");
            let _ = sink
                .send(Message::binary([&[STDERR][..], msg.as_bytes()].concat()))
                .await;
            let _ = sink.send(status_frame(127)).await;
            let _ = sink.send(close_frame()).await;
            return;
        }
    };
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let proc = Proc::supervise(child);

    let mut outputs = Vec::new();
    if let Some(s) = stdout {
        outputs.push(tokio::spawn(pump(s, STDOUT, out_tx.clone())));
    }
    if let Some(s) = stderr {
        outputs.push(tokio::spawn(pump(
            s,
            if tty { STDOUT } else { STDERR },
            out_tx.clone(),
        )));
    }
    drop(out_tx);

    // Client → process: stdin data, stdin close (v5), resize (ignored), close.
    let reader_proc = proc.clone();
    let mut reader = tokio::spawn(async move {
        while let Some(msg) = source.next().await {
            match msg {
                Ok(Message::Binary(data)) if !data.is_empty() => match data[0] {
                    STDIN => {
                        if let Some(s) = stdin.as_mut()
                            && s.write_all(&data[1..]).await.is_err()
                        {
                            stdin = None;
                        }
                    }
                    CLOSE if data.get(1) == Some(&STDIN) => stdin = None,
                    _ => {}
                },
                Ok(Message::Close(_)) | Err(_) => break,
                _ => {}
            }
        }
        // The client went away: a command still running is killed, as the kubelet does.
        drop(stdin);
        if reader_proc.exited().is_none() {
            reader_proc.signal(libc::SIGKILL);
        }
    });

    while let Some(frame) = out_rx.recv().await {
        if sink.send(frame).await.is_err() {
            break;
        }
    }
    for o in outputs {
        let _ = o.await;
    }
    let status = proc.wait().await;
    let _ = sink.send(status_frame(procs::exit_code(&status))).await;
    let _ = sink.send(close_frame()).await;
    // The reader ends at the client's Close; then close TLS cleanly (close_notify).
    if tokio::time::timeout(CLOSE_WAIT, &mut reader).await.is_err() {
        reader.abort();
    }
    let _ = sink.close().await;
}

async fn pump(mut r: impl AsyncRead + Unpin, channel: u8, tx: mpsc::Sender<Message>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match r.read(&mut buf[1..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                buf[0] = channel;
                if tx
                    .send(Message::binary(buf[..n + 1].to_vec()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

fn status_frame(code: i32) -> Message {
    let status = if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({
            "metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [...], exit code {code}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        })
    };
    Message::binary([&[ERROR][..], status.to_string().as_bytes()].concat())
}

/// How long to wait for the client's side of the closing handshake.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Completes the closing handshake (ours if `we_close`, else the client's, which tungstenite
/// answers while we read) and shuts the connection down cleanly.
async fn finish(
    mut sink: futures::stream::SplitSink<Ws, Message>,
    mut source: futures::stream::SplitStream<Ws>,
    we_close: bool,
) {
    if we_close {
        let _ = sink.send(close_frame()).await;
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            while let Some(Ok(m)) = source.next().await {
                if m.is_close() {
                    break;
                }
            }
        })
        .await;
    }
    let _ = sink.close().await;
}

fn close_frame() -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
}

/// Port-forward: data channel 2i and error channel 2i+1 per requested port, each opened with
/// the port number (u16 LE) as kube-rs expects.
pub fn portforward(
    c: Arc<Cluster>,
    req: &mut Request<Incoming>,
    pod: &str,
    ports: Vec<u16>,
) -> Result<Response<Body>, ApiError> {
    let run = c
        .kubelet
        .get(pod)
        .filter(|r| r.current().is_some())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "unable to upgrade connection: pod {pod} has no running container"
            ))
        })?;
    if ports.is_empty() {
        return Err(ApiError::bad_request(
            "query parameter \"ports\" is required",
        ));
    }
    let netns = run.netns_pid().ok_or_else(|| {
        ApiError::bad_request(format!(
            "unable to upgrade connection: pod {pod} has no network namespace"
        ))
    })?;
    let cuts = kubelet::stream_cuts(&c, pod).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unable to upgrade connection: pod {pod} has no running container"
        ))
    })?;
    let delay = c
        .api_faults
        .lock()
        .ok()
        .and_then(|f| f.stream_delay(pod))
        .or_else(|| c.slow.lock().ok()?.get(pod).copied());
    upgrade(req, &["v4.channel.k8s.io"], cuts, move |ws, _| async move {
        run_portforward(ws, netns, ports, delay).await;
    })
}

async fn run_portforward(ws: Ws, netns: u32, ports: Vec<u16>, delay: Option<Duration>) {
    let (mut sink, mut source) = ws.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(64);
    let mut writers = Vec::new();
    let mut open = 0usize;
    for (i, port) in ports.iter().enumerate() {
        let (data_ch, err_ch) = ((2 * i) as u8, (2 * i + 1) as u8);
        let [lo, hi] = port.to_le_bytes();
        for ch in [data_ch, err_ch] {
            if sink.send(Message::binary(vec![ch, lo, hi])).await.is_err() {
                return;
            }
        }
        // As the kubelet does: localhost inside the pod's network namespace.
        match crate::network::connect_in(netns, *port).await {
            Ok(stream) => {
                // As the kubelet's (Go) connection to the pod: no Nagle delay.
                let _ = stream.set_nodelay(true);
                let (r, w) = stream.into_split();
                writers.push(Some(w));
                open += 1;
                let tx = out_tx.clone();
                tokio::spawn(async move {
                    pump(r, data_ch, tx.clone()).await;
                    // An empty data frame tells the writer this stream ended.
                    let _ = tx.send(Message::binary(vec![data_ch])).await;
                });
            }
            Err(e) => {
                writers.push(None);
                let msg = format!(
                    "error forwarding port {port} to pod, uid : failed to connect to localhost:{port} inside namespace: {e}"
                );
                let _ = sink
                    .send(Message::binary([&[err_ch][..], msg.as_bytes()].concat()))
                    .await;
            }
        }
    }
    drop(out_tx);
    if open == 0 {
        finish(sink, source, true).await;
        return;
    }
    let we_close = loop {
        tokio::select! {
            out = out_rx.recv() => match out {
                Some(m) if m.len() <= 1 => {
                    open -= 1;
                    if open == 0 { break true; }
                }
                Some(m) => if sink.send(m).await.is_err() { return; },
                None => break true,
            },
            msg = source.next() => match msg {
                Some(Ok(Message::Binary(data))) if !data.is_empty() => {
                    if let Some(d) = delay {
                        tokio::time::sleep(d).await;
                    }
                    let idx = (data[0] / 2) as usize;
                    if data[0] % 2 == 0
                        && let Some(Some(w)) = writers.get_mut(idx)
                        && w.write_all(&data[1..]).await.is_err()
                    {
                        writers[idx] = None;
                    }
                }
                Some(Ok(Message::Close(_))) => break false,
                Some(Err(_)) | None => return,
                _ => {}
            },
        }
    };
    finish(sink, source, we_close).await;
}
