//! The pods' network, as a CNI plugin in the style of Calico wires it: each pod has network
//! and UTS namespaces of its own, held by a pause process (as the pod sandbox's pause
//! container holds them), with `lo` up and one end of a veth pair carrying the pod IP. The
//! host end stays in the host's namespace with a /32 route to the pod; the pod's default route
//! goes through the node address. Nothing is left behind: when the pause process dies (with
//! the pod, or with the sandbox: it has a parent-death signal), the kernel removes the
//! namespace, the veth pair and the route with it.
//!
//! The node address (10.a.b.1) lives on a veth of a "node" pause process in the same way, so
//! that it is a local address of the host while the sandbox runs: the API server listens
//! there, and pods reach it (a host loopback address is unreachable from a pod's namespace).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::procs::{self, Proc};

/// Host numbers of the pod IP pool in the sandbox's /24 (1 is the node; 251-254 never given).
const POOL: std::ops::RangeInclusive<u8> = 10..=250;

/// The sandbox's private /24 (first three octets) for its loopback /24 `127.a.b`: `10.a.b`.
pub fn private_net(subnet: [u8; 3]) -> [u8; 3] {
    [10, subnet[1], subnet[2]]
}

/// Every address the pool may hand out.
pub fn pool_ips(net: [u8; 3]) -> Vec<Ipv4Addr> {
    POOL.map(|h| Ipv4Addr::new(net[0], net[1], net[2], h))
        .collect()
}

/// An address in `net` the pool never hands out (`n` in 0..4): "a pod that is not there".
pub fn unassigned_ip(net: [u8; 3], n: u32) -> Ipv4Addr {
    Ipv4Addr::new(net[0], net[1], net[2], 251 + (n % 4) as u8)
}

/// Pod IPs handed out round-robin, so a re-created pod gets a new one, as it would from a
/// real cluster's IPAM.
#[derive(Debug)]
pub struct IpPool {
    net: [u8; 3],
    next: u8,
    used: BTreeSet<u8>,
}

impl IpPool {
    pub fn new(net: [u8; 3]) -> IpPool {
        IpPool {
            net,
            next: *POOL.start(),
            used: BTreeSet::new(),
        }
    }

    pub fn allocate(&mut self) -> Option<Ipv4Addr> {
        let n = POOL.clone().count();
        let start = self.next;
        let host = (0..n)
            .map(|i| {
                let h = u32::from(start) + i as u32;
                let span = u32::from(*POOL.end()) - u32::from(*POOL.start()) + 1;
                (u32::from(*POOL.start()) + (h - u32::from(*POOL.start())) % span) as u8
            })
            .find(|h| !self.used.contains(h))?;
        self.used.insert(host);
        self.next = if host == *POOL.end() {
            *POOL.start()
        } else {
            host + 1
        };
        Some(Ipv4Addr::new(self.net[0], self.net[1], self.net[2], host))
    }

    pub fn release(&mut self, ip: Ipv4Addr) {
        let o = ip.octets();
        if o[..3] == self.net {
            self.used.remove(&o[3]);
        }
    }
}

/// Whether the host routes any part of `net`/24 already (its own networks, or another
/// sandbox's pods): the sandbox then picks another range.
pub fn overlaps_host_route(net: [u8; 3]) -> bool {
    let ours = u32::from_be_bytes([net[0], net[1], net[2], 0]);
    let Ok(table) = std::fs::read_to_string("/proc/net/route") else {
        return false;
    };
    table.lines().skip(1).any(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // The kernel prints addresses as native-endian (little-endian here) hex.
        let hex = |i: usize| {
            cols.get(i)
                .and_then(|s| u32::from_str_radix(s, 16).ok())
                .map(|v| u32::from_be_bytes(v.to_le_bytes()))
        };
        let (Some(dest), Some(mask)) = (hex(1), hex(7)) else {
            return false;
        };
        let m = mask & 0xffff_ff00;
        mask != 0 && dest & m == ours & m
    })
}

/// Turns on IPv4 forwarding in the host's namespace: pod-to-pod traffic goes through the host,
/// as on a real node.
pub fn enable_forwarding() -> Result<(), String> {
    const PATH: &str = "/proc/sys/net/ipv4/ip_forward";
    if std::fs::read_to_string(PATH).is_ok_and(|v| v.trim() == "1") {
        return Ok(());
    }
    std::fs::write(PATH, "1").map_err(|e| {
        format!("enable IPv4 forwarding ({PATH}) for pod-to-pod traffic (root needed): {e}")
    })
}

/// The name of the host end of the veth pair of the namespace that has `ip`.
fn host_link(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("vsb{:02x}{:02x}{:02x}", o[1], o[2], o[3])
}

