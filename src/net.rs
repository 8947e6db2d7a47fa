//! The client's address as a service can trust it: the TCP peer, unless the
//! peer is one of *your* proxies, and then the first address, read from the
//! right of the forwarding header, that is not one of your proxies.
//!
//! `X-Forwarded-For` and `Forwarded` are written by whoever sends the
//! request: the left-most entry is whatever the client typed. A proxy
//! appends the address it saw on the right. So [`ClientIpConfig`] trusts the
//! headers only when the peer is in its configured [`TrustedProxies`], then
//! walks the chain from the right, skipping trusted hops, and stops at the
//! first address it does not trust: that one was written by a trusted hop
//! and is the client. With no trusted proxies configured (the default), the
//! headers are ignored entirely.
//!
//! For rate-limit keys, [`ClientIp::group`] folds IPv4-mapped IPv6
//! (`::ffff:192.0.2.1`) to IPv4 and cuts IPv6 to a prefix (default /64:
//! one customer's allocation), so one client cannot rotate through 2^64
//! keys.
//!
//! Limits checked before any work: at most [`MAX_HEADER_BYTES`] of
//! forwarding headers are read and at most [`MAX_HOPS`] entries walked;
//! beyond that the header is not trusted and the peer is used.
//!
//! # Example
//!
//! ```
//! use http::HeaderMap;
//! use seckit::net::{ClientIpConfig, TrustedProxies};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
//! let peer = "10.0.0.2".parse().unwrap(); // the load balancer
//!
//! // Nothing trusted: the header is ignored, the peer is the client.
//! assert_eq!(ClientIpConfig::default().client_ip(peer, &headers).addr().to_string(), "10.0.0.2");
//!
//! // The load balancer trusted: its entry (the right-most) is the client;
//! // the client-written "6.6.6.6" is never used.
//! let config = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8")?);
//! assert_eq!(config.client_ip(peer, &headers).addr().to_string(), "203.0.113.7");
//! # Ok::<(), seckit::Error>(())
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use http::HeaderMap;

use crate::config::Setting;
use crate::{Error, Result};

/// Most bytes of forwarding headers read; a longer chain is not trusted.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Most entries of a forwarding chain walked; a longer chain is not trusted.
pub const MAX_HOPS: usize = 32;
/// Most networks in a [`TrustedProxies`] list.
pub const MAX_TRUSTED_NETWORKS: usize = 256;

/// An IP network, `10.0.0.0/8` or `2001:db8::/32` (a bare address is a
/// /32 or /128).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// The network of `addr` cut to `prefix` bits.
    ///
    /// # Errors
    ///
    /// A prefix longer than the address ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)).
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Self> {
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        if prefix > max {
            return Err(Error::invalid_limit(
                "network",
                "prefix_too_long",
                usize::from(max),
            ));
        }
        Ok(Self {
            addr: mask(fold(addr), prefix),
            prefix,
        })
    }

    /// The network address.
    #[must_use]
    pub const fn network(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    #[must_use]
    pub const fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` (IPv4-mapped IPv6 folded to IPv4) is inside.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = fold(ip);
        matches!(
            (ip, self.addr),
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_))
        ) && mask(ip, self.prefix) == self.addr
    }
}

impl FromStr for IpNet {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => {
                let prefix = p
                    .parse::<u8>()
                    .map_err(|_| Error::invalid("network", "prefix"))?;
                (a, Some(prefix))
            }
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| Error::invalid("network", "address"))?;
        let addr = fold(addr);
        let prefix = prefix.unwrap_or(match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        });
        Self::new(addr, prefix)
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The proxies whose forwarding headers are believed: empty by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
}

impl TrustedProxies {
    /// No proxy trusted: forwarding headers are ignored.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            networks: Vec::new(),
        }
    }

    /// A comma- or space-separated list of networks and addresses, as an
    /// operator writes it in `TRUSTED_PROXIES` (`10.0.0.0/8, fd00::/8`).
    /// An empty list trusts nothing.
    ///
    /// # Errors
    ///
    /// An entry that is not a network, or more than
    /// [`MAX_TRUSTED_NETWORKS`] entries ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)).
    pub fn parse(list: &str) -> Result<Self> {
        let mut networks = Vec::new();
        for entry in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            if networks.len() >= MAX_TRUSTED_NETWORKS {
                return Err(Error::invalid_limit(
                    "trusted_proxies",
                    "too_many",
                    MAX_TRUSTED_NETWORKS,
                ));
            }
            networks.push(entry.parse()?);
        }
        Ok(Self { networks })
    }

    /// These networks.
    ///
    /// # Errors
    ///
    /// More than [`MAX_TRUSTED_NETWORKS`] networks.
    pub fn from_networks(networks: impl IntoIterator<Item = IpNet>) -> Result<Self> {
        let networks: Vec<IpNet> = networks.into_iter().collect();
        if networks.len() > MAX_TRUSTED_NETWORKS {
            return Err(Error::invalid_limit(
                "trusted_proxies",
                "too_many",
                MAX_TRUSTED_NETWORKS,
            ));
        }
        Ok(Self { networks })
    }

    /// Whether no proxy is trusted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.networks.is_empty() {
            return f.write_str("none");
        }
        for (i, n) in self.networks.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

/// Which header the trusted proxies write. Only that one is read: a client
/// can send the other, and a proxy that does not know it passes it on
/// untouched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, AWS ALB).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client;proto=https, for=proxy1` (RFC 7239).
    Forwarded,
}

