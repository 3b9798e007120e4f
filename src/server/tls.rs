//! TLS for `serve`: a certificate and key from PEM files, or a fresh self-signed certificate
//! for `localhost` and `127.0.0.1` (what the W3C suites accept: they do not check certificates).

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls;

use crate::error::{Error, ErrorKind, Result};

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Usage, format!("TLS: {e}"))
}

fn config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(tls_error)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A server configuration from a PEM certificate chain and a PEM private key.
pub fn from_files(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| tls_error(format!("{}: {e}", cert.display())))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| tls_error(format!("{}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(tls_error(format!("{}: no certificate", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| tls_error(format!("{}: {e}", key.display())))?;
    config(certs, key)
}

/// A server configuration with a new self-signed certificate for `localhost`, `127.0.0.1` and
/// `hosts`; returns the certificate (PEM) too, so clients can pin it.
pub fn self_signed(hosts: &[String]) -> Result<(Arc<rustls::ServerConfig>, String)> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    names.extend(hosts.iter().cloned());
    names.dedup();
    let certified = rcgen::generate_simple_self_signed(names).map_err(tls_error)?;
    let pem = certified.cert.pem();
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    Ok((config(vec![cert], key)?, pem))
}