/// Starts a pause process in network and UTS namespaces of its own, with `hostname`; returns
/// once it holds them.
pub async fn pause(hostname: &str) -> Result<Proc, String> {
    let mut cmd = Command::new("unshare");
    cmd.args(["--net", "--uts", "--", "/bin/sh", "-c"])
        .arg("hostname \"$1\" && exec sleep infinity")
        .args(["sh", hostname])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = procs::spawn(cmd)
        .await
        .map_err(|e| format!("start unshare --net --uts (util-linux): {e}"))?;
    let proc = Proc::supervise(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    // Once the shell has become `sleep`, the namespaces exist and the hostname is set.
    while std::fs::read_to_string(format!("/proc/{}/comm", proc.pid))
        .map(|c| c.trim() != "sleep")
        .unwrap_or(true)
    {
        if let Some(status) = proc.exited() {
            return Err(format!(
                "unshare --net --uts (root needed for network namespaces) ended: {status}"
            ));
        }
        if Instant::now() > deadline {
            proc.signal(libc::SIGKILL);
            return Err("the pod's network namespace was not ready within 10s".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(proc)
}

/// Runs `ip -batch -` with `commands`, in the network namespace of `pid` when given.
pub async fn ip_batch(pid: Option<u32>, commands: &[String]) -> Result<(), String> {
    let mut cmd = match pid {
        Some(pid) => {
            let mut c = Command::new("nsenter");
            c.arg(format!("--target={pid}")).args(["--net", "--", "ip"]);
            c
        }
        None => Command::new("ip"),
    };
    cmd.args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| format!("run ip (iproute2): {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all(format!("{}\n", commands.join("\n")).as_bytes())
        .await
        .map_err(|e| format!("ip -batch: {e}"))?;
    drop(stdin);
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| format!("ip -batch: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ip {}: {}",
            commands.join("; "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Gives the namespace of `pid` the node address on the host end of a veth pair: the address
/// is the host's while that process lives.
pub async fn wire_node(pid: u32, node: Ipv4Addr) -> Result<(), String> {
    let link = host_link(node);
    ip_batch(
        None,
        &[
            format!("link add {link} type veth peer name eth0 netns {pid}"),
            format!("addr add {node}/32 dev {link}"),
            format!("link set {link} up"),
        ],
    )
    .await
}

/// Wires the pod namespace of `pid` with `ip`: a veth pair, the host's /32 route to the pod,
/// and inside the pod `lo`, the address and a default route through the node address.
pub async fn wire_pod(pid: u32, ip: Ipv4Addr, node: Ipv4Addr) -> Result<(), String> {
    let link = host_link(ip);
    ip_batch(
        None,
        &[
            format!("link add {link} type veth peer name eth0 netns {pid}"),
            // The node address on every pod's host end too: the pod's gateway answers ARP as
            // long as the pod lives, so after a SIGKILL of the sandbox the pods' last TCP
            // segments still get through and nothing keeps the namespace alive.
            format!("addr add {node}/32 dev {link}"),
            format!("link set {link} up"),
            format!("route add {ip}/32 dev {link} src {node}"),
        ],
    )
    .await?;
    ip_batch(
        Some(pid),
        &[
            "link set lo up".into(),
            format!("addr add {ip}/32 dev eth0"),
            "link set eth0 up".into(),
            format!("route add {node}/32 dev eth0 scope link"),
            format!("route add default via {node} dev eth0"),
        ],
    )
    .await
}

/// Cuts (or, `on` false, restores) the pod's traffic to and from every other pod: a blackhole
/// route for the pods' /24 inside its namespace. The node address keeps its own route, so the
/// API and the host (port-forward) still reach it; the other pods' packets arrive but get no
/// answer, as across a real partition.
pub async fn partition(pid: u32, net: [u8; 3], on: bool) -> Result<(), String> {
    let cidr = format!("{}.{}.{}.0/24", net[0], net[1], net[2]);
    let verb = if on { "replace" } else { "del" };
    ip_batch(Some(pid), &[format!("route {verb} blackhole {cidr}")]).await
}

/// Delays what the pod sends on its pod-network interface by `delay` with tc netem; false
/// when the kernel has no netem (then only the sandbox's port-forward path is slowed).
pub async fn netem_delay(pid: u32, delay: Option<Duration>) -> bool {
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--target={pid}"))
        .args(["--net", "--", "tc", "qdisc"]);
    match delay {
        Some(d) => cmd
            .args(["replace", "dev", "eth0", "root", "netem", "delay"])
            .arg(format!("{}ms", d.as_millis())),
        None => cmd.args(["del", "dev", "eth0", "root"]),
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd.status().await.is_ok_and(|s| s.success())
}

/// Connects to `127.0.0.1:port` inside the network namespace of `pid`, as the kubelet's
/// port-forward does: a thread of its own enters the namespace (setns), connects and exits;
/// the socket stays in the pod's namespace. So a pod's partition never cuts its port-forward.
#[allow(unsafe_code)]
pub async fn connect_in(pid: u32, port: u16) -> std::io::Result<tokio::net::TcpStream> {
    use std::os::fd::AsRawFd;
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("netns-connect".into())
        .spawn(move || {
            let result = (|| {
                let ns = std::fs::File::open(format!("/proc/{pid}/ns/net"))?;
                // SAFETY: setns on this thread only; the thread ends right after connecting.
                if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let s = std::net::TcpStream::connect_timeout(
                    &(Ipv4Addr::LOCALHOST, port).into(),
                    Duration::from_secs(5),
                )?;
                s.set_nonblocking(true)?;
                Ok(s)
            })();
            let _ = tx.send(result);
        })?;
    let stream = rx
        .await
        .map_err(|_| std::io::Error::other("the netns thread ended"))??;
    tokio::net::TcpStream::from_std(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_hands_out_new_addresses_round_robin() {
        let mut p = IpPool::new([10, 1, 2]);
        let a = p.allocate().unwrap();
        assert_eq!(a, Ipv4Addr::new(10, 1, 2, 10));
        p.release(a);
        assert_eq!(p.allocate().unwrap(), Ipv4Addr::new(10, 1, 2, 11));
        let n = pool_ips([10, 1, 2]).len();
        for _ in 0..n - 1 {
            assert!(p.allocate().is_some());
        }
        assert_eq!(p.allocate(), None, "every address is in use");
        p.release(Ipv4Addr::new(10, 1, 2, 10));
        assert_eq!(p.allocate(), Some(Ipv4Addr::new(10, 1, 2, 10)));
    }
}
