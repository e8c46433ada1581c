//! The chart the sandbox's objects are shaped like, and how its listener is set up: the Vault
//! Helm chart (hashicorp/vault-helm, release `vault`) or the OpenBao Helm chart
//! (openbao/openbao-helm, release `openbao`), with TLS on the pods' listener or without it
//! (`global.tlsDisable`, both charts' default).
//!
//! Names as the charts' templates have them: the StatefulSet, its container and the Services
//! are named after the release (`<name>`, `<name>-internal`, `<name>-active`,
//! `<name>-standby`); `app.kubernetes.io/name` is the chart's name; the server's paths are
//! under `/vault` or `/openbao`; the environment is `VAULT_*` or `BAO_*`; the labels OpenBao's
//! Kubernetes service registration keeps on a pod are `openbao-active` and so on (the Vault
//! chart's Services select `vault-active`, which the sandbox keeps for that chart).

/// Which Helm chart the sandbox's objects follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chart {
    #[default]
    Vault,
    Openbao,
}

impl std::str::FromStr for Chart {
    type Err = String;
    fn from_str(s: &str) -> Result<Chart, String> {
        match s {
            "vault" => Ok(Chart::Vault),
            "openbao" => Ok(Chart::Openbao),
            other => Err(format!(
                "unknown chart {other:?}: expected vault or openbao"
            )),
        }
    }
}

/// The chart and whether the pods' listener serves TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub chart: Chart,
    pub tls: bool,
}

impl Default for Variant {
    fn default() -> Self {
        Variant {
            chart: Chart::Vault,
            tls: true,
        }
    }
}

impl Variant {
    /// The chart's name: `app.kubernetes.io/name`, and the release, StatefulSet and container
    /// name the sandbox installs it as.
    pub fn name(&self) -> &'static str {
        match self.chart {
            Chart::Vault => "vault",
            Chart::Openbao => "openbao",
        }
    }

    /// `helm.sh/chart`: the chart and its version.
    pub fn chart_label(&self) -> &'static str {
        match self.chart {
            Chart::Vault => "vault-0.30.1",
            Chart::Openbao => "openbao-0.29.2",
        }
    }

    /// The StatefulSet's name.
    pub fn statefulset(&self) -> &'static str {
        self.name()
    }

    /// The container's name.
    pub fn container(&self) -> &'static str {
        self.name()
    }

    /// The headless Service (`serviceName` of the StatefulSet).
    pub fn internal_service(&self) -> String {
        format!("{}-internal", self.name())
    }

    /// The Services: the main one, the headless one, the active and the standby one.
    pub fn service_names(&self) -> [String; 4] {
        let n = self.name();
        [
            n.to_string(),
            format!("{n}-internal"),
            format!("{n}-active"),
            format!("{n}-standby"),
        ]
    }

    /// The label service registration keeps on a pod, and the active/standby Services select:
    /// `<prefix>-active`, `<prefix>-sealed`, ….
    pub fn registration_label(&self, what: &str) -> String {
        format!("{}-{what}", self.name())
    }

    /// The ConfigMap with the server configuration.
    pub fn config_map(&self) -> String {
        format!("{}-config", self.name())
    }

    /// The TLS Secret (the charts' TLS guides: `vault-tls`; `openbao-tls` here).
    pub fn tls_secret(&self) -> String {
        format!("{}-tls", self.name())
    }

    /// The root of the server's paths in the image.
    pub fn root(&self) -> &'static str {
        match self.chart {
            Chart::Vault => "/vault",
            Chart::Openbao => "/openbao",
        }
    }

    pub fn data_dir(&self) -> String {
        format!("{}/data", self.root())
    }

    pub fn config_dir(&self) -> String {
        format!("{}/config", self.root())
    }

    pub fn logs_dir(&self) -> String {
        format!("{}/logs", self.root())
    }

    pub fn audit_dir(&self) -> String {
        format!("{}/audit", self.root())
    }

    pub fn audit_log(&self) -> String {
        format!("{}/audit/audit.log", self.root())
    }

    /// Where the TLS Secret is mounted (`server.extraVolumes`: `<root>/userconfig/<secret>`).
    pub fn tls_dir(&self) -> String {
        format!("{}/userconfig/{}", self.root(), self.tls_secret())
    }

    /// The pod's HOME (an emptyDir).
    pub fn home(&self) -> String {
        format!("/home/{}", self.name())
    }

    /// The prefix of the environment variables the chart sets (`VAULT_ADDR`, `BAO_ADDR`).
    pub fn env_prefix(&self) -> &'static str {
        match self.chart {
            Chart::Vault => "VAULT",
            Chart::Openbao => "BAO",
        }
    }

    /// The CLI the chart's probe and preStop hook run.
    pub fn cli(&self) -> &'static str {
        match self.chart {
            Chart::Vault => "vault",
            Chart::Openbao => "bao",
        }
    }

    /// The scheme of the API listener (8200): `https`, or `http` with TLS disabled.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }

    /// What the chart's entrypoint script runs.
    pub fn entrypoint_args(&self) -> String {
        let config = self.config_dir();
        format!(
            "cp {config}/extraconfig-from-values.hcl /tmp/storageconfig.hcl;\n[ -n \"${{HOST_IP}}\" ] && sed -Ei \"s|HOST_IP|${{HOST_IP?}}|g\" /tmp/storageconfig.hcl;\n[ -n \"${{POD_IP}}\" ] && sed -Ei \"s|POD_IP|${{POD_IP?}}|g\" /tmp/storageconfig.hcl;\n[ -n \"${{HOSTNAME}}\" ] && sed -Ei \"s|HOSTNAME|${{HOSTNAME?}}|g\" /tmp/storageconfig.hcl;\n/usr/local/bin/docker-entrypoint.sh bao server -config=/tmp/storageconfig.hcl\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_each_chart() {
        let v = Variant::default();
        assert_eq!(
            (v.name(), v.scheme(), v.data_dir()),
            ("vault", "https", "/vault/data".into())
        );
        assert_eq!(v.tls_dir(), "/vault/userconfig/vault-tls");
        let o = Variant {
            chart: "openbao".parse().unwrap(),
            tls: false,
        };
        assert_eq!(o.service_names()[1], "openbao-internal");
        assert_eq!((o.scheme(), o.env_prefix()), ("http", "BAO"));
        assert_eq!(o.registration_label("active"), "openbao-active");
        assert!("consul".parse::<Chart>().is_err());
    }
}