/// How to find the client's address: which proxies are trusted, which
/// header they write, and how IPv6 addresses are grouped for keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIpConfig {
    trusted: TrustedProxies,
    header: ForwardedHeader,
    v6_prefix: u8,
}

impl Default for ClientIpConfig {
    /// Nothing trusted, `X-Forwarded-For` if ever trusted, IPv6 grouped by
    /// /64.
    fn default() -> Self {
        Self::new(TrustedProxies::none())
    }
}

impl ClientIpConfig {
    /// Believe forwarding headers from `trusted` (`X-Forwarded-For`; IPv6
    /// grouped by /64).
    #[must_use]
    pub const fn new(trusted: TrustedProxies) -> Self {
        Self {
            trusted,
            header: ForwardedHeader::XForwardedFor,
            v6_prefix: 64,
        }
    }

    /// Reads `TRUSTED_PROXIES` (a list as [`TrustedProxies::parse`] takes;
    /// unset or empty trusts nothing) and `TRUSTED_PROXY_HEADER`
    /// (`x-forwarded-for`, the default, or `forwarded`).
    ///
    /// # Errors
    ///
    /// A malformed list or header name ([`ErrorKind::Configuration`](crate::ErrorKind::Configuration)).
    pub fn from_loader(loader: &mut crate::config::Loader) -> Result<Self> {
        let list = loader
            .value("TRUSTED_PROXIES")?
            .map(Setting::into_value)
            .unwrap_or_default();
        let trusted = TrustedProxies::parse(&list)
            .map_err(|_| Error::configuration("TRUSTED_PROXIES", "not a list of IP networks"))?;
        let header = loader
            .value("TRUSTED_PROXY_HEADER")?
            .map(Setting::into_value);
        let header = match header.as_deref() {
            None | Some("x-forwarded-for") => ForwardedHeader::XForwardedFor,
            Some("forwarded") => ForwardedHeader::Forwarded,
            Some(_) => {
                return Err(
                    Error::configuration("TRUSTED_PROXY_HEADER", "unknown header")
                        .with_hint("x-forwarded-for or forwarded"),
                );
            }
        };
        Ok(Self::new(trusted).with_header(header))
    }

    /// Which header the proxies write.
    #[must_use]
    pub const fn with_header(mut self, header: ForwardedHeader) -> Self {
        self.header = header;
        self
    }

