//! The client side of the OB 3.0 API: pulls every credential a host holds for a bearer token
//! (`openbadges import --from URL --token T`), page by page.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// Largest page accepted from a host: 64 MiB.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// At most this many credentials are pulled.
pub const MAX_CREDENTIALS: usize = 100_000;

/// Every credential at the OB API host `base` (`https://host` or `https://host/ims/ob/v3p0`)
/// visible to `token` (scope `credential.readonly`): JSON-LD credentials as JSON text, VC-JWTs
/// as compact JWS, in the host's order.
pub fn pull(base: &str, token: &str) -> Result<Vec<String>> {
    let base = base.trim_end_matches('/');
    let base = base.strip_suffix("/ims/ob/v3p0").unwrap_or(base);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .redirects(0)
        .build();
    let remote = |m: String| Error::new(ErrorKind::Resolve, m);
    let mut out = Vec::new();
    let limit = 100;
    let mut offset = 0usize;
    loop {
        let url = format!("{base}/ims/ob/v3p0/credentials?limit={limit}&offset={offset}");
        let response = match agent
            .get(&url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Accept", "application/json")
            .call()
        {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                let mut detail = String::new();
                let _ = r.into_reader().take(4096).read_to_string(&mut detail);
                return Err(remote(format!("{url}: HTTP {code} {}", detail.trim())));
            }
            Err(e) => return Err(remote(format!("{url}: {e}"))),
        };
        let total: Option<usize> = response
            .header("x-total-count")
            .and_then(|v| v.parse().ok());
        let mut bytes = Vec::new();
        response
            .into_reader()
            .take(MAX_PAGE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| remote(format!("{url}: {e}")))?;
        if bytes.len() as u64 > MAX_PAGE_BYTES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("{url}: a page over {MAX_PAGE_BYTES} bytes"),
            ));
        }
        let page = crate::json::parse_with(
            &bytes,
            &crate::json::Limits {
                max_bytes: MAX_PAGE_BYTES as usize,
                max_depth: 64,
            },
        )
        .map_err(|e| e.context(format!("in the page at {url}")))?;
        let mut got = 0;
        for c in page
            .get("credential")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(serde_json::to_string(c).map_err(|e| remote(e.to_string()))?);
            got += 1;
        }
        for j in page
            .get("compactJwsString")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = j
                .as_str()
                .ok_or_else(|| remote(format!("{url}: `compactJwsString` holds a non-string")))?;
            out.push(s.to_string());
            got += 1;
        }
        offset += got;
        if out.len() > MAX_CREDENTIALS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("{base} holds more than {MAX_CREDENTIALS} credentials"),
            ));
        }
        if got == 0 || total.is_some_and(|t| offset >= t) || (total.is_none() && got < limit) {
            return Ok(out);
        }
    }
}
