//! URLs the server will call (webhook deliveries, avatars, link previews)
//! that cannot be turned against the server's own network (SSRF).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs as _};

use crate::{Error, Result};

/// The longest URL accepted: 2048 bytes.
pub const MAX_OUTBOUND_URL_LEN: usize = 2048;
/// At most this many resolved addresses are checked and kept.
pub const MAX_RESOLVED_ADDRS: usize = 32;

const FIELD: &str = "url";

/// Top-level names that never reach the public internet: RFC 6761
/// (`localhost`, `invalid`, `test`, `example`), RFC 6762 (`local`), RFC
/// 7686 (`onion`), RFC 9476 (`alt`), ICANN's `internal` (2024), `arpa`
/// (reverse zones, `home.arpa` of RFC 8375), and the private-use suffixes
/// networks are commonly configured with.
const SPECIAL_USE_TLDS: &[&str] = &[
    "localhost",
    "invalid",
    "test",
    "example",
    "local",
    "onion",
    "alt",
    "internal",
    "arpa",
    "localdomain",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
];

/// What [`OutboundUrl`] accepts beyond the default (public `https` only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow_http: bool,
    hosts: Vec<String>,
    networks: Vec<(IpAddr, u8)>,
}

impl OutboundPolicy {
    /// Public `https` destinations only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accept `http` (a delivery in clear text: signatures still
    /// protect integrity, nothing protects confidentiality).
    #[must_use]
    pub const fn allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Accept the host name `name` (exactly, any case) even when it is a
    /// special-use or single-label name (`hooks.internal`). Its resolved
    /// addresses are still checked: allow their network too when they
    /// are internal ([`OutboundPolicy::allow_network`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) for a name that is not
    /// a well-formed host name.
    pub fn allow_host(mut self, name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        if !is_hostname(&lower) {
            return Err(Error::invalid("allow_host", "invalid_host"));
        }
        self.hosts.push(lower);
        Ok(self)
    }

    /// Accept addresses in `addr/prefix` (an internal service that is
    /// meant to receive deliveries), literal or resolved.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) for a prefix longer
    /// than the address.
    pub fn allow_network(mut self, addr: IpAddr, prefix: u8) -> Result<Self> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(Error::invalid_limit(
                "allow_network",
                "prefix_too_long",
                usize::from(max),
            ));
        }
        self.networks.push((addr, prefix));
        Ok(self)
    }

    /// Whether a connection to `ip` is allowed: not in any special-purpose
    /// range ([`special_purpose`]), or in an allowed network. Call it on
    /// every address you connect to, including each redirect hop's.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind),
    /// `url.special_purpose_address`.
    pub fn check_ip(&self, ip: IpAddr) -> Result<()> {
        if special_purpose(ip).is_some()
            && !self.networks.iter().any(|(n, p)| in_prefix(ip, *n, *p))
        {
            return Err(Error::invalid(FIELD, "special_purpose_address"));
        }
        Ok(())
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h == host)
    }
}

/// The host of an [`OutboundUrl`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutboundHost {
    /// A DNS name, lowercase, in A-label (punycode) form.
    Name(String),
    /// An IPv4 literal in dotted-quad form.
    V4(Ipv4Addr),
    /// An IPv6 literal (written in brackets in the URL).
    V6(Ipv6Addr),
}