    /// Group IPv6 clients by `prefix` bits (clamped to 1..=128) in
    /// [`ClientIp::group`].
    #[must_use]
    pub fn with_ipv6_prefix(mut self, prefix: u8) -> Self {
        self.v6_prefix = prefix.clamp(1, 128);
        self
    }

    /// The trusted proxies.
    #[must_use]
    pub const fn trusted(&self) -> &TrustedProxies {
        &self.trusted
    }

    /// The client of a request that arrived from `peer` with `headers`.
    #[must_use]
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> ClientIp {
        let peer = fold(peer);
        let addr = if self.trusted.contains(peer) {
            self.walk(peer, headers)
        } else {
            peer
        };
        ClientIp {
            addr,
            v6_prefix: self.v6_prefix,
        }
    }

    /// Whether a request that arrived from `peer` with `headers` was made
    /// over HTTPS by the client: `connection_is_tls` when this server
    /// terminated TLS itself; otherwise only a trusted proxy is believed,
    /// through `X-Forwarded-Proto` (with [`ForwardedHeader::XForwardedFor`])
    /// or the `proto=` parameters of `Forwarded` (with
    /// [`ForwardedHeader::Forwarded`]). Every value present must be `https`
    /// (case-insensitive) and at least one must be: a chain where any hop
    /// saw plain HTTP, a value a client could have written ahead of a proxy
    /// that appends, or a header longer than [`MAX_HEADER_BYTES`] is not
    /// HTTPS. From an untrusted peer the headers are ignored.
    ///
    /// The web module sends `Strict-Transport-Security` only when this is
    /// true (RFC 6797 §7.2: not over plain HTTP).
    ///
    /// # Example
    ///
    /// ```
    /// use http::HeaderMap;
    /// use seckit::net::{ClientIpConfig, TrustedProxies};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-forwarded-proto", "https".parse().unwrap());
    /// let lb = "10.0.0.2".parse().unwrap();
    /// assert!(!ClientIpConfig::default().is_https(lb, &headers, false));
    /// let config = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8")?);
    /// assert!(config.is_https(lb, &headers, false));
    /// assert!(!config.is_https("203.0.113.9".parse().unwrap(), &headers, false));
    /// # Ok::<(), seckit::Error>(())
    /// ```
    #[must_use]
    pub fn is_https(&self, peer: IpAddr, headers: &HeaderMap, connection_is_tls: bool) -> bool {
        if connection_is_tls {
            return true;
        }
        if !self.trusted.contains(fold(peer)) {
            return false;
        }
        let name = match self.header {
            ForwardedHeader::XForwardedFor => "x-forwarded-proto",
            ForwardedHeader::Forwarded => "forwarded",
        };
        let mut total = 0usize;
        let mut seen = 0usize;
        for value in headers.get_all(name) {
            total = total.saturating_add(value.len());
            if total > MAX_HEADER_BYTES {
                return false;
            }
            let Ok(line) = value.to_str() else {
                return false;
            };
            for element in line.split(',') {
                let proto = match self.header {
                    ForwardedHeader::XForwardedFor => Some(element.trim()),
                    ForwardedHeader::Forwarded => forwarded_param(element, "proto"),
                };
                let Some(proto) = proto else { continue };
                if !proto.eq_ignore_ascii_case("https") {
                    return false;
                }
                seen = seen.saturating_add(1);
                if seen > MAX_HOPS {
                    return false;
                }
            }
        }
        seen > 0
    }

    fn walk(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let name = match self.header {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        };
        let mut total = 0usize;
        let mut lines = Vec::new();
        for value in headers.get_all(name) {
            total = total.saturating_add(value.len());
            if total > MAX_HEADER_BYTES {
                return peer;
            }
            match value.to_str() {
                Ok(line) => lines.push(line),
                Err(_) => return peer,
            }
        }
        let mut current = peer;
        let mut hops = 0usize;
        // Repeated header lines form one list, in order (RFC 9110 §5.3).
        for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
            hops = hops.saturating_add(1);
            if hops > MAX_HOPS {
                return peer;
            }
            let parsed = match self.header {
                ForwardedHeader::XForwardedFor => parse_node(entry.trim()),
                ForwardedHeader::Forwarded => forwarded_for(entry),
            };
            // An entry a trusted hop wrote that is not an address
            // ("unknown", an obfuscated name): nothing to its left can be
            // believed, and the hop that wrote it is the last known point.
            let Some(ip) = parsed else {
                return current;
            };
            let ip = fold(ip);
            if !self.trusted.contains(ip) {
                return ip;
            }
            current = ip;
        }
        current
    }
}

