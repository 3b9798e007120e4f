//! Key files: one Ed25519 key per file, JSON with the multibase secret, written atomically with
//! owner-only permissions; reading one refuses a file others can read, a malformed secret, or a
//! public key that does not match the secret.

use std::path::Path;

use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::keys::SigningKey;

/// Writes `key` as `path` (mode 0600 on Unix), naming its verification method `id` controlled
/// by `controller`. The secret never leaves this function except into the file.
pub fn write_key_file(path: &Path, key: &SigningKey, id: &str, controller: &str) -> Result<()> {
    let doc = json!({
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": key.verifying_key().to_multikey(),
        "secretKeyMultibase": key.to_multikey_secret(),
    });
    let text =
        serde_json::to_string_pretty(&doc).map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    crate::atomic_file::write(path, format!("{text}\n").as_bytes(), 0o600)
}

/// Refuses a key file that anyone but its owner can read or write (Unix).
pub fn check_permissions(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", path.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::new(
                ErrorKind::Key,
                format!(
                    "the key file {} has permissions {mode:04o}; a secret key must be readable by its owner only (chmod 600)",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a JSON file holding a secret (any key format: Multikey, private JWK), after
/// [`check_permissions`]. Errors name the file.
///
/// # Example
/// ```
/// let dir = std::env::temp_dir().join(format!("ob-secret-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("k.json");
/// openbadges::atomic_file::write(&path, br#"{"privateKeyJwk": {}}"#, 0o600)?;
/// assert!(openbadges::issuer::read_secret_file(&path)?.get("privateKeyJwk").is_some());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_secret_file(path: &Path) -> Result<Value> {
    check_permissions(path)?;
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    crate::json::parse(&bytes).map_err(|e| e.context(format!("in {name}")))
}

/// Reads a key file: permissions, secret, and (when present) that `publicKeyMultibase` is the
/// secret's public key. Errors name the file and never print the secret.
pub fn read_key_file(path: &Path) -> Result<SigningKey> {
    let doc = read_secret_file(path)?;
    let name = path.display().to_string();
    let secret = doc
        .get("secretKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::key(format!("{name} has no `secretKeyMultibase`")))?;
    // The decoder's message may quote part of its input: never echo a secret, even a broken one.
    let key = SigningKey::from_multikey_secret(secret).map_err(|_| {
        Error::key(format!(
            "{name}: `secretKeyMultibase` is not an Ed25519 secret key (expected `z` + base58btc of the multicodec 0x8026 and 32 bytes)"
        ))
    })?;
    if let Some(public) = doc.get("publicKeyMultibase").and_then(Value::as_str) {
        if public != key.verifying_key().to_multikey() {
            return Err(Error::key(format!(
                "{name}: `publicKeyMultibase` is not the public key of its secret"
            )));
        }
    }
    Ok(key)
}