/// An absolute `https` (or, by opt-in, `http`) URL whose host is a public
/// DNS name or a public IP literal, refused otherwise **before** any
/// lookup:
///
/// - only visible ASCII (an IDN in A-label form, a path percent-encoded),
///   at most [`MAX_OUTBOUND_URL_LEN`] bytes, no `\`;
/// - no userinfo (`https://user@host`), no empty host, a port of 1..=65535
///   without leading zeros;
/// - no special-use name: `localhost` and `*.localhost`, `*.test`,
///   `*.invalid`, `*.local`, `*.internal`, `*.arpa` … and no single-label
///   name (`http://metadata/` resolves through search domains);
/// - no odd IPv4 spelling: a host whose last label is numeric must be a
///   canonical dotted quad; `0177.0.0.1` (octal), `0x7f.1` (hex),
///   `2130706433` (one number), `127.1` (short) are refused rather than
///   guessing what a resolver makes of them; a trailing dot is refused;
/// - no IP literal in a special-purpose range ([`special_purpose`]).
///
/// [`OutboundUrl::resolve`] then looks the name up **once**, refuses the
/// URL if **any** address is special-purpose, and returns the addresses it
/// checked for the connection: a second DNS answer (rebinding) is never
/// used. Redirects are the HTTP client's: re-check every hop with
/// [`OutboundUrl::redirect`] and resolve it again (or turn redirects off).
///
/// # Example
///
/// ```
/// use seckit::validate::OutboundUrl;
///
/// let url = OutboundUrl::parse("https://Hooks.Example.com/in?x=1")?;
/// assert_eq!(url.as_str(), "https://hooks.example.com/in?x=1");
///
/// for hostile in [
///     "http://169.254.169.254/latest/meta-data/",
///     "https://0x7f.1/",
///     "https://2130706433/",
///     "https://localhost/",
///     "https://user@example.com/",
///     "https://[::ffff:127.0.0.1]/",
/// ] {
///     assert!(OutboundUrl::parse(hostile).is_err(), "{hostile}");
/// }
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundUrl {
    url: String,
    https: bool,
    host: OutboundHost,
    port: u16,
    policy: OutboundPolicy,
}

impl fmt::Debug for OutboundUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL can carry a token in its query: show the mask's form.
        f.debug_tuple("OutboundUrl")
            .field(&crate::mask::url(&self.url))
            .finish()
    }
}

impl fmt::Display for OutboundUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::mask::url(&self.url))
    }
}

