//! A real PostgreSQL server for the database secrets engine: started from the machine's
//! PostgreSQL binaries (Debian's `postgresql` package) on a free loopback port with its own
//! data directory, run as the `postgres` user when the tests run as root (PostgreSQL refuses
//! root), killed with the process that started it, and stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

pub struct Postgres {
    pub port: u16,
    pub dir: PathBuf,
    /// The superuser made by initdb, and its password.
    pub superuser: String,
    pub password: String,
    /// Where Vault's pods reach it (see [`Postgres::start_for_pods`]).
    host: std::net::Ipv4Addr,
    bin: PathBuf,
    child: Option<tokio::process::Child>,
    rt: tokio::runtime::Runtime,
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding a server, or `$PG_BIN_DIR`.
pub fn bin_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("PG_BIN_DIR") {
        return Ok(PathBuf::from(d));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).ok_or_else(|| {
        anyhow!("no PostgreSQL server under /usr/lib/postgresql: install Debian's postgresql package (or set PG_BIN_DIR)")
    })
}

/// The uid and gid of the `postgres` account, when running as root.
fn run_as() -> Result<Option<(u32, u32)>> {
    // SAFETY: geteuid has no preconditions.
    #[allow(unsafe_code)]
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&"postgres"))
                .then(|| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?)))?
        })
        .map(Some)
        .ok_or_else(|| {
            anyhow!("running as root, and there is no postgres account to run PostgreSQL as")
        })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Postgres {
    /// initdb in `dir` (made anew) and a server on 127.0.0.1.
    pub fn start(dir: &Path) -> Result<Postgres> {
        Postgres::start_on(dir, None)
    }

    /// As [`Postgres::start`], also listening on `node` (a sandbox's node address), where the
    /// sandbox's pods reach it: a database outside the cluster. [`Postgres::connection_url`]
    /// names that address.
    pub fn start_for_pods(dir: &Path, node: std::net::Ipv4Addr) -> Result<Postgres> {
        Postgres::start_on(dir, Some(node))
    }

    fn start_on(dir: &Path, node: Option<std::net::Ipv4Addr>) -> Result<Postgres> {
        let bin = bin_dir()?;
        let ids = run_as()?;
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        let data = dir.join("data");
        let password = hex::encode(rand::random::<[u8; 16]>());
        let pwfile = dir.join("pwfile");
        std::fs::write(&pwfile, &password)?;
        if let Some((uid, gid)) = ids {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid))?;
        }
        let as_user = |cmd: &mut Command| {
            if let Some((uid, gid)) = ids {
                use std::os::unix::process::CommandExt;
                cmd.uid(uid).gid(gid);
            }
        };
        let mut init = Command::new(bin.join("initdb"));
        init.arg("-D")
            .arg(&data)
            .args(["-U", "vaultadmin", "--auth=scram-sha-256", "--no-sync"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .env("LC_ALL", "C");
        as_user(&mut init);
        let out = init.output().context("run initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let _ = std::fs::remove_file(&pwfile);
        if let Some(ip) = node {
            // The pods connect from their own IPs in the node's /24, with a password.
            let [a, b, c, _] = ip.octets();
            let mut hba = std::fs::OpenOptions::new()
                .append(true)
                .open(data.join("pg_hba.conf"))
                .context("open pg_hba.conf")?;
            use std::io::Write;
            writeln!(hba, "host all all {a}.{b}.{c}.0/24 scram-sha-256")?;
        }
        let port = free_port()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut cmd = tokio::process::Command::new(bin.join("postgres"));
        cmd.arg("-D")
            .arg(&data)
            .arg("-h")
            .arg(match node {
                Some(ip) => format!("127.0.0.1,{ip}"),
                None => "127.0.0.1".into(),
            })
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir)
            .args(["-c", "fsync=off", "-c", "max_connections=50"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("server.log"))?);
        if let Some((uid, gid)) = ids {
            cmd.uid(uid).gid(gid);
        }
        let child = rt
            .block_on(crate::procs::spawn(cmd))
            .context("start postgres")?;
        let pg = Postgres {
            port,
            dir: dir.to_path_buf(),
            superuser: "vaultadmin".into(),
            password,
            host: node.unwrap_or(std::net::Ipv4Addr::LOCALHOST),
            bin,
            child: Some(child),
            rt,
        };
        let start = Instant::now();
        while !pg.login_works(&pg.superuser, &pg.password) {
            if start.elapsed() > Duration::from_secs(30) {
                bail!(
                    "PostgreSQL did not accept logins within 30s: {}",
                    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(pg)
    }

    /// `psql` as `user` with `password` over TCP: whether the login and `SELECT 1` work.
    pub fn login_works(&self, user: &str, password: &str) -> bool {
        self.psql(user, password, "SELECT 1").is_ok()
    }

    /// Runs `sql` through `psql` as `user`; returns its output (unaligned, tuples only).
    pub fn psql(&self, user: &str, password: &str, sql: &str) -> Result<String> {
        let psql = if self.bin.join("psql").exists() {
            self.bin.join("psql")
        } else {
            PathBuf::from("psql")
        };
        let out = Command::new(psql)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                user,
                "-d",
                "postgres",
            ])
            .args(["-w", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "5")
            .output()
            .context("run psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The connection URL template Vault's database engine takes.
    pub fn connection_url(&self) -> String {
        format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@{}:{}/postgres?sslmode=disable",
            self.host, self.port
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                // Fast shutdown: no lingering shared memory or lock files.
                crate::procs::kill_pid(pid, libc::SIGINT);
            }
            let _ = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), child.wait()).await
            });
        }
    }
}
