//! Where webhooks may send: allow-lists of schemes, methods and hosts, and the refusal of
//! loopback, link-local and private addresses unless allow-listed.
//!
//! The host check applies to the address a name *resolves to* at send time (see
//! `send::PolicyResolver`), so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused
//! as the address itself would be.

use std::net::IpAddr;

use ipnet::IpNet;

/// One entry of the host allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host name (case-insensitive).
    Name(String),
    /// Any host one level below this domain (`*.example.com`: `ci.example.com`, not
    /// `a.ci.example.com` nor `example.com`), as TLS certificates match.
    Wildcard(String),
    /// An address or a range (`10.0.0.0/8`, `127.0.0.1`).
    Net(IpNet),
}

/// Why a host allow-list entry cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a host name, `*.domain`, IP address or CIDR range (such as 10.0.0.0/8)")]
pub struct HostPatternError(pub String);

impl std::str::FromStr for HostPattern {
    type Err = HostPatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(HostPattern::Net(IpNet::from(ip)));
        }
        if let Ok(net) = text.parse::<IpNet>() {
            return Ok(HostPattern::Net(net.trunc()));
        }
        let valid_name = |name: &str| {
            !name.is_empty()
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
        };
        if let Some(domain) = text.strip_prefix("*.") {
            if valid_name(domain) {
                return Ok(HostPattern::Wildcard(domain.to_ascii_lowercase()));
            }
        } else if valid_name(text) {
            return Ok(HostPattern::Name(text.to_ascii_lowercase()));
        }
        Err(HostPatternError(text.to_owned()))
    }
}

impl HostPattern {
    fn matches_name(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match self {
            HostPattern::Name(name) => host == *name,
            HostPattern::Wildcard(domain) => host
                .strip_suffix(domain.as_str())
                .and_then(|head| head.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.')),
            HostPattern::Net(_) => false,
        }
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match self {
            HostPattern::Net(net) => net.contains(&canonical(ip)),
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The kind of a non-public address, or `None` for a public one.
pub fn special_range(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if v4.is_link_local() {
                Some("link-local (cloud metadata)")
            } else if v4.is_private() {
                Some("private")
            } else if a == 100 && (64..128).contains(&b) {
                Some("shared address space (carrier-grade NAT)")
            } else if v4.is_unspecified() || a == 0 {
                Some("unspecified")
            } else if v4.is_broadcast() || v4.is_multicast() || a >= 240 {
                Some("broadcast, multicast or reserved")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if v6.is_multicast() {
                Some("multicast")
            } else {
                None
            }
        }
    }
}

/// The allow-lists.
#[derive(Debug, Clone)]
pub struct AddressPolicy {
    /// URL schemes webhooks may use (lowercase).
    pub schemes: Vec<String>,
    /// HTTP methods webhooks may use (uppercase).
    pub methods: Vec<String>,
    /// Hosts webhooks may send to; empty: any public address.
    pub hosts: Vec<HostPattern>,
}

impl Default for AddressPolicy {
    /// The Pact Broker's defaults: https and POST only, any public host.
    fn default() -> Self {
        AddressPolicy {
            schemes: vec!["https".into()],
            methods: vec!["POST".into()],
            hosts: Vec::new(),
        }
    }
}

/// Why a webhook may not send a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The scheme is not allowed.
    #[error("scheme `{scheme}` is not allowed for webhooks (allowed: {allowed})")]
    Scheme {
        /// The scheme.
        scheme: String,
        /// The allowed ones.
        allowed: String,
    },
    /// The method is not allowed.
    #[error("method `{method}` is not allowed for webhooks (allowed: {allowed})")]
    Method {
        /// The method.
        method: String,
        /// The allowed ones.
        allowed: String,
    },
    /// The host is not on the allow-list.
    #[error("host `{host}` is not on the webhook host allow-list")]
    Host {
        /// The host.
        host: String,
    },
    /// The host is, or resolves to, a non-public address that is not allow-listed.
    #[error(
        "host `{host}` is {address}, a {range} address; webhooks may only send there when \
         the host or address is on the webhook host allow-list"
    )]
    Address {
        /// The host.
        host: String,
        /// The address.
        address: IpAddr,
        /// Its kind.
        range: &'static str,
    },
}