impl OutboundUrl {
    /// Parses `input` under the default policy (public `https` only).
    ///
    /// # Errors
    ///
    /// As [`OutboundUrl::parse_with`].
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &OutboundPolicy::new())
    }

    /// Parses `input` under `policy`. The URL keeps the policy for
    /// [`OutboundUrl::resolve`] and [`OutboundUrl::redirect`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) on field `url`, rules
    /// `too_long`, `invalid_char`, `scheme_not_allowed`, `userinfo`,
    /// `invalid_port`, `invalid_host`, `trailing_dot`, `single_label`,
    /// `special_use_name`, `odd_ipv4`, `special_purpose_address`. The
    /// error never quotes the input.
    pub fn parse_with(input: &str, policy: &OutboundPolicy) -> Result<Self> {
        if input.len() > MAX_OUTBOUND_URL_LEN {
            return Err(Error::invalid_limit(
                FIELD,
                "too_long",
                MAX_OUTBOUND_URL_LEN,
            ));
        }
        if !input.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
            return Err(Error::invalid(FIELD, "invalid_char"));
        }
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| Error::invalid(FIELD, "scheme_not_allowed"))?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") && policy.allow_http {
            false
        } else {
            return Err(Error::invalid(FIELD, "scheme_not_allowed"));
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(Error::invalid(FIELD, "userinfo"));
        }
        let (host_text, port_text) = split_host_port(authority)?;
        let default_port = if https { 443 } else { 80 };
        let port = match port_text {
            None => default_port,
            Some(p) => parse_port(p).ok_or_else(|| Error::invalid(FIELD, "invalid_port"))?,
        };
        let host = parse_host(host_text, policy)?;
        match &host {
            OutboundHost::V4(ip) => policy.check_ip(IpAddr::V4(*ip))?,
            OutboundHost::V6(ip) => policy.check_ip(IpAddr::V6(*ip))?,
            OutboundHost::Name(_) => {}
        }
        let host_part = match &host {
            OutboundHost::Name(n) => n.clone(),
            OutboundHost::V4(ip) => ip.to_string(),
            OutboundHost::V6(ip) => format!("[{ip}]"),
        };
        let port_part = if port == default_port {
            String::new()
        } else {
            format!(":{port}")
        };
        let tail = if tail.starts_with('/') {
            tail.to_owned()
        } else {
            format!("/{tail}")
        };
        let scheme = if https { "https" } else { "http" };
        Ok(Self {
            url: format!("{scheme}://{host_part}{port_part}{tail}"),
            https,
            host,
            port,
            policy: policy.clone(),
        })
    }

    /// The normalized URL (lowercase scheme and host, default port
    /// dropped, `/` for an empty path). It may hold a token in its query:
    /// [`Display`](fmt::Display) and `Debug` show it masked.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host.
    #[must_use]
    pub const fn host(&self) -> &OutboundHost {
        &self.host
    }

    /// The host as the HTTP client's `Host` and TLS server name take it
    /// (an IPv6 literal without brackets).
    #[must_use]
    pub fn host_str(&self) -> String {
        match &self.host {
            OutboundHost::Name(n) => n.clone(),
            OutboundHost::V4(ip) => ip.to_string(),
            OutboundHost::V6(ip) => ip.to_string(),
        }
    }

    /// The port (443 or 80 when the URL has none).
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Whether the scheme is `https`.
    #[must_use]
    pub const fn is_https(&self) -> bool {
        self.https
    }

    /// Looks the host up once with the system resolver (blocking: call it
    /// from `spawn_blocking` in async code, or use
    /// [`OutboundUrl::resolve_with`] with your async resolver).
    ///
    /// # Errors
    ///
    /// As [`OutboundUrl::resolve_with`].
    pub fn resolve(&self) -> Result<ResolvedUrl> {
        self.resolve_with(|host, port| {
            (host, port)
                .to_socket_addrs()
                .map(|addrs| addrs.take(MAX_RESOLVED_ADDRS.saturating_add(1)).collect())
        })
    }

    /// Resolves the host with `lookup` (called once, and only for a DNS
    /// name) and checks **every** address it returns.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) on field `url`:
    /// `unresolvable` (lookup failed or returned nothing),
    /// `too_many_addresses` (over [`MAX_RESOLVED_ADDRS`]),
    /// `special_purpose_address` (any address, even one among public ones).
    pub fn resolve_with<F>(&self, lookup: F) -> Result<ResolvedUrl>
    where
        F: FnOnce(&str, u16) -> std::io::Result<Vec<SocketAddr>>,
    {
        let mut addrs = match &self.host {
            OutboundHost::V4(ip) => vec![SocketAddr::new(IpAddr::V4(*ip), self.port)],
            OutboundHost::V6(ip) => vec![SocketAddr::new(IpAddr::V6(*ip), self.port)],
            OutboundHost::Name(name) => {
                lookup(name, self.port).map_err(|_| Error::invalid(FIELD, "unresolvable"))?
            }
        };
        if addrs.is_empty() {
            return Err(Error::invalid(FIELD, "unresolvable"));
        }
        if addrs.len() > MAX_RESOLVED_ADDRS {
            return Err(Error::invalid_limit(
                FIELD,
                "too_many_addresses",
                MAX_RESOLVED_ADDRS,
            ));
        }
        for addr in &mut addrs {
            self.policy.check_ip(addr.ip())?;
            // The port is the URL's, whatever the resolver put there.
            addr.set_port(self.port);
        }
        addrs.sort_unstable();
        addrs.dedup();
        Ok(ResolvedUrl {
            url: self.clone(),
            addrs,
        })
    }

    /// The URL a redirect's `Location` points to, checked under this URL's
    /// policy: an absolute URL is parsed again; a path (`/next`) keeps this
    /// URL's scheme, host and port. A redirect from `https` to `http` is
    /// refused even when the policy allows `http`. Resolve the result
    /// again before following it.
    ///
    /// # Errors
    ///
    /// As [`OutboundUrl::parse_with`]; `url.downgrade` for `https` → `http`.
    pub fn redirect(&self, location: &str) -> Result<Self> {
        let next = if location.starts_with('/') && !location.starts_with("//") {
            let origin_end = self
                .url
                .find("://")
                .and_then(|i| {
                    let after = i.saturating_add(3);
                    self.url
                        .get(after..)
                        .and_then(|r| r.find('/'))
                        .map(|j| after.saturating_add(j))
                })
                .unwrap_or(self.url.len());
            let origin = self.url.get(..origin_end).unwrap_or(&self.url);
            Self::parse_with(&format!("{origin}{location}"), &self.policy)?
        } else {
            Self::parse_with(location, &self.policy)?
        };
        if self.https && !next.https {
            return Err(Error::invalid(FIELD, "downgrade"));
        }
        Ok(next)
    }
}

/// An [`OutboundUrl`] with the addresses it was checked against: connect
/// to these, not to a new lookup of the name (with `reqwest`:
/// `ClientBuilder::resolve_to_addrs(&url.host_str(), resolved.addrs())`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedUrl {
    url: OutboundUrl,
    addrs: Vec<SocketAddr>,
}

impl ResolvedUrl {
    /// The URL.
    #[must_use]
    pub const fn url(&self) -> &OutboundUrl {
        &self.url
    }