/// The `for=` node of one `Forwarded` element (`for=192.0.2.1;proto=https`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    forwarded_param(element, "for").and_then(parse_node)
}

/// The value of parameter `name` in one `Forwarded` element, unquoted.
fn forwarded_param<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case(name) {
            return None;
        }
        let value = value.trim();
        Some(
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value),
        )
    })
}

/// `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:8080`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Some(rest) = s.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let (host, port) = s.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A client address as [`ClientIpConfig::client_ip`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientIp {
    addr: IpAddr,
    v6_prefix: u8,
}

impl ClientIp {
    /// A client seen directly, with no proxy (IPv6 grouped by /64).
    #[must_use]
    pub fn from_peer(peer: IpAddr) -> Self {
        Self {
            addr: fold(peer),
            v6_prefix: 64,
        }
    }

    /// The address (IPv4-mapped IPv6 folded to IPv4): for logs and audit
    /// events.
    #[must_use]
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The address to key limits on: IPv4 as is, IPv6 cut to the
    /// configured prefix (`2001:db8:1:2::/64` for every address in it).
    #[must_use]
    pub fn group(&self) -> IpNet {
        let prefix = match self.addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => self.v6_prefix,
        };
        IpNet {
            addr: mask(self.addr, prefix),
            prefix,
        }
    }
}

impl fmt::Display for ClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.addr.fmt(f)
    }
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is.
fn fold(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX
                .checked_shl(32u32.saturating_sub(u32::from(prefix)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(bits & m))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX
                .checked_shl(128u32.saturating_sub(u32::from(prefix)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(bits & m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn masks_and_prefixes() {
        assert_eq!(mask(ip("10.1.2.3"), 8), ip("10.0.0.0"));
        assert_eq!(mask(ip("10.1.2.3"), 0), ip("0.0.0.0"));
        assert_eq!(mask(ip("2001:db8:1:2:3:4:5:6"), 64), ip("2001:db8:1:2::"));
        assert!(
            "0.0.0.0/0"
                .parse::<IpNet>()
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        assert!(!"0.0.0.0/0".parse::<IpNet>().unwrap().contains(ip("::1")));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!(
            "::ffff:10.0.0.1"
                .parse::<IpNet>()
                .unwrap()
                .contains(ip("10.0.0.1"))
        );
    }

    #[test]
    fn nodes_in_every_spelling() {
        assert_eq!(parse_node("192.0.2.1:8080"), Some(ip("192.0.2.1")));
        assert_eq!(parse_node("[2001:db8::1]:8080"), Some(ip("2001:db8::1")));
        assert_eq!(parse_node("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(parse_node("2001:db8::1"), Some(ip("2001:db8::1")));
        assert_eq!(parse_node("unknown"), None);
        assert_eq!(parse_node("[::1]x"), None);
        assert_eq!(
            forwarded_for("by=1.1.1.1;For=\"[2001:db8::17]:4711\""),
            Some(ip("2001:db8::17"))
        );
    }

    #[test]
    fn repeated_lines_are_one_list() {
        let c = ClientIpConfig::new(TrustedProxies::parse("10.0.0.0/8").unwrap());
        let h = headers("x-forwarded-for", &["6.6.6.6", "203.0.113.1, 10.0.0.9"]);
        assert_eq!(c.client_ip(ip("10.0.0.2"), &h).addr(), ip("203.0.113.1"));
    }
}