impl AddressPolicy {
    /// Checks a request's scheme and method.
    pub fn check_request(&self, scheme: &str, method: &str) -> Result<(), Refusal> {
        if !self.schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Err(Refusal::Scheme {
                scheme: scheme.to_owned(),
                allowed: self.schemes.join(", "),
            });
        }
        if !self.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
            return Err(Refusal::Method {
                method: method.to_owned(),
                allowed: self.methods.join(", "),
            });
        }
        Ok(())
    }

    /// Whether `host` may be sent to at `address` (what it resolved to, or itself when it is
    /// an address). With an allow-list, the host name or the address must be on it; without
    /// one, any public address is allowed. A non-public address is allowed only when the
    /// allow-list names the host or contains the address.
    pub fn check_address(&self, host: &str, address: IpAddr) -> Result<(), Refusal> {
        let listed = self
            .hosts
            .iter()
            .any(|p| p.matches_name(host) || p.contains(address));
        if listed {
            return Ok(());
        }
        if let Some(range) = special_range(address) {
            return Err(Refusal::Address {
                host: host.to_owned(),
                address: canonical(address),
                range,
            });
        }
        if self.hosts.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Host {
                host: host.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &[&str]) -> AddressPolicy {
        AddressPolicy {
            hosts: hosts.iter().map(|h| h.parse().unwrap()).collect(),
            ..AddressPolicy::default()
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    // These only classify addresses: nothing here opens a connection.
    #[test]
    fn non_public_ranges_are_refused_without_an_allow_list_entry() {
        let open = policy(&[]);
        for (address, range) in [
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("169.254.169.254", "link-local (cloud metadata)"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "shared address space (carrier-grade NAT)"),
            ("0.0.0.0", "unspecified"),
            ("fe80::1", "link-local"),
            ("fd00::1", "private (unique local)"),
            ("::", "unspecified"),
        ] {
            let refusal = open
                .check_address("hooks.example", ip(address))
                .unwrap_err();
            assert!(
                matches!(&refusal, Refusal::Address { range: r, .. } if *r == range),
                "{address}: {refusal}"
            );
        }
        for public in ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::1"] {
            assert_eq!(
                open.check_address("hooks.example", ip(public)),
                Ok(()),
                "{public}"
            );
        }
    }

    #[test]
    fn allow_list_entries_admit_names_wildcards_addresses_and_ranges() {
        let listed = policy(&[
            "ci.internal",
            "*.corp.example",
            "10.0.0.0/8",
            "169.254.169.254",
        ]);
        assert_eq!(
            listed.check_address("ci.internal", ip("192.168.0.5")),
            Ok(())
        );
        assert_eq!(
            listed.check_address("CI.Internal.", ip("192.168.0.5")),
            Ok(())
        );
        assert_eq!(
            listed.check_address("jenkins.corp.example", ip("10.9.9.9")),
            Ok(())
        );
        assert_eq!(listed.check_address("anything", ip("10.200.0.1")), Ok(()));
        assert_eq!(listed.check_address("meta", ip("169.254.169.254")), Ok(()));
        // One level only, as certificates match.
        assert!(
            listed
                .check_address("a.b.corp.example", ip("192.168.0.9"))
                .is_err()
        );
        assert!(
            listed
                .check_address("corp.example", ip("192.168.0.9"))
                .is_err()
        );
        // Not listed: a private address is refused as such, a public one as not listed.
        assert!(matches!(
            listed.check_address("other", ip("192.168.0.9")),
            Err(Refusal::Address { .. })
        ));
        assert!(matches!(
            listed.check_address("other", ip("8.8.8.8")),
            Err(Refusal::Host { .. })
        ));
    }

    #[test]
    fn bad_allow_list_entries_are_refused_by_name() {
        for bad in ["", "http://x", "*.", "a..b", "10.0.0.0/33", "a b"] {
            let error = bad.parse::<HostPattern>().unwrap_err();
            assert!(error.to_string().contains("CIDR"), "{bad}: {error}");
        }
        assert_eq!(
            "10.1.2.3/8".parse::<HostPattern>().unwrap(),
            HostPattern::Net("10.0.0.0/8".parse().unwrap())
        );
    }

    #[test]
    fn schemes_and_methods_default_to_https_and_post() {
        let policy = AddressPolicy::default();
        assert_eq!(policy.check_request("https", "post"), Ok(()));
        assert!(matches!(
            policy.check_request("http", "POST"),
            Err(Refusal::Scheme { .. })
        ));
        assert!(matches!(
            policy.check_request("https", "GET"),
            Err(Refusal::Method { .. })
        ));
    }
}