    /// The checked addresses (at least one), with the URL's port.
    #[must_use]
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }
}

/// The special-purpose range `ip` falls in, by the name of its IANA
/// registry entry, or `None` for a globally reachable unicast address.
///
/// IPv4: `0/8`, `10/8`, `100.64/10` (CGNAT), `127/8`, `169.254/16`
/// (link-local, cloud metadata at 169.254.169.254), `172.16/12`,
/// `192.0.0/24`, `192.0.2/24`, `192.31.196/24`, `192.52.193/24`,
/// `192.88.99/24`, `192.168/16`, `192.175.48/24`, `198.18/15`,
/// `198.51.100/24`, `203.0.113/24`, `224/4` (multicast), `240/4` (reserved,
/// broadcast). IPv6: anything outside `2000::/3` (unspecified, loopback,
/// IPv4-compatible, discard `100::/64`, unique-local `fc00::/7`, link-local
/// `fe80::/10`, site-local `fec0::/10`, multicast `ff00::/8`, …), and
/// inside it `2001::/23` (IETF assignments, Teredo `2001::/32`,
/// benchmarking), `2001:db8::/32` and `3fff::/20` (documentation),
/// `5f00::/16` (SRv6). An IPv4 address embedded in IPv6 — IPv4-mapped
/// `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16` — is judged by
/// the IPv4 address it carries; local-use NAT64 `64:ff9b:1::/48` is
/// refused.
///
/// # Example
///
/// ```
/// use seckit::validate::special_purpose;
///
/// assert_eq!(special_purpose("169.254.169.254".parse()?), Some("link-local"));
/// assert_eq!(special_purpose("64:ff9b::10.0.0.1".parse()?), Some("private-use"));
/// assert_eq!(special_purpose("93.184.215.14".parse()?), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

const V4_RANGES: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "this-network"),
    ([10, 0, 0, 0], 8, "private-use"),
    ([100, 64, 0, 0], 10, "shared-address-space"),
    ([127, 0, 0, 0], 8, "loopback"),
    ([169, 254, 0, 0], 16, "link-local"),
    ([172, 16, 0, 0], 12, "private-use"),
    ([192, 0, 0, 0], 24, "ietf-protocol-assignments"),
    ([192, 0, 2, 0], 24, "documentation"),
    ([192, 31, 196, 0], 24, "as112"),
    ([192, 52, 193, 0], 24, "amt"),
    ([192, 88, 99, 0], 24, "6to4-relay-anycast"),
    ([192, 168, 0, 0], 16, "private-use"),
    ([192, 175, 48, 0], 24, "as112"),
    ([198, 18, 0, 0], 15, "benchmarking"),
    ([198, 51, 100, 0], 24, "documentation"),
    ([203, 0, 113, 0], 24, "documentation"),
    ([224, 0, 0, 0], 4, "multicast"),
    ([240, 0, 0, 0], 4, "reserved"),
];

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4_RANGES
        .iter()
        .find(|(net, len, _)| prefix_match32(bits, u32::from_be_bytes(*net), *len))
        .map(|(_, _, name)| *name)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    let within = |net: u128, len: u8| prefix_match128(bits, net, len);
    // The low 32 bits as IPv4.
    let low_v4 = Ipv4Addr::from(u32::try_from(bits & 0xffff_ffff).unwrap_or(0));
    if within(0xffff_0000_0000, 96) {
        return special_v4(low_v4);
    }
    if within(0x0064_ff9b_u128 << 96, 96) {
        return special_v4(low_v4);
    }
    if within(0x0064_ff9b_0001_u128 << 80, 48) {
        return Some("local-use-nat64");
    }
    if within(0, 96) {
        return Some(match bits {
            0 => "unspecified",
            1 => "loopback",
            _ => "ipv4-compatible",
        });
    }
    if within(0x2002_u128 << 112, 16) {
        // 6to4: the IPv4 address is bits 16..48.
        let v4 = Ipv4Addr::from(u32::try_from((bits >> 80) & 0xffff_ffff).unwrap_or(0));
        return special_v4(v4);
    }
    let table: &[(u128, u8, &str)] = &[
        (0x2001_0000_u128 << 96, 32, "teredo"),
        (0x2001_0db8_u128 << 96, 32, "documentation"),
        (0x2001_u128 << 112, 23, "ietf-protocol-assignments"),
        (0x3fff_u128 << 112, 20, "documentation"),
        (0x5f00_u128 << 112, 16, "srv6-sids"),
        (0x0100_u128 << 112, 64, "discard-only"),
        (0xfc00_u128 << 112, 7, "unique-local"),
        (0xfe80_u128 << 112, 10, "link-local"),
        (0xfec0_u128 << 112, 10, "site-local"),
        (0xff00_u128 << 112, 8, "multicast"),
    ];
    if let Some((_, _, name)) = table.iter().find(|(net, len, _)| within(*net, *len)) {
        return Some(name);
    }
    if !within(0x2000_u128 << 112, 3) {
        return Some("reserved");
    }
    None
}

