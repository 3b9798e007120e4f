//! A hardened HTTP(S) fetcher for the resolution hook (feature `http`).
//!
//! https only; every address a host name resolves to is checked before connecting, and loopback,
//! private, link-local (incl. cloud metadata 169.254.169.254), carrier-grade NAT, multicast and
//! unspecified addresses are refused; redirects are followed by hand (at most
//! [`HttpResolverBuilder::max_redirects`]) so each hop passes the same checks; a timeout bounds
//! slow servers; bodies larger than the cap are refused while reading; responses are cached in
//! memory for a TTL.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Resolver, ResourceKind, MAX_RESOURCE_BYTES};
use crate::error::{Error, ErrorKind, Result};

/// Fetched bodies by URL, with when they were fetched.
type ResponseCache = HashMap<String, (Instant, Vec<u8>)>;

/// Whether connecting to `ip` is refused by default (SSRF protection).
pub fn is_forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden_address(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// How long a fetched body may be cached: the configured TTL, shortened for a status list by its
/// `credentialSubject.ttl` (milliseconds, Bitstring Status List) and never past its `validUntil`.
fn cache_ttl(body: &[u8], kind: ResourceKind, configured: Duration) -> Duration {
    if kind != ResourceKind::StatusList || configured.is_zero() {
        return configured;
    }
    let Ok(v) = crate::json::parse(body) else {
        return Duration::ZERO;
    };
    let mut ttl = configured;
    if let Some(ms) = v
        .pointer("/credentialSubject/ttl")
        .and_then(serde_json::Value::as_u64)
    {
        ttl = ttl.min(Duration::from_millis(ms));
    }
    if let Some(until) = v.get("validUntil").and_then(serde_json::Value::as_str) {
        match chrono::DateTime::parse_from_rfc3339(until) {
            Ok(t) => {
                let left = (t.to_utc() - chrono::Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO);
                ttl = ttl.min(left);
            }
            Err(_) => ttl = Duration::ZERO,
        }
    }
    ttl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_ttl_and_valid_until_shorten_the_cache() {
        let five = Duration::from_secs(300);
        let list = br#"{"credentialSubject": {"ttl": 1000}}"#;
        assert_eq!(
            cache_ttl(list, ResourceKind::StatusList, five),
            Duration::from_secs(1)
        );
        let expired = br#"{"validUntil": "2001-01-01T00:00:00Z"}"#;
        assert_eq!(
            cache_ttl(expired, ResourceKind::StatusList, five),
            Duration::ZERO
        );
        assert_eq!(cache_ttl(list, ResourceKind::DidDocument, five), five);
        assert!(is_forbidden_address("169.254.169.254".parse().unwrap()));
        assert!(is_forbidden_address("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!is_forbidden_address("93.184.216.34".parse().unwrap()));
    }
}

/// Builds an [`HttpResolver`].
#[derive(Debug, Clone)]
pub struct HttpResolverBuilder {
    timeout: Duration,
    max_bytes: usize,
    max_redirects: u8,
    ttl: Duration,
    loopback_for_tests: bool,
}

impl Default for HttpResolverBuilder {
    fn default() -> Self {
        HttpResolverBuilder {
            timeout: Duration::from_secs(5),
            max_bytes: MAX_RESOURCE_BYTES,
            max_redirects: 3,
            ttl: Duration::from_secs(300),
            loopback_for_tests: false,
        }
    }
}

impl HttpResolverBuilder {
    /// Overall timeout per request (default 5 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
    /// Largest body accepted (default and maximum [`MAX_RESOURCE_BYTES`]).
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n.min(MAX_RESOURCE_BYTES);
        self
    }
    /// Redirects followed (default 3).
    pub fn max_redirects(mut self, n: u8) -> Self {
        self.max_redirects = n;
        self
    }
    /// How long responses are cached (default 5 minutes; zero disables the cache).
    pub fn ttl(mut self, t: Duration) -> Self {
        self.ttl = t;
        self
    }
    /// **For tests only**: allow loopback addresses and plain `http://` to them (an `https://`
    /// URL naming a loopback host is fetched over http). Everything else stays refused.
    pub fn dangerous_allow_loopback_for_tests(mut self) -> Self {
        self.loopback_for_tests = true;
        self
    }
    /// The resolver.
    pub fn build(self) -> HttpResolver {
        let policy = AddressPolicy {
            allow_loopback: self.loopback_for_tests,
        };
        let agent = ureq::AgentBuilder::new()
            .timeout(self.timeout)
            .redirects(0)
            .resolver(policy)
            .build();
        HttpResolver {
            agent,
            settings: self,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct AddressPolicy {
    allow_loopback: bool,
}

impl AddressPolicy {
    fn allowed(&self, ip: IpAddr) -> bool {
        (self.allow_loopback && ip.is_loopback()) || !is_forbidden_address(ip)
    }
}

impl ureq::Resolver for AddressPolicy {
    fn resolve(&self, netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
        let addrs: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
        if let Some(bad) = addrs.iter().find(|a| !self.allowed(a.ip())) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("refusing to connect to {} (a loopback, private, link-local or reserved address)", bad.ip()),
            ));
        }
        Ok(addrs)
    }
}

/// Fetches remote documents over HTTPS with the protections described in the module docs.
///
/// # Example
/// ```
/// use openbadges::resolve::{HttpResolver, Resolver, ResourceKind};
/// let http = HttpResolver::builder().build();
/// // Refused before any connection is attempted: a private address and a non-https URL.
/// assert!(http.fetch("https://10.0.0.1/status/1", ResourceKind::StatusList).is_err());
/// assert!(http.fetch("http://district.example/status/1", ResourceKind::StatusList).is_err());
/// ```
pub struct HttpResolver {
    agent: ureq::Agent,
    settings: HttpResolverBuilder,
    cache: Arc<Mutex<ResponseCache>>,
}

impl std::fmt::Debug for HttpResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResolver")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn resolve_err(msg: String) -> Error {
    Error::new(ErrorKind::Resolve, msg)
}

impl HttpResolver {
    /// Starts a builder with the secure defaults.
    pub fn builder() -> HttpResolverBuilder {
        HttpResolverBuilder::default()
    }

    fn check_url(&self, url: &url::Url) -> Result<url::Url> {
        let host = url.host_str().unwrap_or("");
        let loopback_host = host == "localhost"
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let mut target = url.clone();
        match url.scheme() {
            "https" if self.settings.loopback_for_tests && loopback_host => {
                let _ = target.set_scheme("http");
            }
            "https" => {}
            "http" if self.settings.loopback_for_tests && loopback_host => {}
            other => {
                return Err(resolve_err(format!(
                    "refusing `{url}`: only https is fetched (found {other})"
                )));
            }
        }
        // Literal IPs are checked here too (the resolver hook sees host names only).
        if let Ok(ip) = host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
        {
            let policy = AddressPolicy {
                allow_loopback: self.settings.loopback_for_tests,
            };
            if !policy.allowed(ip) {
                return Err(resolve_err(format!(
                    "refusing `{url}`: {ip} is a loopback, private, link-local or reserved address"
                )));
            }
        }
        Ok(target)
    }
}

impl Resolver for HttpResolver {
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>> {
        let url = super::strip_fragment(url);
        if !self.settings.ttl.is_zero() {
            if let Some((at, body)) = self.cache.lock().ok().and_then(|c| c.get(url).cloned()) {
                if at.elapsed() < self.settings.ttl {
                    return Ok(body);
                }
            }
        }
        let mut current =
            url::Url::parse(url).map_err(|e| resolve_err(format!("`{url}` is not a URL: {e}")))?;
        for _hop in 0..=self.settings.max_redirects {
            let target = self.check_url(&current)?;
            let resp = self
                .agent
                .get(target.as_str())
                .set(
                    "Accept",
                    "application/did+json, application/ld+json, application/json",
                )
                .call();
            let resp = match resp {
                Ok(r) => r,
                Err(ureq::Error::Status(code, _)) => {
                    return Err(resolve_err(format!("`{current}` answered HTTP {code}")));
                }
                Err(e) => return Err(resolve_err(format!("could not fetch `{current}`: {e}"))),
            };
            if (300..400).contains(&resp.status()) {
                let loc = resp.header("Location").ok_or_else(|| {
                    resolve_err(format!("`{current}` redirected without a Location"))
                })?;
                current = current
                    .join(loc)
                    .map_err(|e| resolve_err(format!("bad redirect from `{current}`: {e}")))?;
                continue;
            }
            let max = self.settings.max_bytes;
            let mut body = Vec::new();
            resp.into_reader()
                .take(max as u64 + 1)
                .read_to_end(&mut body)
                .map_err(|e| resolve_err(format!("reading `{current}` failed: {e}")))?;
            if body.len() > max {
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!("`{current}` sent more than {max} bytes"),
                ));
            }
            let ttl = cache_ttl(&body, kind, self.settings.ttl);
            if !ttl.is_zero() {
                if let Ok(mut c) = self.cache.lock() {
                    if c.len() > 1024 {
                        c.clear();
                    }
                    // Stored with a back-dated timestamp so the shorter list TTL applies.
                    let at = Instant::now()
                        .checked_sub(self.settings.ttl.saturating_sub(ttl))
                        .unwrap_or_else(Instant::now);
                    c.insert(url.to_string(), (at, body.clone()));
                }
            }
            return Ok(body);
        }
        Err(resolve_err(format!(
            "`{url}`: more than {} redirects",
            self.settings.max_redirects
        )))
    }
}