fn prefix_match32(bits: u32, net: u32, len: u8) -> bool {
    let mask = u32::MAX
        .checked_shl(32u32.saturating_sub(u32::from(len)))
        .unwrap_or(0);
    bits & mask == net & mask
}

fn prefix_match128(bits: u128, net: u128, len: u8) -> bool {
    let mask = u128::MAX
        .checked_shl(128u32.saturating_sub(u32::from(len)))
        .unwrap_or(0);
    bits & mask == net & mask
}

fn in_prefix(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => prefix_match32(u32::from(a), u32::from(n), len),
        (IpAddr::V6(a), IpAddr::V6(n)) => prefix_match128(u128::from(a), u128::from(n), len),
        _ => false,
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| Error::invalid(FIELD, "invalid_host"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| Error::invalid(FIELD, "invalid_host"))?,
            ),
        };
        // Keep the brackets so `parse_host` knows it is IPv6.
        let with_brackets = authority
            .get(..inside.len().saturating_add(2))
            .ok_or_else(|| Error::invalid(FIELD, "invalid_host"))?;
        return Ok((with_brackets, port));
    }
    Ok(match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    })
}

fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('0') {
        return None;
    }
    p.parse().ok().filter(|n| *n != 0)
}

fn parse_host(text: &str, policy: &OutboundPolicy) -> Result<OutboundHost> {
    if let Some(inside) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return inside
            .parse::<Ipv6Addr>()
            .map(OutboundHost::V6)
            .map_err(|_| Error::invalid(FIELD, "invalid_host"));
    }
    if text.is_empty() {
        return Err(Error::invalid(FIELD, "invalid_host"));
    }
    let host = text.to_ascii_lowercase();
    if host.ends_with('.') {
        return Err(Error::invalid(FIELD, "trailing_dot"));
    }
    let last = host.rsplit('.').next().unwrap_or(&host);
    let numeric =
        !last.is_empty() && (last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x"));
    if numeric {
        return canonical_v4(&host)
            .map(OutboundHost::V4)
            .ok_or_else(|| Error::invalid(FIELD, "odd_ipv4"));
    }
    if !is_hostname(&host) {
        return Err(Error::invalid(FIELD, "invalid_host"));
    }
    if !policy.host_allowed(&host) {
        if !host.contains('.') {
            return Err(Error::invalid(FIELD, "single_label"));
        }
        if SPECIAL_USE_TLDS.contains(&last) {
            return Err(Error::invalid(FIELD, "special_use_name"));
        }
    }
    Ok(OutboundHost::Name(host))
}

/// Four decimal parts of 0..=255 without leading zeros, nothing else.
fn canonical_v4(host: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = host.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty()
            || part.len() > 3
            || !part.bytes().all(|b| b.is_ascii_digit())
            || (part.len() > 1 && part.starts_with('0'))
        {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// LDH labels of 1..=63 characters, not starting or ending with `-`, at
/// most 253 characters in all; lowercase.
fn is_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_ipv4_is_judged_by_its_ipv4() {
        let sp = |s: &str| special_purpose(s.parse().unwrap());
        assert_eq!(sp("::ffff:127.0.0.1"), Some("loopback"));
        assert_eq!(sp("::ffff:93.184.215.14"), None);
        assert_eq!(sp("2002:7f00:1::"), Some("loopback"));
        assert_eq!(sp("2002:5db8:d70e::1"), None);
        assert_eq!(sp("64:ff9b::a9fe:a9fe"), Some("link-local"));
        assert_eq!(sp("64:ff9b:1::1"), Some("local-use-nat64"));
        assert_eq!(sp("2001::1"), Some("teredo"));
        assert_eq!(sp("2606:4700::1111"), None);
    }
}
